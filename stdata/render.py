"""Compile and render statement templates safely and fast.

Templates are untrusted (they arrive in pull requests). Every template goes through `compile_template`,
which parses it, refuses anything outside a small Jinja subset (no calls, no attribute access, no
loops or assignments, only pure text filters), and only then compiles it in a `SandboxedEnvironment`
with `StrictUndefined` -- so an SSTI payload such as `{{ ''.__class__.__mro__ }}` is refused by the
static check at validation *and* at render, and the sandbox is a second wall behind it.
Compiled templates are cached by their source text, so each is compiled once per process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from .errors import StdataError

#: Pure, deterministic text filters. `random`, `attr`, `map`, `format`... are refused.
ALLOWED_FILTERS = frozenset({"lower", "upper", "capitalize", "title", "trim", "replace"})

#: AST nodes a statement template may contain.
_ALLOWED_NODES = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const, nodes.Filter,
    nodes.If, nodes.Compare, nodes.Operand, nodes.And, nodes.Or, nodes.Not, nodes.CondExpr,
    nodes.Concat,
)  # fmt: skip


class TemplateProblem(StdataError):
    """A template that cannot be used; `code` names the kind of problem, `line` is 1-based."""

    def __init__(self, message: str, code: str, line: int = 1):
        super().__init__(message)
        self.message = message
        self.code = code
        self.line = line


class RenderError(StdataError):
    """A valid template that failed on a particular row (e.g. a missing field)."""


def _env() -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.globals.clear()  # no range, lipsum, cycler, joiner, namespace, dict
    env.filters = {name: env.filters[name] for name in ALLOWED_FILTERS}
    env.tests = {name: env.tests[name] for name in ("defined", "undefined", "none", "eq", "ne", "in")}
    return env


_ENV = _env()


def _check(node: nodes.Node) -> None:
    """Refuse every construct outside the statement subset, naming what and where."""
    line = getattr(node, "lineno", 1) or 1
    if isinstance(node, (nodes.Getattr, nodes.Getitem)):
        what = node.attr if isinstance(node, nodes.Getattr) else "[...]"
        raise TemplateProblem(f"attribute or item access ({what!r}) is not allowed in templates", "unsafe-attribute", line)
    if isinstance(node, nodes.Call):
        name = node.node.name if isinstance(node.node, nodes.Name) else "a method"
        raise TemplateProblem(f"calls are not allowed in templates (calling {name})", "unsafe-call", line)
    if isinstance(node, nodes.Filter):
        if node.name not in ALLOWED_FILTERS:
            raise TemplateProblem(
                f"filter {node.name!r} is not allowed (allowed: {', '.join(sorted(ALLOWED_FILTERS))})",
                "unsafe-filter",
                line,
            )
    elif isinstance(node, nodes.Name):
        if node.ctx != "load" or node.name.startswith("_"):
            raise TemplateProblem(f"name {node.name!r} is not allowed", "unsafe-attribute", line)
    elif not isinstance(node, _ALLOWED_NODES):
        what = "block" if isinstance(node, nodes.Stmt) else "expression"
        raise TemplateProblem(
            f"{type(node).__name__.lower()} {what}s are not allowed in statement templates (use {{{{ field }}}}, text filters and if/else)",
            "unsafe-node",
            line,
        )
    for child in node.iter_child_nodes():
        _check(child)


@dataclass(frozen=True)
class CompiledTemplate:
    source: str
    variables: frozenset[str]
    _template: Any

    def render(self, row: Mapping[str, Any]) -> str:
        try:
            return self._template.render(row).strip()
        except UndefinedError as e:
            raise RenderError(f"template uses a value the row lacks: {e.message}") from None
        except SecurityError as e:  # unreachable after _check; kept as the second wall
            raise RenderError(f"template refused by the sandbox: {e}") from None
        except Exception as e:
            raise RenderError(f"template failed: {type(e).__name__}: {e}") from None


@lru_cache(maxsize=4096)
def compile_template(source: str) -> CompiledTemplate:
    """Parse, check and compile `source` once; raises TemplateProblem if it is unsafe or broken."""
    try:
        ast = _ENV.parse(source)
    except TemplateSyntaxError as e:
        raise TemplateProblem(f"Jinja syntax error: {e.message}", "jinja-syntax", e.lineno or 1) from None
    _check(ast)
    variables = frozenset(n.name for n in ast.find_all(nodes.Name))
    return CompiledTemplate(source, variables, _ENV.from_string(ast))


def template_text(source: str) -> str:
    """The literal words of a template, placeholders left out (for language identification)."""
    ast = _ENV.parse(source)
    return " ".join(" ".join(n.data.split()) for n in ast.find_all(nodes.TemplateData)).strip()


def render(source: str, row: Mapping[str, Any]) -> str:
    """Render `source` on `row` (compiling and checking it on first use)."""
    return compile_template(source).render(row)
