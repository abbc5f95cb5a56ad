"""The registry's data model: what `task.yaml` and `<lang>.yaml` may contain.

Pydantic models with `extra="forbid"` and strict types, so an unknown key or a wrong type in a
contributor's file is rejected (the loader maps pydantic's error location back to a YAML line).
docs/templates.md explains every field with examples.
"""

from __future__ import annotations

import hashlib
import json
import re
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, ValidationError, field_validator, model_validator

from .kinds import CHOICE_SLOT, LABEL_SLOT, Kind, kind_of

if TYPE_CHECKING:
    from .negatives import NegativeStrategy

__all__ = [
    "CHOICE_SLOT",
    "LABEL_SLOT",
    "AlignColumn",
    "Kind",
    "Role",
    "Source",
    "SourceFilters",
    "TaskSpec",
    "TranslatedFrom",
    "Variant",
    "VariantFile",
]

NAME_RE = r"^[a-z][a-z0-9_]*$"
#: kebab-case: lower-case letters and digits in words joined by single hyphens
VARIANT_ID_RE = r"^[a-z0-9]+(-[a-z0-9]+)*$"
PROVENANCE_RE = r"^(human|team-draft|mt:[A-Za-z0-9_.:/\-]+)$"
ORIGIN_RE = r"^[a-z][a-z0-9_\-]*:[A-Za-z0-9_.:/\-]+$"
#: A hub dataset id as the hub allows it: no segment is `.` or `..`, so a mirror path never leaves the mirror.
_HUB_PART = r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]{0,94}[A-Za-z0-9_])?"
HUB_ID = re.compile(rf"^(?!.*(?:\.\.|--)){_HUB_PART}/{_HUB_PART}$")


class Role(str, Enum):
    train = "train"
    eval = "eval"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


ColumnRef = StrictStr | list[StrictStr]


class AlignColumn(_Strict):
    """`align: {column: id}`: the source column (or columns, read together) naming one example in every language."""

    column: ColumnRef


class SourceFilters(_Strict):
    """Rows a source should not contribute, dropped before any statement is made (each reason counted)."""

    #: fewer whitespace-separated words than this in a checked field: dropped (SST-2's "does n't")
    min_words: StrictInt | None = Field(default=None, ge=1)
    #: a checked field longer than this many characters: dropped
    max_chars: StrictInt | None = Field(default=None, ge=1)
    #: fields whose values, repeated exactly from an earlier row, drop the later row
    dedup: list[StrictStr] | None = Field(default=None, min_length=1)
    #: the fields min_words and max_chars look at (default: every text field of the task)
    fields: list[StrictStr] | None = Field(default=None, min_length=1)


class Source(_Strict):
    """Where a task's rows come from, per language: a hub dataset id and its real columns."""

    #: a hub id `org/name` (with --data-dir, the folder `<data-dir>/org/name`, which must stay inside it)
    dataset: StrictStr
    configs: dict[StrictStr, StrictStr] = Field(min_length=1)
    split: StrictStr
    #: canonical field -> source column; a dotted path reaches into structs/lists
    #: (`answers.text.0`); for multiple choice `choices` maps to a list of columns.
    columns: dict[StrictStr, ColumnRef] = Field(min_length=1)
    #: raw label value (a ClassLabel is read as its name; numbers as text) -> canonical label
    #: name (classification) or choice index (multiple choice).
    label_map: dict[StrictStr, StrictStr | StrictInt] | None = None
    license: StrictStr
    #: `mirror` = loaded from ../shared/hub; `card` = checked against the dataset card only.
    verified: Literal["mirror", "card", "no"]
    revision: StrictStr | None = None
    notes: StrictStr | None = None
    #: rows that are translations of each other across languages: `row` (same row order in every
    #: config) or `{column: NAME}`; the train/validation split is then drawn per aligned example.
    align: Literal["row"] | AlignColumn | None = None
    #: named cleaning steps (stdata/preprocess.py), applied in order to every text field
    preprocess: list[StrictStr] = Field(default_factory=list)
    filters: SourceFilters | None = None
    #: classification: the task labels this source can assert (a binary source of a 3-label task);
    #: its false statements use only these labels
    labels: list[StrictStr] | None = Field(default=None, min_length=2)

    @field_validator("preprocess")
    @classmethod
    def _known_steps(cls, v: list[str]) -> list[str]:
        from .errors import UsageError
        from .preprocess import PREPROCESS

        for name in v:
            try:
                PREPROCESS.get(name)
            except UsageError as e:
                raise ValueError(str(e)) from None
        return v

    @field_validator("dataset")
    @classmethod
    def _hub_id(cls, v: str) -> str:
        if not HUB_ID.match(v):
            raise ValueError(
                f"dataset {v!r} is not a hub id org/name (letters, digits, _ . -; no leading or trailing . or -, no .. or --); "
                "a mirror holds it at <data-dir>/org/name"
            )
        return v


class TaskSpec(_Strict):
    """One task: `templates/<name>/task.yaml`."""

    name: StrictStr = Field(pattern=NAME_RE)
    description: StrictStr = Field(min_length=1)
    kind: Kind = Field(strict=False)
    role: Role = Field(strict=False)
    #: text fields a template may use (besides `choice` for multiple choice)
    fields: list[StrictStr] = Field(min_length=1)
    labels: list[StrictStr] | None = None
    #: English words for each label, for variants that use one `statement` with a `{{ label }}`
    #: slot instead of one statement per label (handy for many labels, e.g. 60 intents)
    label_words: dict[StrictStr, StrictStr] | None = None
    #: a registered negative strategy: `name`, or `{strategy: name, <its params>}`; default: the kind's
    negatives: StrictStr | dict[StrictStr, Any] | None = None
    #: pair tasks: the field replaced by another row's value to make a false statement
    partner_field: StrictStr | None = None
    #: pair tasks: rows sharing this field's value are one group and never partner each other
    group_field: StrictStr | None = None
    #: multiple choice: how many candidates every row has
    num_choices: StrictInt | None = Field(default=None, ge=2)
    #: free-form markers; `translation-pairs` marks the tasks `stdata build --no-mt` leaves out
    tags: list[StrictStr] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    #: language (BCP-47) -> why no source lists it: the hub has no usable dataset for this task in
    #: that language (what was searched, what exists but cannot be used). `stdata coverage` shows
    #: the reason per cell, so an empty cell says whether it was researched or simply not listed.
    gaps: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    examples: list[dict[StrictStr, Any]] = Field(min_length=1)

    @field_validator("fields")
    @classmethod
    def _fields_are_names(cls, v: list[str]) -> list[str]:
        for f in v:
            if not re.match(NAME_RE, f):
                raise ValueError(f"field {f!r} is not a lower-case identifier")
            if f in (CHOICE_SLOT, "label", "choices"):
                raise ValueError(f"field {f!r} is reserved")
        if len(set(v)) != len(v):
            raise ValueError("fields repeat")
        return v

    @model_validator(mode="after")
    def _kind_rules(self) -> TaskSpec:
        """Keys that belong to another kind are refused here; each kind checks its own (stdata.kinds)."""
        if self.kind is not Kind.classification and (self.labels or self.label_words):
            raise ValueError(f"labels are only for classification tasks, not {self.kind.value}")
        if self.kind is not Kind.multiple_choice and self.num_choices is not None:
            raise ValueError("num_choices is only for multiple-choice tasks")
        if self.kind is not Kind.classification and any(src.labels for src in self.sources):
            raise ValueError(f"source labels are only for classification tasks, not {self.kind.value}")
        if self.kind is not Kind.pair and (self.partner_field or self.group_field):
            raise ValueError("partner_field and group_field are only for pair tasks")
        problems = kind_of(self.kind).spec_errors(self)
        if problems:
            raise ValueError(problems[0])
        self.negative_strategy()  # an unknown strategy, a wrong kind or bad params fail here
        return self

    def negative_strategy(self) -> tuple[type[NegativeStrategy], BaseModel]:
        """The registered strategy that makes this task's false statements, with its validated parameters."""
        from .errors import UsageError
        from .negatives import NEGATIVES

        spec = self.negatives if self.negatives is not None else kind_of(self.kind).default_negatives
        params = dict(spec) if isinstance(spec, dict) else {"strategy": spec}
        name = params.pop("strategy", None)
        if not isinstance(name, str):
            raise ValueError("negatives: give a strategy name, or a mapping with `strategy: <name>` and its parameters")
        try:
            cls = NEGATIVES.get(name)
        except UsageError as e:
            raise ValueError(f"negatives: {e}") from None
        if self.kind not in cls.kinds:
            fits = ", ".join(sorted(k.value for k in cls.kinds))
            raise ValueError(f"negatives {name!r} does not fit kind {self.kind.value} (it serves {fits})")
        problems = cls.spec_errors(self)
        if problems:
            raise ValueError(f"negatives {name!r}: {problems[0]}")
        try:
            return cls, cls.Params.model_validate(params)
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "params"
            raise ValueError(f"negatives {name!r}: {where}: {first['msg']}") from None

    @model_validator(mode="after")
    def _filters_name_fields(self) -> TaskSpec:
        for src in self.sources:
            f = src.filters
            named = [*(f.fields or []), *(f.dedup or [])] if f else []
            unknown = [n for n in named if n not in self.fields]
            if unknown:
                raise ValueError(f"source {src.dataset}: filters name {unknown}, which are not fields of the task {self.fields}")
        return self

    @model_validator(mode="after")
    def _gaps_are_unlisted(self) -> TaskSpec:
        listed = {lang for src in self.sources for lang in src.configs}
        both = sorted(set(self.gaps) & listed)
        if both:
            raise ValueError(f"gaps {both} are listed by a source too: a language has a source or a gap, not both")
        blank = sorted(lang for lang, reason in self.gaps.items() if not reason.strip())
        if blank:
            raise ValueError(f"gaps {blank} give no reason: say what was searched and why nothing fits")
        return self

    @property
    def row_columns(self) -> tuple[str, ...]:
        """Every canonical column of a row of this task."""
        return kind_of(self.kind).row_columns(self)

    @property
    def template_variables(self) -> frozenset[str]:
        """The names a statement template may use."""
        return frozenset(self.fields) | {self.slot} if self.slot else frozenset(self.fields)

    @property
    def slot(self) -> str | None:
        """The variable a single-`statement` template fills per candidate: a choice or a label."""
        return kind_of(self.kind).slot


class TranslatedFrom(_Strict):
    """Which English variant (and which version of it) a translated variant came from."""

    variant: StrictStr = Field(pattern=VARIANT_ID_RE)
    hash: StrictStr = Field(pattern=r"^sha256:[0-9a-f]{16,64}$")


class Variant(_Strict):
    """One statement template variant. Ids are stable across languages."""

    id: StrictStr = Field(pattern=VARIANT_ID_RE)
    provenance: StrictStr = Field(pattern=PROVENANCE_RE)
    reviewed: StrictBool = False
    translated_from: TranslatedFrom | None = None
    #: classification: one statement per label
    statements: dict[StrictStr, StrictStr] | None = None
    #: multiple choice (uses `{{ choice }}`), pair tasks, and classification with a
    #: `{{ label }}` slot filled from `label_words`: one statement
    statement: StrictStr | None = None
    notes: StrictStr | None = None
    #: where an imported variant came from, `<collection>:<id>` (e.g. `promptsource:<uuid>`), so a
    #: re-import recognises it and a reviewer can look the original up
    origin: StrictStr | None = Field(default=None, pattern=ORIGIN_RE)

    @model_validator(mode="after")
    def _one_form(self) -> Variant:
        if (self.statements is None) == (self.statement is None):
            raise ValueError("give exactly one of `statements` (classification) or `statement`")
        if self.provenance.startswith("mt:") and self.translated_from is None:
            raise ValueError("a machine-translated variant needs translated_from")
        return self

    @property
    def templates(self) -> dict[str, str]:
        """Template sources by slot: label names for classification, `statement` otherwise."""
        if self.statements is not None:
            return dict(self.statements)
        return {"statement": self.statement or ""}

    @property
    def content_hash(self) -> str:
        """Hash of what a translation depends on (the template texts), not of metadata."""
        blob = json.dumps(self.templates, sort_keys=True, ensure_ascii=False).encode()
        return "sha256:" + hashlib.sha256(blob).hexdigest()[:16]


class VariantFile(_Strict):
    """`templates/<task>/<lang>.yaml`: the variants of one task in one language."""

    #: this language's words for the labels of a classification task (the `{{ label }}` slot)
    label_words: dict[StrictStr, StrictStr] | None = None
    variants: list[Variant] = Field(min_length=1)
