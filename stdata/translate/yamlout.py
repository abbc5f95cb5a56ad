"""Dump `<lang>.yaml` variant files: stable key order, readable block style.

Why a dumper of its own: translated files are reviewed in pull requests, so a re-run must give
byte-identical output and keys must come in the order docs/templates.md shows. What is dumped is
parsed back and compared first; the caller writes it with `stdata.atomic.write_atomic`, so a crash
never leaves half a file in the registry.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..errors import StdataError
from ..schema import Variant, VariantFile
from ..yamlio import parse_yaml

_VARIANT_KEYS = ("id", "provenance", "origin", "reviewed", "translated_from", "statements", "statement", "notes")


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)  # `  - id:` under `variants:`, as in the docs


def _str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def variant_data(v: Variant, labels: list[str] | None = None) -> dict[str, Any]:
    """A variant as plain data in the documented key order (label statements in task order)."""
    raw = v.model_dump(exclude_none=True)
    out = {k: raw[k] for k in _VARIANT_KEYS if k in raw}
    if "statements" in out and labels:
        order = {lab: i for i, lab in enumerate(labels)}
        out["statements"] = dict(sorted(out["statements"].items(), key=lambda kv: order.get(kv[0], len(order))))
    return out


def dump_variant_file(variants: list[Variant], label_words: dict[str, str] | None, labels: list[str] | None = None) -> str:
    data: dict[str, Any] = {}
    if label_words:
        order = {lab: i for i, lab in enumerate(labels or [])}
        data["label_words"] = dict(sorted(label_words.items(), key=lambda kv: order.get(kv[0], len(order))))
    data["variants"] = [variant_data(v, labels) for v in variants]
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100_000, default_flow_style=False, indent=2)
    back = VariantFile.model_validate(parse_yaml(text).data)
    if back != VariantFile(label_words=label_words or None, variants=variants):  # pragma: no cover - a dumper bug
        raise StdataError("internal error: the variant file does not read back as written")
    return text
