"""Content hashes: of JSON-able values (manifests, templates, options) and of files and folders.

One place, so a hash written by build and one checked by train or eval are computed the same way.
The knobs exist because published hashes (corpus fingerprints, template hashes) must not change:
`ensure_ascii` and `length` are part of what each hash means.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

PREFIX = "sha256:"


def json_hash(obj: Any, length: int | None = 16, *, ensure_ascii: bool = False, prefix: bool = True) -> str:
    """sha256 of `obj` as canonical JSON (sorted keys), cut to `length` hex digits."""
    blob = json.dumps(obj, sort_keys=True, ensure_ascii=ensure_ascii).encode()
    digest = hashlib.sha256(blob).hexdigest()[:length]
    return PREFIX + digest if prefix else digest


def file_hash(path: Path) -> str:
    """Full sha256 hex digest of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def tree_hash(path: Path | str | None, length: int = 16) -> str | None:
    """Hash of a folder's files (relative path + bytes), of one file, or of a name (a hub id)."""
    if path is None:
        return None
    p = Path(path)
    h = hashlib.sha256()
    if p.is_dir():
        for f in sorted(x for x in p.rglob("*") if x.is_file()):
            h.update(str(f.relative_to(p)).encode() + b"\0")
            with open(f, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
    elif p.is_file():
        h.update(p.read_bytes())
    else:
        h.update(str(path).encode())
    return PREFIX + h.hexdigest()[:length]


def seeded_fraction(seed: int, key: str) -> int:
    """A stable 32-bit number from (seed, key): for hash-based splits that need no random state."""
    return int(hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()[:8], 16)
