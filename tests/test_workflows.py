"""The PR workflow is safe for untrusted pull requests: actionlint and zizmor are clean on it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"


def tool(name: str) -> str:
    """The linter installed with the `test` extra (next to this Python), else on PATH; skip when absent."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return found


def workflow_files() -> list[Path]:
    files = sorted(WORKFLOWS.glob("*.y*ml"))
    assert files, "no workflow files"
    return files


def test_actionlint_is_clean():
    p = subprocess.run([tool("actionlint"), "-no-color", *map(str, workflow_files())], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr


def test_zizmor_is_clean():
    # --offline: the audits that ask GitHub's API (impostor commits, known-vulnerable actions) need a network
    p = subprocess.run([tool("zizmor"), "--offline", "--no-progress", str(WORKFLOWS)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr


def test_templates_workflow_is_least_privilege_and_pinned():
    text = (WORKFLOWS / "templates.yml").read_text()
    wf = yaml.safe_load(text)
    on = wf[True]  # YAML 1.1 reads the key `on` as true
    assert set(on) == {"pull_request"} and "templates/**" in on["pull_request"]["paths"]  # never pull_request_target
    assert wf["permissions"] == {} and all(job["permissions"] == {"contents": "read"} for job in wf["jobs"].values())
    steps = [s for job in wf["jobs"].values() for s in job["steps"]]
    uses = [s["uses"] for s in steps if "uses" in s]
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", u) for u in uses), uses
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["persist-credentials"] is False
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "${{" not in runs  # event data reaches scripts through env, never by template expansion
    assert "stdata templates diff" in runs and "--format md" in runs and "GITHUB_STEP_SUMMARY" in runs
    assert "stdata templates site" in runs and any(u.startswith("actions/upload-artifact@") for u in uses)
