"""Task kinds: one class per kind, each in its own module (see base.py for the contract)."""

from __future__ import annotations

from .base import CHOICE_SLOT, LABEL_SLOT, Finding, Kind, TaskKind
from .classification import Classification
from .multiple_choice import MultipleChoice
from .pair import PARTNER, Pair

KINDS: dict[Kind, TaskKind] = {k.kind: k for k in (Classification(), MultipleChoice(), Pair())}


def kind_of(kind: Kind) -> TaskKind:
    """The behaviour of `kind`."""
    return KINDS[kind]


__all__ = ["CHOICE_SLOT", "KINDS", "LABEL_SLOT", "PARTNER", "Finding", "Kind", "TaskKind", "kind_of"]
