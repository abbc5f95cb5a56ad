"""The CPU's two inference knobs: how many threads torch uses, and int8 weights (`--quantize int8`).

MiniLM-sized encoders on a CPU are bound by their matrix multiplications (about 1 GFLOP per
50-token statement), so batching alone buys little there (docs/benchmarks.md). Dynamic int8
quantization of the Linear layers (int8 weights, activations quantized per batch) runs those
products on the CPU's integer units, 2.4x to 3.3x as fast as float32 on MiniLM here
(docs/benchmarks.md); the classification heads stay float (they are tiny, and they decide the
argmax).

Threads: torch defaults to one per logical core. An OpenMP thread whose core is taken by another
process stalls the whole forward pass: on a busy 2-core machine two threads ran float32 MiniLM at
less than half the speed of one (docs/benchmarks.md). So the default is the *physical* cores this
process may use, less the share of the machine that is already busy (the 1-minute load average),
at least one; `--threads` overrides it, and results.json records the count used.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

from .errors import StdataError, UsageError
from .model import HEAD_MODULES

QUANTIZE = ("none", "int8")
#: What `--quantize int8` does, as results.json records it.
INT8 = "int8-dynamic"
#: Modules left in float: the classification heads (`score` is the head of decoder-style classifiers).
FLOAT_MODULES = (*HEAD_MODULES, "score")


def physical_cores() -> int:
    """Physical cores among the CPUs this process may run on (hyperthread siblings count once)."""
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, (os.cpu_count() or 2) // 2)
    cores = set()
    for c in cpus:
        f = Path(f"/sys/devices/system/cpu/cpu{c}/topology/thread_siblings_list")
        try:
            cores.add(f.read_text().strip())
        except OSError:
            cores.add(str(c))
    return max(1, len(cores))


def default_threads() -> int:
    """Physical cores times the idle share of the machine (1 - load average / CPUs), rounded, at least 1.

    On an idle machine that is every physical core; on one whose load already fills its CPUs, one.
    """
    cores = physical_cores()
    try:
        busy = os.getloadavg()[0] / (os.cpu_count() or cores)
    except (AttributeError, OSError):  # pragma: no cover - no load average (Windows)
        busy = 0.0
    return max(1, min(cores, round(cores * (1 - busy))))


def set_threads(n: int | None) -> int:
    """Use `n` torch threads (default: default_threads()) and one inter-op thread; returns the count in use.

    Inter-op parallelism only helps graphs with independent branches, which an encoder forward
    has not; torch allows setting it once per process, before the first parallel op, so a later
    call leaves it as it is.
    """
    import torch

    if n is not None and n < 1:
        raise UsageError(f"--threads must be at least 1, got {n}")
    torch.set_num_threads(n or default_threads())
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already set, or inter-op work already started in this process
        pass
    return torch.get_num_threads()


def check_quantize(value: str | None, device: str | None, dtype: str) -> None:
    """`--quantize` is `none` or `int8`; int8 is a CPU path over float32 weights."""
    if value in (None, "none"):
        return
    if value not in QUANTIZE:
        raise UsageError(f"--quantize must be one of {', '.join(QUANTIZE)}, got {value!r}")
    if device is not None and not device.startswith("cpu"):
        raise UsageError(f"--quantize int8 runs on the CPU only (got --device {device}); on a GPU use --dtype bfloat16")
    if dtype not in ("auto", "float32"):
        raise UsageError(f"--quantize int8 quantizes float32 weights; drop --dtype {dtype} (or give float32)")


def quantize_int8(model: Any) -> Any:
    """Dynamic int8 quantization of every Linear layer outside the heads, in place; returns the model.

    torchao's `quantize_` is the successor API, but on the CPU here (torchao 0.18, torch 2.13+cpu)
    its Int8DynamicActivationInt8Weight ran at float32 speed while `quantize_dynamic` (fbgemm/x86
    kernels) ran 2.4x to 3.3x faster, so the deprecated-but-shipped torch.ao path is used; its deprecation
    warnings are silenced here only. A LoRA adapter is merged into its base first, so the merged
    weights are the ones quantized. A 4-bit (QLoRA) model is already quantized: refused.
    """
    import torch

    if getattr(model, "is_quantized", False) or getattr(getattr(model, "base_model", None), "is_quantized", False):
        raise StdataError("--quantize int8: the model is already quantized (4-bit QLoRA); score it without --quantize")
    with warnings.catch_warnings():  # deprecations of torch.ao.quantization, torch.jit and a peft property, on every call
        for message in (
            "torch.ao.quantization is deprecated",
            "quantized tensor creation functions",
            "torch.jit",
            "is_gradient_checkpointing",
        ):
            warnings.filterwarnings("ignore", message=f".*{message}")
        if hasattr(model, "merge_and_unload"):  # a peft model: fold the adapter into the base weights
            model = model.merge_and_unload()
        if next(model.parameters()).device.type != "cpu":
            raise UsageError(f"--quantize int8 runs on the CPU only; the model is on {next(model.parameters()).device}")
        model.float()
        names = {
            name
            for name, m in model.named_modules()
            if isinstance(m, torch.nn.Linear) and not any(part in FLOAT_MODULES for part in name.split("."))
        }
        if not names:
            raise StdataError("--quantize int8: the model has no Linear layers outside its head")
        try:
            from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic
        except ImportError:  # pragma: no cover - a torch without the eager quantization API
            raise StdataError(
                f"--quantize int8 needs torch.ao.quantization.quantize_dynamic, missing in torch {torch.__version__}"
            ) from None
        # one weight scale per output channel, not per tensor: the same speed, and on MiniLM with a
        # random head the logit-margin correlation with float32 rose from 0.942 to 0.982 (docs/benchmarks.md)
        model = quantize_dynamic(model, dict.fromkeys(names, per_channel_dynamic_qconfig), dtype=torch.qint8, inplace=True)
    if full_range_int8():
        for m in model.modules():
            if _dynamic(m) and hasattr(m, "version"):
                m.version = 3  # forward() without reduce_range: 8-bit activations
    return model


def full_range_int8() -> bool:
    """Whether the CPU sums u8 x s8 products in 32 bits (AVX512-VNNI, AVX-VNNI, AMX), so activations may use all 8 bits.

    torch's DynamicQuantizedLinear (module version 4) always quantizes activations to 7 bits
    (`reduce_range=True`), because the older AVX2 kernels sum pairs of products in 16 bits, which
    saturate at 8. Version 3 calls the same kernel without that flag. On a VNNI CPU nothing
    saturates, and the eighth bit halves the activation rounding error: argmax agreement with
    float32 on MiniLM rose from 70.6% to 79.9%, at the same speed (docs/benchmarks.md).
    """
    try:
        flags = set(Path("/proc/cpuinfo").read_text().split())
    except OSError:  # not Linux: keep torch's safe default
        return False
    return bool(flags & {"avx512_vnni", "avx_vnni", "amx_int8"})


def is_int8(model: Any) -> bool:
    """Whether some layer of `model` is a dynamically quantized Linear."""
    return any(_dynamic(m) for m in model.modules())


def _dynamic(module: Any) -> bool:
    return type(module).__module__.startswith("torch.ao.nn.quantized.dynamic")


def quantization_label(model: Any) -> str | None:
    """What results.json records as the run's quantization: int8-dynamic, nf4 (QLoRA), or None."""
    if model is None:
        return None
    if is_int8(model):
        return INT8
    if getattr(model, "is_quantized", False) or getattr(getattr(model, "base_model", None), "is_quantized", False):
        return "nf4"
    return None
