"""Base of the typed records that cross module boundaries and land in JSON files.

Manifest (corpus.py), GroupOutcome (build.py), EvalResult (results.py) and ModelInfo (model.py)
are pydantic models: one declaration gives the field names, their types and their meaning, and
`from_dict` turns a hand-edited or crafted file into one clear error instead of a KeyError deep
inside a report.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import StdataError


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data, fields in declaration order."""
        return self.model_dump(mode="json")

    @classmethod
    def from_dict(cls, data: Any, where: str = "") -> Self:
        """Validate `data` (e.g. a JSON file's content); a problem is one line naming the field."""
        try:
            return cls.model_validate(data)
        except ValidationError as e:
            first = e.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "(top level)"
            more = f" (and {e.error_count() - 1} more)" if e.error_count() > 1 else ""
            raise StdataError(f"{where or cls.__name__}: {field}: {first['msg']}{more}") from None
