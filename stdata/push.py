"""`stdata push`: publish a built corpus to the hub as parquet shards with its card and manifest.

`push_payload` lists exactly what would be uploaded (testable offline); `push` uploads it.
"""

from __future__ import annotations

from pathlib import Path

from .corpus import CARD, MANIFEST, read_manifest
from .coverage_plot import FILE_NAME as PICTURE
from .errors import StdataError


def push_payload(corpus: str | Path) -> list[tuple[str, Path]]:
    """(path in repo, local file) for the card, the manifest, the coverage picture the card shows and every parquet shard."""
    root = Path(corpus)
    manifest = read_manifest(root)
    files = [(CARD, root / CARD), (MANIFEST, root / MANIFEST)]
    if (root / PICTURE).exists():
        files.append((PICTURE, root / PICTURE))
    for name in sorted(manifest.shards):
        local = root / name
        if not local.exists():
            raise StdataError(f"{local} is listed in the manifest but missing; rebuild the corpus")
        files.append((name, local))
    return files


def push(corpus: str | Path, repo_id: str, private: bool = False, token: str | None = None) -> str:
    from huggingface_hub import CommitOperationAdd, HfApi

    ops = [CommitOperationAdd(path_in_repo=p, path_or_fileobj=str(f)) for p, f in push_payload(corpus)]
    api = HfApi(token=token)
    try:
        api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        info = api.create_commit(repo_id, ops, repo_type="dataset", commit_message="Add statement corpus (stdata)")
    except Exception as e:
        raise StdataError(f"push to {repo_id} failed: {' '.join(str(e).split())[:200]}") from None
    return info.commit_url
