"""Machine translation of statement templates and source data, with placeholders kept by identity.

`stdata translate templates` writes `templates/<task>/<lang>.yaml` variants (provenance
`mt:<engine>`); `stdata translate data` writes a hub-layout mirror of translated rows that a
task's `sources` can point at. docs/translation.md explains both.
"""

from .engines import Engine, EngineError, Limits, make_engine
from .runner import Stats

__all__ = ["Engine", "EngineError", "Limits", "Stats", "make_engine"]
