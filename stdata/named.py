"""A registry of things chosen by name in YAML or on the command line (negative strategies,
translation engines), as lm-evaluation-harness registers its tasks and metrics.

Why: a new strategy or engine is one new module that registers itself; nothing else is edited,
and an unknown name gets the same one-line "did you mean" error everywhere.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from .errors import UsageError

T = TypeVar("T")


class NamedRegistry(Generic[T]):
    """Name -> object; `register` is a decorator, `get` fails with a suggestion."""

    def __init__(self, what: str):
        self.what = what
        self._items: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        def add(obj: T) -> T:
            if name in self._items and self._items[name] is not obj:
                raise ValueError(f"{self.what} {name!r} is registered twice")
            self._items[name] = obj
            return obj

        return add

    def get(self, name: str) -> T:
        if name not in self._items:
            close = difflib.get_close_matches(name, list(self._items), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(self.names())})"
            raise UsageError(f"unknown {self.what} {name!r}{hint}")
        return self._items[name]

    def names(self) -> list[str]:
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())
