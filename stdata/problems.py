"""One-line reports of what is wrong with a registry file, shared by loading and validation."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal


@dataclass(frozen=True, order=True)
class Problem:
    """A problem at `file:line`, for a task, language and variant where they are known."""

    file: str
    line: int
    severity: Literal["error", "warning"]
    code: str
    message: str
    task: str | None = None
    lang: str | None = None
    variant: str | None = None

    def __str__(self) -> str:
        where = " ".join(f"{k}={v}" for k, v in (("task", self.task), ("lang", self.lang), ("variant", self.variant)) if v)
        return f"{self.file}:{self.line}: {self.severity}[{self.code}] {where + ': ' if where else ''}{self.message}"

    def to_dict(self) -> dict:
        return asdict(self)


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]
