"""Negative strategies, registered by name: adding one is one new module in this folder (it
registers itself with `@register`) plus its test; every module here is imported on first use.

See base.py for the contract and docs/templates.md ("Negative strategies") for a worked example.
"""

from __future__ import annotations

import importlib
import pkgutil

from .base import GroupRows, Negative, NegativeStrategy, NoParams
from .registry import NEGATIVES, register

for _info in pkgutil.iter_modules(__path__):
    if _info.name not in ("base", "registry"):
        importlib.import_module(f"{__name__}.{_info.name}")

__all__ = ["NEGATIVES", "GroupRows", "Negative", "NegativeStrategy", "NoParams", "register"]
