"""A persistent SQLite cache of engine answers, keyed by engine, model, languages and text.

Why: engine calls cost money, quota and time, and a re-run must make none. The cache stores the
engine's raw answer (checks run on every read, so a stricter check later still applies); it
runs in WAL mode and commits after every batch, so `kill -9` loses at most the batch in flight
and never corrupts what was committed.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

from ..errors import StdataError

CACHE_ENV = "STDATA_CACHE_DIR"
FILE_NAME = "translate.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    key TEXT PRIMARY KEY,
    engine TEXT NOT NULL,
    model TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    text TEXT NOT NULL,
    translation TEXT NOT NULL,
    created REAL NOT NULL
)
"""


def default_path() -> Path:
    """`$STDATA_CACHE_DIR/translate.sqlite`, else under `$XDG_CACHE_HOME` or `~/.cache/stdata`."""
    base = os.environ.get(CACHE_ENV)
    if base:
        return Path(base) / FILE_NAME
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "stdata" / FILE_NAME


def cache_key(engine: str, model: str, source: str, target: str, text: str) -> str:
    blob = json.dumps([engine, model, source, target, text], ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


class Cache:
    """`get_many` / `put_many` over one SQLite file (or `:memory:` for `--no-cache`)."""

    def __init__(self, path: Path | str | None = None):
        self.path = str(path) if path is not None else str(default_path())
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            if self.path != ":memory:":
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute(_SCHEMA)
        except sqlite3.DatabaseError as e:
            raise StdataError(f"translation cache {self.path} cannot be opened: {e}; delete it or pass --cache PATH") from None

    @classmethod
    def memory(cls) -> Cache:
        return cls(":memory:")

    def get_many(self, engine: str, model: str, items: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str, str], str]:
        """Answers found for (source, target, text) items."""
        items = list(items)
        keys = {cache_key(engine, model, s, t, x): (s, t, x) for s, t, x in items}
        out: dict[tuple[str, str, str], str] = {}
        klist = list(keys)
        for i in range(0, len(klist), 500):
            chunk = klist[i : i + 500]
            rows = self.db.execute(f"SELECT key, translation FROM translations WHERE key IN ({','.join('?' * len(chunk))})", chunk)
            for key, translation in rows:
                out[keys[key]] = translation
        return out

    def put_many(self, engine: str, model: str, source: str, target: str, pairs: Iterable[tuple[str, str]]) -> None:
        """Store and commit one batch of (text, translation) answers."""
        now = time.time()
        rows = [(cache_key(engine, model, source, target, x), engine, model, source, target, x, y, now) for x, y in pairs]
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM translations").fetchone()[0]

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
