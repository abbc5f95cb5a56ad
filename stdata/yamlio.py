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


#: Limits on a registry file (docs/templates.md, "Limits"): its size, how deep it nests, and how many
#: values it holds once every alias is expanded (a 400-byte alias bomb expands to billions).
MAX_FILE_BYTES = 256 * 1024
MAX_YAML_DEPTH = 32
MAX_YAML_NODES = 50_000

_OPEN = (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken, yaml.BlockSequenceStartToken, yaml.BlockMappingStartToken)
_CLOSE = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken, yaml.BlockEndToken)


def _check_depth(text: str) -> None:
    """Refuse nesting past MAX_YAML_DEPTH from the scanner's tokens, before the (recursive) composer sees it."""
    depth = 0
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        if isinstance(token, _OPEN):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise YamlError(f"nested more than {MAX_YAML_DEPTH} levels deep (the limit)", token.start_mark.line + 1, "too-deep")
        elif isinstance(token, _CLOSE):
            depth -= 1


def _walk(root: yaml.Node, lines: dict[Loc, int]) -> None:
    """Check tags and duplicate keys and record each value's line, following aliases within the limits.

    Iterative (an alias chain can be deeper than the text looks), in document order.
    """
    count = 0
    stack: list[tuple[yaml.Node, Loc, int | None, bool]] = [(root, (), None, True)]  # node, where, line to record, record it
    while stack:
        node, loc, line, record = stack.pop()
        count += 1
        if count > MAX_YAML_NODES or len(loc) > MAX_YAML_DEPTH:
            what = f"more than {MAX_YAML_NODES:,} values" if count > MAX_YAML_NODES else f"nested more than {MAX_YAML_DEPTH} levels deep"
            raise YamlError(f"expands to {what} once aliases are followed (the limit)", node.start_mark.line + 1, "too-large")
        if record:
            lines[loc] = line if line is not None else node.start_mark.line + 1
        if node.tag not in _PLAIN_TAGS:
            raise YamlError(f"tag {node.tag!r} is not allowed", node.start_mark.line + 1, "yaml-tag")
        children: list[tuple[yaml.Node, Loc, int | None, bool]] = []
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise YamlError("mapping keys must be plain scalars", key_node.start_mark.line + 1, "yaml-tag")
                key = key_node.value
                if key in seen:
                    raise YamlError(f"duplicate key {key!r} (first on line {seen[key]})", key_node.start_mark.line + 1, "duplicate-key")
                seen[key] = key_node.start_mark.line + 1
                if key_node.tag not in _PLAIN_TAGS:
                    raise YamlError(f"tag {key_node.tag!r} is not allowed", key_node.start_mark.line + 1, "yaml-tag")
                children.append((value_node, loc + (key,), seen[key], True))
        elif isinstance(node, yaml.SequenceNode):
            children = [(item, loc + (i,), None, True) for i, item in enumerate(node.value)]
        stack.extend(reversed(children))


def load_yaml(path: Path) -> LoadedYaml:
    """Parse `path` as safe YAML, returning the data and a location -> line map."""
    try:
        size = Path(path).stat().st_size
        if size > MAX_FILE_BYTES:
            raise YamlError(f"file is {size:,} bytes; the limit for a registry file is {MAX_FILE_BYTES:,}", 0, "too-large")
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)  # the file may have grown since stat
        if len(raw) > MAX_FILE_BYTES:
            raise YamlError(f"file is over the limit of {MAX_FILE_BYTES:,} bytes for a registry file", 0, "too-large")
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise YamlError(f"not UTF-8 text ({e.reason} at byte {e.start})", 0, "encoding") from None
    except OSError as e:  # a dangling symbolic link, a folder named like a file, no permission
        raise YamlError(f"cannot be read: {e.strerror or type(e).__name__}", 0, "unreadable") from None
    return parse_yaml(text)


def parse_yaml(text: str) -> LoadedYaml:
    if len(text) > MAX_FILE_BYTES:
        raise YamlError(f"text is over the limit of {MAX_FILE_BYTES:,} characters for a registry file", 0, "too-large")
    try:
        _check_depth(text)
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
    _walk(root, lines)
    try:
        data = yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise YamlError(f"invalid YAML: {e.problem or e.context}", mark.line + 1 if mark else 0) from None
    return LoadedYaml(data, lines)
