"""`stdata templates site`: the static catalog, its escaping, and a real browser (headless Chromium)."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from clirun import run_cli
from conftest import REPO
from test_review import make_repo

FIXTURE_REG = REPO / "tests" / "fixtures" / "registry"
PAYLOAD = "<script>document.body.setAttribute('data-pwned', '1')</script>"
EVIL_VARIANT = f"""  - id: evil
    provenance: human
    statements:
      negative: "{PAYLOAD} {{{{ text }}}} is bad <img src=x onerror=alert(1)>"
      positive: "{PAYLOAD} {{{{ text }}}} is good"
"""
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    pytest.skip("no Chromium installed (Debian: apt-get install chromium); the browser test needs a real browser")


class Text(HTMLParser):
    """The page's text and its element names, as a browser's DOM has them."""

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.ids |= {v for k, v in attrs if k == "id"}

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Text:
    p = Text()
    p.feed(html)
    return p


@pytest.fixture
def evil_registry(tmp_path: Path) -> Path:
    reg = tmp_path / "templates"
    shutil.copytree(FIXTURE_REG, reg)
    en = reg / "senti" / "en.yaml"
    en.write_text(en.read_text() + EVIL_VARIANT)
    return reg


def test_site_pages_escape_everything_from_templates_and_forbid_scripts(evil_registry, tmp_path, monkeypatch, capsys):
    out = tmp_path / "site"
    code, stdout, err = run_cli(["--templates", str(evil_registry), "templates", "site", "--out", str(out), "--json"], monkeypatch, capsys)
    assert code == 0, err
    info = json.loads(stdout)
    assert (
        info["pages"] == ["index.html", "task-mc.html", "task-senti.html", "task-trans.html"] and info["registry"]["why"] == "--templates"
    )
    page = (out / "task-senti.html").read_text()
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;document.body.setAttribute(&#39;data-pwned&#39;, &#39;1&#39;)&lt;/script&gt;" in page
    assert 'http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;' in page  # no script may run
    dom = parse(page)
    assert "script" not in dom.tags and "img" not in dom.tags and any(PAYLOAD in t for t in dom.text)
    index = parse((out / "index.html").read_text())
    assert "matrix" in index.ids and "".join(index.text).count("senti") >= 1
    # a second run replaces the site; a folder that is not a site is never replaced
    assert run_cli(["--templates", str(evil_registry), "templates", "site", "--out", str(out)], monkeypatch, capsys)[0] == 0
    other = tmp_path / "docs"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    code, _, err = run_cli(["--templates", str(evil_registry), "templates", "site", "--out", str(other)], monkeypatch, capsys)
    assert code == 2 and "is not a stdata site" in err and (other / "keep.txt").read_text() == "mine"


def test_site_opens_in_headless_chromium_and_shows_the_script_as_text(evil_registry, tmp_path, monkeypatch, capsys):
    browser = chromium()
    out = tmp_path / "site"
    assert run_cli(["--templates", str(evil_registry), "templates", "site", "--out", str(out)], monkeypatch, capsys)[0] == 0

    def load(page: str) -> Text:
        profile = tmp_path / f"profile-{page}"
        p = subprocess.run(
            [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", (out / page).as_uri()],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert p.returncode == 0 and "<html" in p.stdout, p.stderr[-2000:]
        assert 'data-pwned="1"' not in p.stdout  # the page's DOM after Chromium ran it: no script ever ran
        return parse(p.stdout)

    index = load("index.html")
    assert "matrix" in index.ids and "table" in index.tags
    text = " ".join(index.text)
    assert all(task in text for task in ("mc", "senti", "trans"))
    task = load("task-senti.html")
    assert {"v-a", "v-evil", "v-evil-en"} <= task.ids  # the variants render, one section each
    joined = " ".join(task.text)
    assert 'The review "good film" is positive.' in joined  # a rendered true statement
    assert PAYLOAD in joined and "script" not in task.tags and "img" not in task.tags  # shown as text, not run
    shot = tmp_path / "index.png"
    subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile-shot'}", "--window-size=1200,800",
         f"--screenshot={shot}", (out / "index.html").as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 5000


def test_changed_from_previews_only_what_changed(tmp_path, monkeypatch, capsys):
    repo = make_repo(tmp_path / "clone", FIXTURE_REG)
    monkeypatch.chdir(repo)
    senti = repo / "templates" / "senti" / "en.yaml"
    senti.write_text(senti.read_text().replace("is positive.", "is a <b>positive</b> one."))
    code, out, err = run_cli(
        ["templates", "site", "--out", str(tmp_path / "preview"), "--changed-from", "HEAD", "--json"], monkeypatch, capsys
    )
    assert code == 0, err
    assert json.loads(out)["pages"] == ["changes.html", "index.html", "task-senti.html"]
    changes = (tmp_path / "preview" / "changes.html").read_text()
    dom = parse(changes)
    assert "senti/en.yaml" in " ".join(dom.text) and "b" not in dom.tags
    assert "is a &lt;b&gt;positive&lt;/b&gt; one." in changes and "is positive." in changes  # after and before
    assert "PR preview" in (tmp_path / "preview" / "index.html").read_text()
