"""`stdata sources download`: write a hub-layout mirror for clusters whose compute nodes are offline.

Layout (what `--data-dir` reads): `DIR/<org>/<name>/<config>/<split>-00000-of-00001.parquet` plus a
README.md whose YAML front matter (`configs`, `dataset_info`) lets `datasets.load_dataset` find
every config offline, and keeps ClassLabel names. Each file is written aside and renamed, so an
interrupted download never leaves a half-written shard.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from . import languages
from .atomic import replacing, write_atomic
from .errors import StdataError
from .registry import Registry
from .sources import MissingData, data_dir, load_split, source_for

_FRONT = "---\n"


def _read_front_matter(readme: Path) -> dict[str, Any]:
    if not readme.exists():
        return {}
    text = readme.read_text(encoding="utf-8")
    if not text.startswith(_FRONT):
        return {}
    end = text.find("\n---", len(_FRONT))
    return yaml.safe_load(text[len(_FRONT) : end]) or {} if end > 0 else {}


def write_readme(
    root: Path, dataset: str, licence: str, entries: dict[str, dict[str, Any]], writer: str = "stdata sources download"
) -> None:
    """Merge `entries` (config -> split, features, size) into the mirror card's front matter, which `datasets` reads."""
    meta = _read_front_matter(root / "README.md")
    configs = {c["config_name"]: c for c in meta.get("configs", [])}
    infos = {i["config_name"]: i for i in meta.get("dataset_info", [])}
    for config, e in entries.items():
        files = {f["split"]: f for f in configs.get(config, {}).get("data_files", [])}
        files[e["split"]] = {"split": e["split"], "path": f"{config}/{e['split']}-*.parquet"}
        configs[config] = {"config_name": config, "data_files": sorted(files.values(), key=lambda f: f["split"])}
        info = infos.get(config, {"config_name": config})
        info["features"] = e["features"]
        splits = {s["name"]: s for s in info.get("splits", [])}
        splits[e["split"]] = {"name": e["split"], "num_bytes": e["bytes"], "num_examples": e["rows"]}
        info["splits"] = sorted(splits.values(), key=lambda s: s["name"])
        infos[config] = info
    meta = {
        "license": meta.get("license", licence),
        "configs": [configs[k] for k in sorted(configs)],
        "dataset_info": [infos[k] for k in sorted(infos)],
    }
    body = f"\n# {dataset} (stdata mirror)\n\nWritten by `{writer}`; the data and licence are those of `{dataset}`.\n"
    write_atomic(root / "README.md", _FRONT + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n" + body)


def download(
    reg: Registry,
    langs: str,
    out: Path,
    tasks: str | None = None,
    source_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Copy every (task, language) source split into a mirror at `out`; returns what was written."""
    reg = reg.require_clean()
    task_list = reg.select_tasks(tasks)
    tags = languages.resolve(langs, reg.languages())
    src_mirror = data_dir(source_dir)
    out = Path(out)
    if src_mirror is not None and src_mirror.resolve() == out.resolve():
        raise StdataError("the mirror to write is the one being read; pick another --out")
    wanted: dict[tuple[str, str, str], Any] = {}
    for t in task_list:
        for lang in tags:
            found = source_for(t, lang)
            if found:
                src, config = found
                for split in src.split.split("+"):  # "train+validation" is read as two files
                    wanted.setdefault((src.dataset, config, split), src)
    written, missing = [], []
    by_dataset: dict[str, dict[str, dict]] = {}
    for (dataset, config, split), src in sorted(wanted.items()):
        if progress:
            progress(f"{dataset} {config}/{split}")
        try:
            ds = load_split(src, config, split, src_mirror)
        except MissingData as e:
            missing.append({"dataset": dataset, "config": config, "split": split, "message": str(e)})
            continue
        root = out / dataset
        (root / config).mkdir(parents=True, exist_ok=True)
        target = root / config / f"{split}-00000-of-00001.parquet"
        with replacing(target) as tmp:
            ds.to_parquet(str(tmp))
        info = ds.info._to_yaml_dict()
        by_dataset.setdefault(dataset, {})[config] = {
            "split": split,
            "rows": ds.num_rows,
            "bytes": ds.data.nbytes,
            "features": info.get("features", []),
        }
        write_readme(root, dataset, src.license, {config: by_dataset[dataset][config]})
        written.append({"dataset": dataset, "config": config, "split": split, "rows": ds.num_rows})
    return {"out": str(out), "written": written, "missing": missing}
