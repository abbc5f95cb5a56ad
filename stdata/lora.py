"""Which model `stdata train` trains: the base classifier (4-bit for QLoRA) with LoRA adapters on
every linear layer of the encoder blocks, or the whole model for full fine-tuning.
"""

from __future__ import annotations

import os
import warnings
from typing import TYPE_CHECKING, Any

from .errors import StdataError
from .model import HEAD_MODULES, load_classifier, skip_modules
from .train_data import _split_list

if TYPE_CHECKING:
    from .train import TrainOptions


#: LoRA targets per model_type: every linear layer of the encoder blocks, never the head.
#: Names are suffixes as peft matches them ("output.dense" covers attention.output.dense too).
LORA_TARGETS = {
    "bert": ["query", "key", "value", "output.dense", "intermediate.dense"],
    "roberta": ["query", "key", "value", "output.dense", "intermediate.dense"],
    "xlm-roberta": ["query", "key", "value", "output.dense", "intermediate.dense"],
    "camembert": ["query", "key", "value", "output.dense", "intermediate.dense"],
    "electra": ["query", "key", "value", "output.dense", "intermediate.dense"],
    "deberta-v2": ["query_proj", "key_proj", "value_proj", "output.dense", "intermediate.dense"],
    "deberta": ["in_proj", "output.dense", "intermediate.dense"],
    "distilbert": ["q_lin", "k_lin", "v_lin", "out_lin", "lin1", "lin2"],
    "mpnet": ["q", "k", "v", "o", "intermediate.dense", "output.dense"],
}


def lora_settings(opts: TrainOptions, model) -> dict[str, Any]:
    """Rank, alpha, dropout and targets for this architecture; command-line values win."""
    cfg = model.config
    hidden = getattr(cfg, "hidden_size", 768)
    r = opts.lora_r or (8 if hidden <= 384 else 16 if hidden <= 768 else 32)
    targets = _split_list(opts.lora_targets) or LORA_TARGETS.get(cfg.model_type) or _all_linear(model)
    heads = [h for h in HEAD_MODULES if any(n.split(".")[-1] == h for n, _ in model.named_modules())]
    return {
        "r": r,
        "alpha": opts.lora_alpha or 2 * r,
        "dropout": 0.1 if opts.lora_dropout is None else opts.lora_dropout,
        "target_modules": targets,
        "modules_to_save": heads,
    }


def _all_linear(model) -> list[str]:
    """Fallback targets for an unlisted architecture: the names of all linear layers outside the head."""
    import torch

    names = set()
    for name, mod in model.named_modules():
        if isinstance(mod, torch.nn.Linear) and not any(h in name.split(".") for h in HEAD_MODULES):
            names.add(name.split(".")[-1])
    if not names:
        raise StdataError(f"no linear layers to adapt in {model.config.model_type}; give --lora-targets")
    return sorted(names)


def build_model(opts: TrainOptions, model_path: str, precision: str):
    """The model to train and its LoRA/quantization settings (None where they do not apply)."""
    import torch

    quant = None
    if opts.method == "qlora":
        cuda = torch.cuda.is_available()
        compute = "float32" if not cuda else "float16" if precision == "fp16" or not torch.cuda.is_bf16_supported() else "bfloat16"
        device = f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if cuda else "cpu"
        model = load_classifier(model_path, quantize=True, compute_dtype=compute, device=device)
        quant = {"bits": 4, "quant_type": "nf4", "double_quant": True, "compute_dtype": compute, "skip_modules": skip_modules()}
    else:
        model = load_classifier(model_path)
    model.config.problem_type = "single_label_classification"  # cross-entropy over (false, true)
    if opts.method == "full":
        return model, None, quant
    from peft import LoraConfig, TaskType, get_peft_model, prepare_model_for_kbit_training

    lora = lora_settings(opts, model)
    cfg = LoraConfig(
        task_type=TaskType.SEQ_CLS, r=lora["r"], lora_alpha=lora["alpha"], lora_dropout=lora["dropout"],
        target_modules=list(lora["target_modules"]), modules_to_save=list(lora["modules_to_save"]),  # peft appends to these
    )  # fmt: skip
    with warnings.catch_warnings():  # peft still reads transformers' deprecated is_gradient_checkpointing
        warnings.simplefilter("ignore", FutureWarning)
        if opts.method == "qlora":
            model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=opts.gradient_checkpointing)
        try:
            model = get_peft_model(model, cfg)
        except ValueError as e:
            why = " ".join(str(e).split())[:200]
            raise StdataError(f"LoRA targets {lora['target_modules']} do not fit {model.config.model_type}: {why}") from None
    if opts.gradient_checkpointing:
        model.enable_input_require_grads()
    return model, lora, quant
