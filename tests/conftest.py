"""Shared fixtures: offline hub settings, a toy registry, and the shared mirror location."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Never touch the network: without these, hub calls retry for ~45 s before failing.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="stdata-hf-")
os.environ.pop("STDATA_DATA_DIR", None)
os.environ.pop("STDATA_TEMPLATES", None)

REPO = Path(__file__).resolve().parent.parent
SHARED_HUB = (REPO.parent / "shared" / "hub").resolve()

TOY_TASK = """\
name: toy
description: A toy sentiment task for tests.
kind: classification
role: train
fields: [text]
labels: [negative, positive]
negatives: wrong_label
sources:
  - dataset: stanfordnlp/sst2
    configs: {en: default}
    split: train
    columns: {text: sentence, label: label}
    license: unknown
    verified: mirror
examples:
  - {text: "The film was a joy from start to finish.", label: positive}
  - {text: "A dull, lifeless plot with nothing to say.", label: negative}
"""

TOY_EN = """\
variants:
  - id: opinion
    provenance: human
    reviewed: true
    statements:
      negative: 'The review "{{ text }}" expresses a negative opinion.'
      positive: 'The review "{{ text }}" expresses a positive opinion.'
  - id: writer-feels
    provenance: human
    reviewed: true
    statements:
      negative: 'Whoever wrote "{{ text }}" disliked what they were describing.'
      positive: 'Whoever wrote "{{ text }}" liked what they were describing.'
"""


@pytest.fixture
def toy_registry(tmp_path: Path) -> Path:
    """A registry root holding one valid classification task `toy` with English variants."""
    task = tmp_path / "reg" / "toy"
    task.mkdir(parents=True)
    (task / "task.yaml").write_text(TOY_TASK)
    (task / "en.yaml").write_text(TOY_EN)
    return tmp_path / "reg"


@pytest.fixture
def shared_hub() -> Path:
    if not SHARED_HUB.is_dir():
        pytest.skip("../shared/hub is not present")
    return SHARED_HUB
