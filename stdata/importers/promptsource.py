"""Import promptsource prompts as draft statement variants of a stdata task.

promptsource (bigscience-workshop) holds 2,000+ community prompts as `templates.yaml` files: a Jinja
`input ||| target` per prompt over a dataset's raw columns, with `answer_choices`. A prompt whose
target is `answer_choices[label]` is a statement once input and target are joined: the target
becomes the candidate slot (for classification: one statement per label, with that label's answer
text; for multiple choice: `{{ choice }}`), and the dataset columns become the task's canonical
fields through the task source's `columns`. Everything else (free generation, targets that are not
a choice, choices spelled out in the input, arithmetic, loops) is skipped with one reason each.

Safety: the files are parsed by a restricted YAML loader that turns promptsource's two tags
(`!Template`, `!TemplateMetadata`) into plain mappings and refuses any other tag; the Jinja is only
*parsed* (never rendered) and re-emitted node by node into stdata's sandboxed subset, which
`compile_template` checks again. Imported variants are `provenance: human` (community-written),
`reviewed: false`, with `origin: promptsource:<uuid>`; re-importing skips uuids already present.
Every written file passes `stdata templates validate`: variants that would not are dropped with the
validation message as their reason.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, TemplateSyntaxError, nodes

from .. import languages
from ..atomic import write_atomic
from ..errors import StdataError, UsageError
from ..registry import SOURCE_LANG, TASK_FILE, Registry, TaskEntry, display_path
from ..render import ALLOWED_FILTERS, TemplateProblem, compile_template
from ..schema import VARIANT_ID_RE, Kind, Source, Variant
from ..translate.yamlout import dump_variant_file

ORIGIN = "promptsource"
#: Most rounds of "drop the variants validation blames, validate again" before giving up.
MAX_PASSES = 4


class _Loader(yaml.SafeLoader):
    """SafeLoader plus promptsource's two tags, read as plain mappings (no object is constructed)."""


def _plain_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
    return loader.construct_mapping(node, deep=True)


_Loader.add_constructor("!Template", _plain_mapping)
_Loader.add_constructor("!TemplateMetadata", _plain_mapping)


class Skip(Exception):
    """A prompt that cannot become a statement: `code` is counted, the message is the reason reported."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Prompt:
    uuid: str
    name: str
    jinja: str
    answer_choices: str | None
    original_task: bool | None


def read_templates(path: Path) -> tuple[str, list[Prompt]]:
    """The dataset name (`dataset[/subset]`) and prompts of one promptsource `templates.yaml`."""
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_Loader)  # a SafeLoader subclass: no object tags
    except yaml.YAMLError as e:
        raise UsageError(f"{path}: not a promptsource templates.yaml ({' '.join(str(e).split())[:160]})") from None
    if not isinstance(data, dict) or not isinstance(data.get("templates"), dict):
        raise UsageError(f"{path}: not a promptsource templates.yaml (no `templates:` mapping)")
    name = str(data.get("dataset", ""))
    if data.get("subset"):
        name += f"/{data['subset']}"
    prompts = []
    for key, t in data["templates"].items():
        if not isinstance(t, dict):
            continue
        meta = t.get("metadata")
        meta = meta if isinstance(meta, dict) else {}
        prompts.append(
            Prompt(
                str(t.get("id") or key),
                str(t.get("name") or key),
                str(t.get("jinja") or ""),
                t.get("answer_choices"),
                meta.get("original_task"),
            )
        )
    return name, prompts


def locate(source: str) -> Path:
    """A templates.yaml path, a folder holding one, or a dataset name found in the installed promptsource."""
    p = Path(source)
    if p.is_file():
        return p
    if p.is_dir() and (p / "templates.yaml").is_file():
        return p / "templates.yaml"
    spec = importlib.util.find_spec("promptsource")  # located, never imported (its import pulls in a UI stack)
    if spec is None or not spec.submodule_search_locations:
        raise UsageError(
            f"{source!r} is not a templates.yaml file or folder, and promptsource is not installed to look it up by "
            "dataset name (pip install --no-deps promptsource)"
        )
    for base in spec.submodule_search_locations:
        candidate = Path(base) / "templates" / source / "templates.yaml"
        if candidate.is_file():
            return candidate
    raise UsageError(f"promptsource has no templates for {source!r} (looked in {', '.join(spec.submodule_search_locations)}/templates)")


def _pick_source(task: TaskEntry, dataset: str, wanted: str | None) -> Source:
    sources = task.spec.sources
    if wanted:
        for s in sources:
            if s.dataset == wanted:
                return s
        raise UsageError(f"task {task.name!r} has no source {wanted!r} (has: {', '.join(s.dataset for s in sources) or 'none'})")
    head = dataset.split("/")[0]
    matching = [s for s in sources if s.dataset.split("/")[-1] == head]
    if len(matching) == 1:
        return matching[0]
    if len(sources) == 1:
        return sources[0]
    raise UsageError(
        f"task {task.name!r} has {len(sources)} sources and none is unambiguously {head!r}: pass --source with one of "
        + (", ".join(s.dataset for s in sources) or "(none: add the dataset to task.yaml sources)")
    )


@dataclass
class _Mapping:
    """How promptsource's names become the task's: columns, answer choices, the gold label."""

    task: TaskEntry
    fields: dict[str, str]  # source column -> canonical field
    labels: list[str]  # classification: the task label of answer choice i
    choice_columns: list[str]  # multiple choice: the source column of candidate i
    choice_index: list[int]  # multiple choice: the task's candidate index for raw label i


def _mapping(task: TaskEntry, src: Source, label_names: list[str] | None) -> _Mapping:
    spec = task.spec
    fields = {col: f for f, col in src.columns.items() if f in spec.fields and isinstance(col, str) and "." not in col}
    lm = {str(k): v for k, v in (src.label_map or {}).items()}
    labels: list[str] = []
    choice_index: list[int] = []
    task_labels = list(spec.labels or [])
    if spec.kind is Kind.classification:
        n = len(task_labels)
        if label_names is not None and len(label_names) != n:
            raise UsageError(f"--label-names gives {len(label_names)} names; task {task.name!r} has {n} labels")
        for i in range(n):
            raw = label_names[i] if label_names else str(i)
            value = lm.get(raw, raw)
            if not isinstance(value, str) or value not in task_labels:
                raise UsageError(
                    f"cannot tell which label of {task.name!r} answer choice {i} is: source {src.dataset} maps no raw label {raw!r}; "
                    "pass --label-names with the dataset's label names in index order (e.g. its ClassLabel names)"
                )
            labels.append(value)
    elif spec.kind is Kind.multiple_choice:
        cols = src.columns.get("choices")
        if not isinstance(cols, list):
            raise UsageError(f"source {src.dataset} of {task.name!r} lists no choices columns")
        for k in range(len(cols)):
            idx = lm.get(str(k), k)
            if not isinstance(idx, int) or not 0 <= idx < len(cols):
                raise UsageError(f"source {src.dataset}: raw label {k} maps to {idx!r}, not a choice index")
            choice_index.append(idx)
        return _Mapping(task, fields, labels, list(cols), choice_index)
    else:
        raise UsageError(
            f"task {task.name!r} is a {spec.kind.value} task; promptsource prompts import into classification or multiple-choice tasks"
        )
    return _Mapping(task, fields, labels, [], [])


_COMPARE = {"eq": "==", "ne": "!=", "lt": "<", "gt": ">", "lteq": "<=", "gteq": ">=", "in": "in", "notin": "not in"}
#: What follows `|||` in a prompt that picks an answer: `{{ answer_choices[label] }}`, maybe guarded by
#: `{% if label != -1 %}` and followed by the `{% endif %}`s of blocks the input opened.
_TARGET = re.compile(
    r"^(\{%-?\s*if\s+label\s*!=\s*-1\s*-?%\}\s*)?\{\{-?\s*answer_choices\s*\[\s*label\s*\]\s*-?\}\}(\s*\{%-?\s*endif\s*-?%\})*$"
)


class _Emitter:
    """Re-emit a parsed promptsource template in stdata's subset, with `answer` for answer_choices[label]."""

    def __init__(self, m: _Mapping, answers: list[str], answer: str):
        self.m, self.answers, self.answer = m, answers, answer
        self.used_answer = False

    def template(self, node: nodes.Template) -> str:
        return "".join(self.stmt(n) for n in node.body)

    def stmt(self, node: nodes.Node) -> str:
        if isinstance(node, nodes.Output):
            return "".join(self.output(n) for n in node.nodes)
        if isinstance(node, nodes.If):
            if _is_label_guard(node.test):
                return "".join(self.stmt(n) for n in node.body)  # `{% if label != -1 %}`: rows always have a label
            out = f"{{% if {self.expr(node.test)} %}}" + "".join(self.stmt(n) for n in node.body)
            for elif_ in node.elif_:
                out += f"{{% elif {self.expr(elif_.test)} %}}" + "".join(self.stmt(n) for n in elif_.body)
            if node.else_:
                out += "{% else %}" + "".join(self.stmt(n) for n in node.else_)
            return out + "{% endif %}"
        raise Skip("unsupported-jinja", f"uses a {type(node).__name__.lower()} block")

    def output(self, node: nodes.Node) -> str:
        if isinstance(node, nodes.TemplateData):
            if re.search(r"\{[{%#]", node.data):
                raise Skip("unsupported-jinja", "has literal Jinja delimiters in its text")
            return node.data.replace("|||", " ")  # input and target joined; whitespace is collapsed at the end
        if isinstance(node, nodes.Const) and isinstance(node.value, str):
            return node.value
        if _is_answer(node):
            self.used_answer = True
            return self.answer
        literal = self.literal(node)
        if literal is not None:
            return literal
        return f"{{{{ {self.expr(node)} }}}}"

    def literal(self, node: nodes.Node) -> str | None:
        """answer_choices[i] and answer_choices | join(sep): fixed text for classification."""
        if isinstance(node, nodes.Getitem) and _is_name(node.node, "answer_choices") and isinstance(node.arg, nodes.Const):
            if self.m.task.spec.kind is not Kind.classification:
                raise Skip(
                    "choices-in-input", "names the choices in its input (answer_choices[i]), which a statement has only as {{ choice }}"
                )
            i = node.arg.value
            if not isinstance(i, int) or not -len(self.answers) <= i < len(self.answers):
                raise Skip("unsupported-jinja", f"answer_choices[{i!r}] is out of range")
            return self.answers[i]
        if isinstance(node, nodes.Filter) and node.name == "join" and node.node is not None and _is_name(node.node, "answer_choices"):
            if self.m.task.spec.kind is not Kind.classification:
                raise Skip("choices-in-input", "lists the choices in its input, which a statement has only as {{ choice }}")
            sep = node.args[0].value if node.args and isinstance(node.args[0], nodes.Const) else ""
            return str(sep).join(self.answers)
        return None

    def expr(self, node: nodes.Node) -> str:
        if isinstance(node, nodes.Name):
            if node.name in ("label", "answer_choices"):
                raise Skip(
                    "gives-answer-away", f"uses {node.name!r} outside answer_choices[label] (the statement would give the answer away)"
                )
            if node.name not in self.m.fields:
                raise Skip(
                    "unmapped-column",
                    f"uses column {node.name!r}, which task {self.m.task.name!r} does not map (columns: {', '.join(sorted(self.m.fields))})",
                )
            return self.m.fields[node.name]
        if isinstance(node, nodes.Const):
            if isinstance(node.value, str):
                if '"' in node.value or "\\" in node.value:
                    raise Skip("unsupported-jinja", "has a string constant with quotes or backslashes")
                return f'"{node.value}"'
            if isinstance(node.value, bool) or node.value is None or isinstance(node.value, int | float):
                return repr(node.value).lower() if node.value is None or isinstance(node.value, bool) else repr(node.value)
        if isinstance(node, nodes.Filter) and node.node is not None:
            if node.name not in ALLOWED_FILTERS or node.kwargs or node.dyn_args or node.dyn_kwargs:
                raise Skip("unsupported-jinja", f"uses the filter {node.name!r}")
            args = ", ".join(self.expr(a) for a in node.args)
            return f"{self.expr(node.node)} | {node.name}" + (f"({args})" if node.args else "")
        if isinstance(node, nodes.Compare):
            out = self.expr(node.expr)
            for op in node.ops:
                if op.op not in _COMPARE:
                    raise Skip("unsupported-jinja", f"uses the comparison {op.op!r}")
                out += f" {_COMPARE[op.op]} {self.expr(op.expr)}"
            return out
        if isinstance(node, nodes.And | nodes.Or):
            word = "and" if isinstance(node, nodes.And) else "or"
            return f"({self.expr(node.left)} {word} {self.expr(node.right)})"
        if isinstance(node, nodes.Not):
            return f"not ({self.expr(node.node)})"
        if isinstance(node, nodes.Concat):
            return " ~ ".join(self.expr(n) for n in node.nodes)
        if isinstance(node, nodes.CondExpr) and node.expr2 is not None:
            return f"({self.expr(node.expr1)} if {self.expr(node.test)} else {self.expr(node.expr2)})"
        raise Skip("unsupported-jinja", f"uses {_describe(node)}")


def _describe(node: nodes.Node) -> str:
    if isinstance(node, nodes.Call):
        return "a function call"
    if isinstance(node, nodes.Getattr):
        return f"attribute access (.{node.attr})"
    if isinstance(node, nodes.Getitem):
        return "indexing (x[...])"
    if isinstance(node, nodes.BinExpr | nodes.UnaryExpr):
        return "arithmetic"
    return f"a {type(node).__name__.lower()} expression"


def _is_name(node: nodes.Node, name: str) -> bool:
    return isinstance(node, nodes.Name) and node.name == name


def _is_answer(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Getitem) and _is_name(node.node, "answer_choices") and _is_name(node.arg, "label")


def _is_label_guard(test: nodes.Node) -> bool:
    """`label != -1` (promptsource's "row has a gold label")."""
    if not (isinstance(test, nodes.Compare) and _is_name(test.expr, "label") and len(test.ops) == 1 and test.ops[0].op == "ne"):
        return False
    rhs = test.ops[0].expr
    if isinstance(rhs, nodes.Neg) and isinstance(rhs.node, nodes.Const):
        return rhs.node.value == 1
    return isinstance(rhs, nodes.Const) and rhs.value == -1


_PARSER = Environment()  # parses only; nothing from a prompt is ever rendered by it


def convert(prompt: Prompt, m: _Mapping) -> dict[str, str]:
    """The variant's templates (label -> source, or {"statement": source}); raises Skip with the reason."""
    if prompt.original_task is False:
        raise Skip("not-original-task", "not the dataset's original task (metadata.original_task: false)")
    if not prompt.answer_choices or not str(prompt.answer_choices).strip():
        raise Skip("free-generation", "free generation: no answer_choices")
    parts = prompt.jinja.split("|||")
    if len(parts) != 2:
        raise Skip("no-target", "no single input ||| target split" if len(parts) < 2 else "more than one ||| in the prompt")
    if not _TARGET.match(parts[1].strip()):
        raise Skip("target-not-a-choice", f"the target is not answer_choices[label]: {' '.join(parts[1].split())[:60]!r}")
    answers = [a.strip() for a in str(prompt.answer_choices).split("|||")]
    spec = m.task.spec
    want = len(m.labels) if spec.kind is Kind.classification else len(m.choice_columns)
    if len(answers) != want:
        raise Skip(
            "choice-count",
            f"{len(answers)} answer choices, the task has {want} {'labels' if spec.kind is Kind.classification else 'choices'}",
        )
    try:
        ast = _PARSER.parse(prompt.jinja)
    except TemplateSyntaxError as e:
        raise Skip("unsupported-jinja", f"Jinja syntax error: {e.message}") from None
    if spec.kind is Kind.multiple_choice:
        for raw, answer in enumerate(answers):
            col = m.choice_columns[m.choice_index[raw]]
            if re.sub(r"\s+", "", answer) != f"{{{{{col}}}}}":
                raise Skip("target-not-a-choice", f"answer choice {raw} is {answer!r}, not the choice column {{{{ {col} }}}}")
        return {"statement": _emit(ast, m, answers, "{{ choice }}")}
    for a in answers:
        if re.search(r"\{[{%#]", a):
            raise Skip("target-not-a-choice", "its answer choices are templates, not fixed words")
    by_label = {}
    for i, label in enumerate(m.labels):
        by_label[label] = _emit(ast, m, answers, answers[i])
    return {lab: by_label[lab] for lab in spec.labels or []}


def _emit(ast: nodes.Template, m: _Mapping, answers: list[str], answer: str) -> str:
    e = _Emitter(m, answers, answer)
    text = e.template(ast)
    if not e.used_answer:
        raise Skip("target-not-a-choice", "the answer is not in the prompt's text")
    text = re.sub(r"[ \t\r\n]+", " ", text).strip()
    try:
        compile_template(text)
    except TemplateProblem as err:
        raise Skip("unsafe-template", f"not a safe statement template: [{err.code}] {err.message}") from None
    return text


def _slug(name: str, uuid: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or f"ps-{uuid[:8]}"
    if not re.match(VARIANT_ID_RE, base):
        base = f"ps-{base}"
    vid = base if base not in taken else f"{base}-{uuid[:8]}"
    taken.add(vid)
    return vid


def _validate(task: TaskEntry, lang: str, text: str) -> list[Any]:
    """Errors of the prospective `<lang>.yaml`, in a scratch copy of the task folder."""
    from ..problems import errors
    from ..validate import validate_paths

    with tempfile.TemporaryDirectory(prefix="stdata-import-") as tmp:
        scratch = Path(tmp) / task.name
        scratch.mkdir()
        shutil.copy2(task.path, scratch / TASK_FILE)
        en = task.dir / f"{SOURCE_LANG}.yaml"
        if lang != SOURCE_LANG and en.exists():
            shutil.copy2(en, scratch / en.name)
        (scratch / f"{lang}.yaml").write_text(text, encoding="utf-8")
        return errors(validate_paths([scratch / f"{lang}.yaml"]))


def import_promptsource(
    reg: Registry,
    source: str,
    task: str,
    lang: str = SOURCE_LANG,
    label_names: str | None = None,
    dataset_source: str | None = None,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Import the prompts of `source` into `<task>/<lang>.yaml`; return the per-prompt report."""
    t = reg.task(task)
    tag = languages.require(lang, reg.languages())
    path = locate(source)
    dataset, prompts = read_templates(path)
    src = _pick_source(t, dataset, dataset_source)
    names = [n.strip() for n in label_names.split(",")] if label_names else None
    m = _mapping(t, src, names)
    existing = t.templates.get(tag)
    old = list(existing.variants) if existing else []
    have = {v.origin: v.id for v in old if v.origin}
    taken = {v.id for v in old}
    seen: dict[str, str] = {}
    new: dict[str, tuple[Prompt, Variant]] = {}
    skipped: list[dict[str, str]] = []
    for p in prompts:
        origin = f"{ORIGIN}:{p.uuid}"
        try:
            if origin in have:
                raise Skip("already-imported", f"already imported as {have[origin]}")
            templates = convert(p, m)
            key = repr(sorted(templates.items()))
            if key in seen:
                raise Skip("duplicate", f"the same statements as {seen[key]}")
        except Skip as e:
            skipped.append({"uuid": p.uuid, "name": p.name, "code": e.code, "reason": str(e)})
            continue
        vid = _slug(p.name, p.uuid, taken)
        seen[key] = vid
        fields: dict[str, Any] = {"statement": templates["statement"]} if "statement" in templates else {"statements": templates}
        variant = Variant(id=vid, provenance="human", origin=origin, reviewed=False, notes=f"promptsource {dataset}: {p.name}", **fields)
        new[vid] = (p, variant)
    text = None
    for _ in range(MAX_PASSES):
        if not new:
            break
        text = dump_variant_file(
            old + [v for _, v in new.values()], existing.file.label_words if existing else None, list(t.spec.labels or [])
        )
        blamed = {p.variant: p for p in _validate(t, tag, text) if p.variant in new}
        if not blamed:
            break
        for vid, problem in blamed.items():
            prompt, _ = new.pop(vid)
            skipped.append(
                {"uuid": prompt.uuid, "name": prompt.name, "code": "fails-validation", "reason": f"[{problem.code}] {problem.message}"}
            )
        text = None
    else:
        raise StdataError(f"the imported variants still fail validation after {MAX_PASSES} passes; nothing was written")
    target = t.dir / f"{tag}.yaml"
    if text is not None and not dry_run:
        write_atomic(target, text)
    reasons = Counter(s["code"] for s in skipped)
    return {
        "source": str(path),
        "dataset": dataset,
        "task": t.name,
        "lang": tag,
        "file": display_path(target),
        "written": text is not None and not dry_run,
        "imported": [{"uuid": p.uuid, "name": p.name, "id": vid} for vid, (p, _) in new.items()],
        "skipped": skipped,
        "counts": {"prompts": len(prompts), "imported": len(new), "skipped": len(skipped), "reasons": dict(sorted(reasons.items()))},
    }
