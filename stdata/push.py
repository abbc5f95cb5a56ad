"""`stdata push`: publish a built corpus to the hub as parquet shards with its card and manifest.

`push_payload` lists exactly what would be uploaded and `push_operations` the whole commit, the
deletions of an earlier push's shards included (both testable offline); `push` sends it.
"""

from __future__ import annotations

import re
from pathlib import Path

from .corpus import CARD, MANIFEST, read_manifest
from .coverage_plot import FILE_NAME as PICTURE
from .errors import StdataError
from .hashing import file_hash

#: What a manifest may list as a shard: `data/<split>-<i>-of-<n>.parquet`, nothing else (no `..`, no absolute path).
SHARD_RE = re.compile(r"^data/[A-Za-z0-9_]+-\d{5}-of-\d{5}\.parquet$")


def push_payload(corpus: str | Path) -> list[tuple[str, Path]]:
    """(path in repo, local file) for the card, the manifest, the coverage picture the card shows and every parquet shard.

    The manifest is data that anyone can edit, so every shard it lists must be a parquet file
    inside the corpus's `data/` whose bytes still match the hash the build recorded; the picture
    must be a plain file of the corpus (a symbolic link could upload any file of this machine).
    """
    root = Path(corpus)
    manifest = read_manifest(root)
    data = (root / "data").resolve()
    files = [(CARD, root / CARD), (MANIFEST, root / MANIFEST)]
    if (root / PICTURE).is_symlink() or ((root / PICTURE).exists() and not (root / PICTURE).is_file()):
        raise StdataError(f"{root / PICTURE} is not a plain file (a symbolic link?); rebuild the corpus")
    if (root / PICTURE).exists():
        files.append((PICTURE, root / PICTURE))
    for name in sorted(manifest.shards):
        if not SHARD_RE.match(name):
            raise StdataError(f"{root / MANIFEST}: shard {name!r} is not a data/<split>-NNNNN-of-NNNNN.parquet name; rebuild the corpus")
        local = root / name
        if not local.is_file():
            raise StdataError(f"{local} is listed in the manifest but missing; rebuild the corpus")
        if local.resolve().parent != data:
            raise StdataError(f"{local} resolves outside the corpus's data/ folder; rebuild the corpus")
        if file_hash(local) != manifest.shards[name]:
            raise StdataError(f"{local} differs from the hash in the manifest (edited after the build?); rebuild the corpus")
        files.append((name, local))
    return files


def push_operations(corpus: str | Path, existing: list[str]) -> list:
    """The commit: add the card, manifest and shards; delete the repo's other `data/` parquet files.

    An earlier, larger push left shards this corpus does not have (e.g. `train-00002-of-00003`);
    kept, they would be read as part of the dataset by the card's `data/<split>-*` patterns.
    """
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    payload = push_payload(corpus)
    new = {p for p, _ in payload}
    ops: list = [CommitOperationAdd(path_in_repo=p, path_or_fileobj=str(f)) for p, f in payload]
    stale = sorted(p for p in existing if p.startswith("data/") and p.endswith(".parquet") and p not in new)
    ops += [CommitOperationDelete(path_in_repo=p) for p in stale]
    return ops


def push(corpus: str | Path, repo_id: str, private: bool = False, token: str | None = None) -> str:
    from huggingface_hub import HfApi

    push_payload(corpus)  # refuse a broken corpus before any network call
    api = HfApi(token=token)
    try:
        api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        existing = api.list_repo_files(repo_id, repo_type="dataset")
        ops = push_operations(corpus, existing)
        info = api.create_commit(repo_id, ops, repo_type="dataset", commit_message="Add statement corpus (stdata)")
    except StdataError:
        raise
    except Exception as e:
        raise StdataError(f"push to {repo_id} failed: {' '.join(str(e).split())[:200]}") from None
    return info.commit_url
