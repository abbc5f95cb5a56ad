"""Safe YAML loading that remembers where every value came from.

Registry files come from pull requests, so they are parsed with the safe loader only (no object
tags), duplicate keys are refused (PyYAML silently keeps the last), and every value's line is
kept so a schema error can name `file:line`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Loc = tuple  # a path into the document: keys and list indices

#: Tags the safe loader resolves to plain data; anything else (`!!python/...`, custom) is refused.
_PLAIN_TAGS = {"tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "binary")}


class YamlError(Exception):
    """A file that is not safe, well-formed YAML; `line` is 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int = 0, code: str = "yaml-syntax"):
        super().__init__(message)
        self.message = message
        self.line = line
        self.code = code


@dataclass
class LoadedYaml:
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)

    def line_of(self, loc: Loc) -> int:
        """The line of the deepest known prefix of `loc` (pydantic locations can go deeper)."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), 1)


def _walk(node: yaml.Node, loc: Loc, lines: dict[Loc, int]) -> None:
    lines[loc] = node.start_mark.line + 1
    if node.tag not in _PLAIN_TAGS:
        raise YamlError(f"tag {node.tag!r} is not allowed", node.start_mark.line + 1, "yaml-tag")
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError("mapping keys must be plain scalars", key_node.start_mark.line + 1, "yaml-tag")
            key = key_node.value
            if key in seen:
                raise YamlError(f"duplicate key {key!r} (first on line {seen[key]})", key_node.start_mark.line + 1, "duplicate-key")
            seen[key] = key_node.start_mark.line + 1
            _walk(key_node, loc + ("<key>",), {})
            _walk(value_node, loc + (key,), lines)
            lines[loc + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, loc + (i,), lines)


def load_yaml(path: Path) -> LoadedYaml:
    """Parse `path` as safe YAML, returning the data and a location -> line map."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise YamlError(f"not UTF-8 text ({e.reason} at byte {e.start})", 0, "encoding") from None
    return parse_yaml(text)


def parse_yaml(text: str) -> LoadedYaml:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 0
        raise YamlError(f"invalid YAML: {e.problem or e.context}", line) from None
    except yaml.YAMLError as e:  # pragma: no cover - every PyYAML parse error is marked
        raise YamlError(f"invalid YAML: {e}") from None
    if root is None:
        return LoadedYaml(None, {(): 1})
    lines: dict[Loc, int] = {}
    _walk(root, (), lines)
    try:
        data = yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise YamlError(f"invalid YAML: {e.problem or e.context}", mark.line + 1 if mark else 0) from None
    return LoadedYaml(data, lines)
