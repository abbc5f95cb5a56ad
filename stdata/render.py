"""Compile and render statement templates safely and fast.

Templates are untrusted (they arrive in pull requests). Every template goes through `compile_template`,
which parses it, refuses anything outside a small Jinja subset (no calls, no attribute access, no
loops or assignments, only pure text filters), and only then compiles it in a `SandboxedEnvironment`
with `StrictUndefined` -- so an SSTI payload such as `{{ ''.__class__.__mro__ }}` is refused by the
static check at validation *and* at render, and the sandbox is a second wall behind it.
Compiled templates are cached by their source text, so each is compiled once per process.

A small template can still ask for a lot (`replace` chained to grow a text tenfold per step, brackets
nested a thousand deep), so the limits below are part of the subset: checked when a template is
compiled (validate and build alike) and on every render (docs/templates.md, "Limits").
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from .errors import StdataError

#: Pure, deterministic text filters. `random`, `attr`, `map`, `format`... are refused.
ALLOWED_FILTERS = frozenset({"lower", "upper", "capitalize", "title", "trim", "replace"})
#: Names Jinja gives a meaning of its own (`{{ self }}` renders `<TemplateReference None>`): never a field.
RESERVED_NAMES = frozenset({"self", "super", "loop", "caller", "varargs", "kwargs"})

# -- limits (documented in docs/templates.md) -------------------------------------------------------
#: Characters of one template's source (the longest in the registry has about 250).
MAX_TEMPLATE_CHARS = 4_000
#: Brackets and if-blocks open inside one another.
MAX_NESTING = 16
#: Depth of the parsed template (each chained filter, `and`, `not` is one level deeper).
MAX_DEPTH = 64
#: Characters of one rendered statement, and of any value a filter makes on the way to it.
MAX_STATEMENT_CHARS = 200_000
#: Seconds rendering one statement may take.
MAX_RENDER_SECONDS = 2.0

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


class StatementTooLong(RenderError):
    """A rendering (or a value on the way to it) past MAX_STATEMENT_CHARS: build skips and counts the row."""


_DEADLINE: contextvars.ContextVar[float] = contextvars.ContextVar("stdata_render_deadline", default=float("inf"))


def _too_long(what: str = "renders a text") -> StatementTooLong:
    return StatementTooLong(f"{what} longer than {MAX_STATEMENT_CHARS:,} characters (the limit of one statement)")


def _bounded(value: str) -> str:
    """`value`, unless it is past the length limit or the statement's time is up."""
    if len(value) > MAX_STATEMENT_CHARS:
        raise _too_long()
    if time.monotonic() > _DEADLINE.get():
        raise RenderError(f"rendering took longer than {MAX_RENDER_SECONDS:g} s (the limit per statement)")
    return value


def _limited(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` with the limits applied to its result, and `replace` refused *before* it builds an oversized text."""

    def replace(eval_ctx: Any, s: Any, old: Any, new: Any, count: Any = None) -> Any:
        s, old, new = str(s), str(old), str(new)
        n = s.count(old) if old else len(s) + 1
        if isinstance(count, int) and count >= 0:
            n = min(n, count)
        if len(s) + n * (len(new) - len(old)) > MAX_STATEMENT_CHARS:
            raise _too_long("`replace` would make a text")
        return _bounded(fn(eval_ctx, s, old, new, count))

    def other(*args: Any, **kwargs: Any) -> Any:
        out = fn(*args, **kwargs)
        return _bounded(out) if isinstance(out, str) else out

    wrapper = replace if name == "replace" else other
    if hasattr(fn, "jinja_pass_arg"):  # Jinja passes the eval context (or environment) the way `fn` asks for it
        wrapper.jinja_pass_arg = fn.jinja_pass_arg  # type: ignore[attr-defined]
    return wrapper


def _env() -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.globals.clear()  # no range, lipsum, cycler, joiner, namespace, dict
    env.filters = {name: _limited(name, env.filters[name]) for name in ALLOWED_FILTERS}
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
        if node.name in RESERVED_NAMES:
            raise TemplateProblem(f"name {node.name!r} is reserved by Jinja and is not a field", "unsafe-attribute", line)
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
        token = _DEADLINE.set(time.monotonic() + MAX_RENDER_SECONDS)
        try:  # every filter checks its value against the limits; the output joins at most a template's worth of them
            return _bounded(self._template.render(row)).strip()
        except RenderError:
            raise
        except UndefinedError as e:
            raise RenderError(f"template uses a value the row lacks: {e.message}") from None
        except SecurityError as e:  # unreachable after _check; kept as the second wall
            raise RenderError(f"template refused by the sandbox: {e}") from None
        except Exception as e:
            raise RenderError(f"template failed: {type(e).__name__}: {e}") from None
        finally:
            _DEADLINE.reset(token)


def _nesting_problem(source: str) -> TemplateProblem | None:
    """Brackets and if-blocks nested past MAX_NESTING, found by the lexer (the parser would recurse on them)."""
    depth, after_block_begin = 0, False
    try:
        for line, kind, value in _ENV.lex(source):  # raw tokens: brackets are `operator`s, spaces are tokens too
            if kind == "whitespace":
                continue
            if (kind == "operator" and value in "([{") or (after_block_begin and kind == "name" and value == "if"):
                depth += 1
                if depth > MAX_NESTING:
                    return TemplateProblem(f"brackets or if-blocks nested more than {MAX_NESTING} deep (the limit)", "too-deep", line)
            elif (kind == "operator" and value in ")]}") or (after_block_begin and kind == "name" and value == "endif"):
                depth -= 1
            after_block_begin = kind == "block_begin"
    except TemplateSyntaxError:
        return None  # the parser reports it, with its line
    return None


def _depth(ast: nodes.Node) -> int:
    """Depth of the tree, walked without recursion (a chain of a thousand filters is a thousand deep)."""
    deepest, stack = 0, [(ast, 1)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, d + 1) for child in node.iter_child_nodes())
    return deepest


def _parse(source: str) -> nodes.Template:
    """Parse `source` within the limits: its size, its nesting, its depth."""
    if len(source) > MAX_TEMPLATE_CHARS:
        raise TemplateProblem(f"template is {len(source):,} characters long; the limit is {MAX_TEMPLATE_CHARS:,}", "too-long")
    problem = _nesting_problem(source)
    if problem:
        raise problem
    try:
        ast = _ENV.parse(source)
    except TemplateSyntaxError as e:
        raise TemplateProblem(f"Jinja syntax error: {e.message}", "jinja-syntax", e.lineno or 1) from None
    except RecursionError:  # e.g. `not not not ...` a thousand times: the parser recurses per `not`
        raise TemplateProblem("template nests too deeply to parse", "too-deep") from None
    if _depth(ast) > MAX_DEPTH:
        raise TemplateProblem(f"template nests more than {MAX_DEPTH} levels deep (filters, and/or, not; the limit)", "too-deep")
    return ast


@lru_cache(maxsize=4096)
def compile_template(source: str) -> CompiledTemplate:
    """Parse, check and compile `source` once; raises TemplateProblem if it is unsafe, broken or past a limit."""
    ast = _parse(source)
    _check(ast)
    variables = frozenset(n.name for n in ast.find_all(nodes.Name))
    try:
        compiled = _ENV.from_string(ast)
    except (RecursionError, SyntaxError, MemoryError) as e:  # Python's own limits on the generated code
        raise TemplateProblem(f"template cannot be compiled ({type(e).__name__}); simplify it", "too-deep") from None
    return CompiledTemplate(source, variables, compiled)


def template_text(source: str) -> str:
    """The literal words of a template, placeholders left out (for language identification)."""
    ast = _parse(source)
    return " ".join(" ".join(n.data.split()) for n in ast.find_all(nodes.TemplateData)).strip()


def render(source: str, row: Mapping[str, Any]) -> str:
    """Render `source` on `row` (compiling and checking it on first use)."""
    return compile_template(source).render(row)
