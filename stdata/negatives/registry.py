"""The registry negative strategies add themselves to (a module of its own to avoid import cycles)."""

from __future__ import annotations

from ..named import NamedRegistry
from .base import NegativeStrategy

NEGATIVES: NamedRegistry[type[NegativeStrategy]] = NamedRegistry("negative strategy")


def register(cls: type[NegativeStrategy]) -> type[NegativeStrategy]:
    """Class decorator: make `cls` selectable as `negatives: <cls.name>` in task.yaml."""
    return NEGATIVES.register(cls.name)(cls)
