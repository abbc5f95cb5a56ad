"""The statements `stdata train` learns from: a corpus loaded, checked, filtered and tokenised.

Checks come before any model loads (a wrong column or label fails in seconds, not after a model
download); a corpus without validation rows gets a seeded hold-out by source example, so a true
statement and its false partner never straddle the split.
"""

from __future__ import annotations

import hashlib
import logging
from array import array
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .corpus import LABEL_NAMES, load_corpus, read_manifest
from .errors import StdataError, UsageError
from .hashing import seeded_fraction
from .model import encode, hub_offline, hub_reachable, looks_like_path
from .train_metrics import EXAMPLE_INDEX

if TYPE_CHECKING:
    from .train import TrainOptions

log = logging.getLogger(__name__)


def _split_list(value: str | None) -> list[str] | None:
    if value is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    return items or None


def load_statements(opts: TrainOptions) -> tuple[Any, Any, dict[str, Any]]:
    """Train and validation `Dataset`s of (statement, label, task, lang) after filters, and what they are."""
    import datasets

    src = str(opts.corpus)
    local = Path(src).expanduser().exists()
    if not local and not hub_offline("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"):
        if looks_like_path(src):
            raise StdataError(f"corpus path {src} does not exist")
        if not hub_reachable():
            raise StdataError(f"corpus {src!r} is not a local folder and the Hugging Face hub is unreachable")
    dd = load_corpus(Path(src).expanduser() if local else src)
    if "train" not in dd:
        raise StdataError(f"corpus {src} has no train split (splits: {', '.join(dd)})")
    for split, ds in dd.items():
        _check_columns(src, split, ds)
    info: dict[str, Any] = {"path": src, "manifest_hash": None, "template_set_hash": None}
    if local and (Path(src).expanduser() / "manifest.json").exists():
        m = read_manifest(Path(src).expanduser())
        info.update(manifest_hash=m.fingerprint, template_set_hash=m.template_set_hash)
    keep = ["statement", "label", "task", "lang"]
    train = dd["train"].select_columns(keep + (["group_id"] if "group_id" in dd["train"].column_names else []))
    val = dd["validation"].select_columns(keep) if "validation" in dd else None
    train = train.cast_column("label", datasets.Value("int64"))
    val = val.cast_column("label", datasets.Value("int64")) if val is not None else None

    tasks, langs = _split_list(opts.tasks), _split_list(opts.langs)
    for col, wanted in (("task", tasks), ("lang", langs)):
        if wanted:
            have = set(train.unique(col)) | (set(val.unique(col)) if val is not None else set())
            unknown = [w for w in wanted if w not in have]
            if unknown:
                raise UsageError(f"--{col}s {','.join(unknown)}: not in the corpus (it has {', '.join(sorted(have))})")
    if tasks or langs:
        tset, lset = set(tasks or []), set(langs or [])

        def keep_row(b):
            return [(not tset or t in tset) and (not lset or g in lset) for t, g in zip(b["task"], b["lang"])]

        train = train.filter(keep_row, batched=True)
        val = val.filter(keep_row, batched=True) if val is not None else None
    if len(train) == 0:
        raise StdataError(f"no training statements left in {src} after --tasks {opts.tasks} --langs {opts.langs}")
    labels = set(train.unique("label"))
    if labels != {0, 1}:
        raise StdataError(f"the training statements need both labels (false=0 and true=1); found only {sorted(labels)}")
    info["validation_from"] = "corpus"
    if val is None or len(val) == 0:
        train, val = _hold_out(train, opts.seed)
        info["validation_from"] = "10% of train (the corpus has no validation rows after filters)"
    train = train.remove_columns([c for c in train.column_names if c not in keep])
    if opts.max_train_samples and len(train) > opts.max_train_samples:
        train = train.shuffle(seed=opts.seed).select(range(opts.max_train_samples))
    if opts.max_eval_samples and len(val) > opts.max_eval_samples:
        val = val.shuffle(seed=opts.seed).select(range(opts.max_eval_samples))
    info["tasks"] = sorted(train.unique("task"))
    info["langs"] = sorted(train.unique("lang"))
    info["filters"] = {"tasks": tasks, "langs": langs}
    info["rows"] = {"train": len(train), "validation": len(val)}
    return train, val, info


def _hold_out(train, seed: int, share: int = 10):
    """A seeded 1-in-`share` validation split, by source example where the corpus has `group_id`.

    Whole groups go one way, so a true statement and its false partner never straddle the split.
    """
    col = "group_id" if "group_id" in train.column_names else "statement"

    def is_val(batch):
        return [seeded_fraction(seed, k) % share == 0 for k in batch[col]]

    flags = train.map(lambda b: {"_val": is_val(b)}, batched=True, desc="hold out validation")["_val"]
    flags = list(flags)
    val_idx = [i for i, f in enumerate(flags) if f]
    if not val_idx or len(val_idx) == len(flags):  # too few examples to split by group: split rows
        parts = train.train_test_split(test_size=0.1, seed=seed)
        return parts["train"], parts["test"]
    return train.select([i for i, f in enumerate(flags) if not f]), train.select(val_idx)


def _check_columns(src: str, split: str, ds) -> None:
    import datasets

    feats = ds.features
    missing = [c for c in ("statement", "label", "task", "lang") if c not in feats]
    if missing:
        raise StdataError(f"corpus {src} split {split!r} lacks column(s) {missing}")
    st = feats["statement"]
    if not (isinstance(st, datasets.Value) and st.dtype in ("string", "large_string")):
        raise StdataError(f"corpus {src} split {split!r}: column 'statement' must hold strings, not {_type_name(st)}")
    lab = feats["label"]
    if isinstance(lab, datasets.ClassLabel):
        if [n.lower() for n in lab.names] != list(LABEL_NAMES):
            raise StdataError(f"corpus {src} split {split!r}: label names are {lab.names}, expected {list(LABEL_NAMES)}")
    elif not (isinstance(lab, datasets.Value) and (lab.dtype.startswith("int") or lab.dtype == "bool")):
        raise StdataError(f"corpus {src} split {split!r}: column 'label' must be 0/1 integers (1 = true), not {_type_name(lab)}")
    elif len(ds):
        bad = set(ds.unique("label")) - {0, 1}
        if bad:
            raise StdataError(f"corpus {src} split {split!r}: label values must be 0 (false) or 1 (true), found {sorted(bad)[:5]}")
    if len(ds) and ds.filter(lambda b: [s is None or not s.strip() for s in b["statement"]], batched=True).num_rows:
        raise StdataError(f"corpus {src} split {split!r}: empty or null statements")


def _type_name(feature) -> str:
    return getattr(feature, "dtype", None) or type(feature).__name__


def _tokenize(train, val, tokenizer, max_length: int):
    """Token ids without padding (the collator pads per batch); counts statements cut to max_length.

    Validation rows keep their row number (`example_idx`): predictions are matched to their task and
    language by it, whatever order the Trainer's evaluation sampler uses (stdata.train_metrics).
    Training rows whose ids, once cut, are also those of a row with the other label are dropped:
    a template that puts the partner after a long passage (XQuAD's "{{ context }} ... the answer
    is {{ answer }}") makes a true and a false statement that read the same to the model, and
    learning both labels for one input only teaches noise. Validation keeps them (they score as
    they would in use); the count is returned.
    """

    def enc(batch, keyed: bool):
        out, cut_list = encode(tokenizer, batch["statement"], max_length)
        cut = set(cut_list)
        out["truncated"] = [i in cut for i in range(len(batch["statement"]))]
        out["labels"] = batch["label"]
        if keyed:  # a digest of the cut ids, to find training statements that read the same
            out["_ids_key"] = [hashlib.blake2b(array("q", ids).tobytes(), digest_size=12).hexdigest() for ids in out["input_ids"]]
        return out

    train_t = train.map(enc, batched=True, fn_kwargs={"keyed": True}, desc="tokenize train")
    val_t = val.map(enc, batched=True, fn_kwargs={"keyed": False}, desc="tokenize validation")
    truncated = sum(train_t["truncated"]) + sum(val_t["truncated"])
    keys = train_t["_ids_key"]
    labels_of: dict[str, set[int]] = {}
    for key, label in zip(keys, train_t["labels"]):
        labels_of.setdefault(key, set()).add(int(label))
    keep = [i for i, key in enumerate(keys) if len(labels_of[key]) == 1]
    contradictory = len(train_t) - len(keep)
    if contradictory:
        log.warning(
            "%d training statement(s) read the same as a statement with the other label once cut to %d tokens; "
            "dropped (a longer --max-length, or a template that states the partner before the passage, keeps them)",
            contradictory,
            max_length,
        )
        train_t = train_t.select(keep)
    drop = ["statement", "label", "task", "lang", "truncated"]
    val_t = val_t.remove_columns(drop).add_column(EXAMPLE_INDEX, list(range(len(val_t))))  # row number: task and lang of val[i]
    return train_t.remove_columns([*drop, "_ids_key"]), val_t, truncated, contradictory
