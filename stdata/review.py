"""`stdata templates diff`: what a change to the registry does, for the pull request that makes it.

The registry at a git ref (the merge base with `--base`, so a branch is compared with where it
started, like `git diff REF...`) is exported with `git archive` into a scratch folder and loaded
next to the working tree's; the files that differ (committed, staged, unstaged or untracked) are
validated, and only those; and every new or changed variant is rendered on the same rows before
and after, so a reviewer reads statements rather than Jinja. `to_markdown` is the body of a PR
comment or a job summary: everything that came from the templates or rows is escaped there.
"""

from __future__ import annotations

import html
import io
import re
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import UsageError
from .problems import errors
from .registry import SOURCE_LANG, TASK_FILE, Registry, TaskEntry, TemplateSet, display_path
from .samples import Rows, RowSource, render_variant
from .schema import Variant


@dataclass(frozen=True)
class Change:
    """One registry file that differs between the base and the working tree."""

    path: str  # relative to the registry root, e.g. "xnli/de.yaml"
    status: str  # added | modified | removed

    @property
    def task(self) -> str:
        return self.path.split("/")[0]

    @property
    def lang(self) -> str | None:
        name = self.path.split("/")[-1]
        return None if name == TASK_FILE else name.rsplit(".", 1)[0]


def _git(args: list[str], cwd: Path, binary: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=not binary, check=False)


def _registry_files(root: Path) -> dict[str, bytes]:
    if not root.is_dir():
        return {}
    out = {}
    for f in sorted(root.glob("*/*.y*ml")):
        if not f.parent.name.startswith((".", "_")) and f.is_file():
            out[f.relative_to(root).as_posix()] = f.read_bytes()
    return out


def export_base(root: Path, ref: str, into: Path) -> tuple[Path, dict[str, str]]:
    """Write the registry as it is at the merge base of `ref` and HEAD under `into`; return it and what was compared."""
    root = Path(root).resolve()
    top = _git(["rev-parse", "--show-toplevel"], root)
    if top.returncode != 0:
        raise UsageError(f"{display_path(root)} is not inside a git repository; `templates diff` compares with a git ref")
    top_dir = Path(top.stdout.strip()).resolve()
    prefix = root.relative_to(top_dir).as_posix()
    commit = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top_dir)
    if commit.returncode != 0:
        raise UsageError(f"unknown git ref {ref!r} (try HEAD, main or origin/main; a shallow clone may need `git fetch`)")
    sha = commit.stdout.strip()
    head = _git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], top_dir).stdout.strip()
    base = sha
    if head and head != sha:
        mb = _git(["merge-base", sha, head], top_dir)
        base = mb.stdout.strip() if mb.returncode == 0 and mb.stdout.strip() else sha
    target = into / "base"
    target.mkdir(parents=True, exist_ok=True)
    spec = base if prefix == "." else f"{base}:{prefix}"
    if _git(["cat-file", "-e", spec], top_dir).returncode == 0:
        tar = _git(["archive", "--format=tar", base, "--", prefix], top_dir, binary=True)
        if tar.returncode != 0:
            raise UsageError(f"git archive {base[:12]} failed: {tar.stderr.decode(errors='replace').strip()[:200]}")
        with tarfile.open(fileobj=io.BytesIO(tar.stdout)) as tf:
            tf.extractall(target, filter="data")  # paths and links checked: nothing lands outside `target`
    return target / prefix, {"ref": ref, "commit": sha, "base": base}


def changed_files(before: Path, after: Path) -> list[Change]:
    old, new = _registry_files(before), _registry_files(after)
    out = []
    for path in sorted(set(old) | set(new)):
        if path not in old:
            out.append(Change(path, "added"))
        elif path not in new:
            out.append(Change(path, "removed"))
        elif old[path] != new[path]:
            out.append(Change(path, "modified"))
    return out


def _load(root: Path, tasks: set[str]) -> Registry:
    """Only the tasks a change touches: a diff of one file should not parse the whole registry."""
    reg = Registry(root)
    for name in sorted(tasks):
        if (root / name).is_dir():
            reg.load_task_dir(root / name)
    return reg


def _variant_status(before: Variant | None, after: Variant | None, words_changed: bool) -> str | None:
    if before is None:
        return "new"
    if after is None:
        return "removed"
    if before.templates != after.templates or (words_changed and after.statement is not None):
        return "changed"
    if before != after:
        return "metadata"  # e.g. reviewed flipped: shown, since a review is the change
    return None


def _file_variants(old: TemplateSet | None, new: TemplateSet | None) -> list[tuple[str, Variant | None, Variant | None, str]]:
    words_changed = (old.file.label_words if old else None) != (new.file.label_words if new else None)
    ids = [v.id for v in (new.variants if new else [])] + [v.id for v in (old.variants if old else []) if not (new and new.variant(v.id))]
    out = []
    for vid in ids:
        b = old.variant(vid) if old else None
        a = new.variant(vid) if new else None
        status = _variant_status(b, a, words_changed)
        if status:
            out.append((vid, b, a, status))
    return out


def _side(task: TaskEntry | None, lang: str, variant: Variant | None, source: RowSource) -> dict[str, Any] | None:
    if task is None or variant is None:
        return None
    rows: Rows = source.rows(task, lang)
    return {"origin": rows.origin, "note": rows.note, "rows": render_variant(task, lang, variant, rows)}


def _stale_by(change_task: TaskEntry | None, old_en: TemplateSet | None, new_en: TemplateSet | None) -> list[dict[str, Any]]:
    """Translations that followed an English variant this change rewrites (they become stale)."""
    if change_task is None or old_en is None or new_en is None:
        return []
    out = []
    for v in old_en.variants:
        now = new_en.variant(v.id)
        if now is None or now.content_hash == v.content_hash:
            continue
        langs = sorted(
            lang
            for lang, ts in change_task.templates.items()
            if lang != SOURCE_LANG
            and (tv := ts.variant(v.id)) is not None
            and tv.translated_from is not None
            and tv.translated_from.hash == v.content_hash
        )
        if langs:
            out.append({"task": change_task.name, "variant": v.id, "langs": langs})
    return out


def diff(root: Path, base: str = "HEAD", data_dir: Path | None = None, rows: int = 3, hub: bool = False) -> dict[str, Any]:
    """Compare the registry at `root` with `base`: changed files, their validation, before/after statements."""
    from .validate import validate_paths

    if rows < 0:
        raise UsageError("--rows must be 0 or more")
    root = Path(root)
    source = RowSource(Path(data_dir) if data_dir else None, hub, rows)
    with tempfile.TemporaryDirectory(prefix="stdata-diff-") as tmp:
        base_root, compared = export_base(root, base, Path(tmp))
        changes = changed_files(base_root, root)
        touched = {c.task for c in changes}
        before, after = _load(base_root, touched), _load(root, touched)
        present = [root / c.path for c in changes if c.status != "removed"]
        problems = validate_paths(present) if present else []
        previews, stale = [], []
        for task_name in sorted(touched):
            tb, ta = before.tasks.get(task_name), after.tasks.get(task_name)
            files = {c.lang for c in changes if c.task == task_name}
            langs = sorted(lang for lang in files if lang is not None)
            if None in files and SOURCE_LANG not in langs:
                langs.insert(0, SOURCE_LANG)  # task.yaml changed: show what the English variants now produce
            for lang in langs:
                old = tb.templates.get(lang) if tb else None
                new = ta.templates.get(lang) if ta else None
                variants = _file_variants(old, new)
                if lang not in files:  # only task.yaml changed: every English variant, before and after
                    variants = [(v.id, old.variant(v.id) if old else None, v, "task changed") for v in (new.variants if new else [])]
                entries = [
                    {
                        "id": vid,
                        "status": status,
                        "provenance": shown.provenance,
                        "reviewed": shown.reviewed,
                        "before": _side(tb, lang, b, source),
                        "after": _side(ta, lang, a, source),
                    }
                    for vid, b, a, status in variants
                    if (shown := a or b) is not None
                ]
                if entries or new is None:
                    previews.append({"task": task_name, "lang": lang, "loaded": new is not None, "variants": entries})
            if SOURCE_LANG in files:
                stale += _stale_by(ta, tb.templates.get(SOURCE_LANG) if tb else None, ta.templates.get(SOURCE_LANG) if ta else None)
    bad = errors(problems)
    return {
        "base": compared,
        "registry": str(root),
        "rows_from": "data dir" if data_dir else ("hub" if hub else "inline examples"),
        "files": [{"path": c.path, "status": c.status, "task": c.task, "lang": c.lang} for c in changes],
        "errors": len(bad),
        "warnings": len(problems) - len(bad),
        "problems": [p.to_dict() for p in problems],
        "stale": stale,
        "previews": previews,
    }


# -- formatting ------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_escape(text: str) -> str:
    """Text from a template or a row, safe inside a Markdown table cell: no markup, links, HTML or mentions."""
    text = html.escape(text, quote=False)
    text = _MD_SPECIAL.sub(r"\\\1", text.replace("@", "&#64;"))
    return " ".join(text.split()) or " "


def _problem_line(p: dict[str, Any]) -> str:
    where = " ".join(f"{k}={p[k]}" for k in ("task", "lang", "variant") if p.get(k))
    return f"{p['file']}:{p['line']}: {p['severity']}[{p['code']}] {where + ': ' if where else ''}{p['message']}"


def to_markdown(report: dict[str, Any]) -> str:
    b = report["base"]
    out = [f"### Template changes against `{md_escape(b['ref'])}` (base {b['base'][:12]})", ""]
    if not report["files"]:
        return "\n".join([*out, "No registry file changed.", ""])
    out += ["| file | change |", "|---|---|"]
    out += [f"| `{md_escape(f['path'])}` | {f['status']} |" for f in report["files"]]
    mark = "❌" if report["errors"] else "✅"
    out += ["", f"**Validation of the changed files:** {mark} {report['errors']} error(s), {report['warnings']} warning(s)", ""]
    for p in report["problems"]:
        out.append(f"- {md_escape(_problem_line(p))}")
    for s in report["stale"]:
        out.append(
            f"- ⚠ English `{md_escape(s['variant'])}` of {md_escape(s['task'])} changed: translations now stale in {', '.join(s['langs'])}"
        )
    for pv in report["previews"]:
        out += ["", f"#### {md_escape(pv['task'])} / {md_escape(pv['lang'])}"]
        if not pv["loaded"]:
            out.append("_This file does not load (see validation above), or was removed._")
        for v in pv["variants"]:
            state = "reviewed" if v["reviewed"] else "not reviewed"
            out += ["", f"**{md_escape(v['id'])}** — {v['status']}; {md_escape(v['provenance'])}, {state}"]
            side = v["after"] or v["before"]
            if side is None:
                continue
            out.append(f"<sub>rows: {md_escape(side['origin'])}{'; ' + md_escape(side['note']) if side['note'] else ''}</sub>")
            out += ["", "| row | | before | after |", "|---|---|---|---|"]
            n = max(len((v["before"] or {}).get("rows", [])), len((v["after"] or {}).get("rows", [])))
            for i in range(n):
                for truth in ("true", "false"):
                    cells = [_cell(v["before"], i, truth), _cell(v["after"], i, truth)]
                    out.append(
                        f"| {i + 1 if truth == 'true' else ''} | {'✔ true' if truth == 'true' else '✘ false'} | {cells[0]} | {cells[1]} |"
                    )
    return "\n".join(out) + "\n"


def _cell(side: dict[str, Any] | None, i: int, truth: str) -> str:
    if side is None or i >= len(side["rows"]):
        return "—"
    row = side["rows"][i]
    if "error" in row:
        return f"⚠ {md_escape(row['error'])}"
    return md_escape(row[truth]) if row[truth] else "—"


def to_text(report: dict[str, Any]) -> str:
    b = report["base"]
    out = [f"registry changes against {b['ref']} (base {b['base'][:12]})"]
    if not report["files"]:
        return out[0] + ": none\n"
    out += [f"  {f['status']:<9} {f['path']}" for f in report["files"]]
    out.append(f"validation of the changed files: {report['errors']} error(s), {report['warnings']} warning(s)")
    out += [f"  {_problem_line(p)}" for p in report["problems"]]
    out += [f"  stale: English {s['variant']} of {s['task']} changed; translations in {', '.join(s['langs'])}" for s in report["stale"]]
    for pv in report["previews"]:
        out.append(f"\n{pv['task']} / {pv['lang']}" + ("" if pv["loaded"] else " (does not load)"))
        for v in pv["variants"]:
            side = v["after"] or v["before"]
            origin = f" — rows: {side['origin']}" + (f" ({side['note']})" if side and side["note"] else "") if side else ""
            out.append(f"  {v['id']} [{v['status']}; {v['provenance']}, {'reviewed' if v['reviewed'] else 'not reviewed'}]{origin}")
            n = max(len((v["before"] or {}).get("rows", [])), len((v["after"] or {}).get("rows", [])))
            for i in range(n):
                for truth in ("true", "false"):
                    for label, s in (("before", v["before"]), ("after", v["after"])):
                        if s is None or i >= len(s["rows"]):
                            continue
                        r = s["rows"][i]
                        text = f"ERROR {r['error']}" if "error" in r else r[truth]
                        out.append(f"    {i + 1} {truth:<5} {label:<6} {text}")
    return "\n".join(out) + "\n"
