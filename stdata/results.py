"""What `stdata eval` produces: the typed record behind results.json, read by every report.

One declaration of every field (evaluate.py fills it, report.py reads it, `eval compare` loads it
back), so a report can never read a field the evaluation did not write. Accuracies are fractions
in [0, 1]; reports print percentages.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import Field

from .errors import StdataError, UsageError
from .records import Record

FORMAT = "stdata-eval/2"
RESULTS = "results.json"


class SourceRef(Record):
    """The rows a group was scored on."""

    dataset: str
    config: str
    split: str
    rows: int
    fingerprint: str
    skipped: dict[str, int]
    data_path: str | None = None  # the folder read (a mirror's or a --source's), resolved; None: the hub
    revision: str | None = None  # the hub revision asked for; None with a folder, or the hub's current main
    override: str | None = None  # the --source that replaced the registry's dataset, when one did
    available: int | None = None  # usable rows in the split, before --limit


class VariantScore(Record):
    id: str
    hash: str  # content hash of the variant's templates
    correct: int
    accuracy: float


class GroupSpeed(Record):
    statements: int  # rendered (examples x candidates x variants)
    scored: int  # distinct statements actually scored
    render_s: float
    score_s: float
    batch_size: int | None
    tokens: int | None = None  # real tokens of the scored statements (None: a scorer that does not count)
    padded_tokens: int | None = None  # tokens the model ran, padding included


class GroupResult(Record):
    """One (task, language): accuracy per variant, their mean and std, baselines, provenance."""

    task: str
    lang: str
    kind: str
    template_lang: str
    template_hash: str  # what the statements depend on besides the rows: variant texts and label words
    source: SourceRef
    examples: int
    candidates: int
    binary: bool
    gold_counts: dict[str, int]
    skipped_examples: dict[str, int]
    truncated_statements: int
    variants: list[VariantScore]
    mean: float
    std: float  # population std over variants
    baselines: dict[str, float]  # random, majority
    speed: GroupSpeed
    registry: str | None = None  # the task's registry folder (task.yaml and variants), resolved

    @property
    def truncated_share(self) -> float:
        """The share of this cell's distinct statements cut to the model's max length."""
        return self.truncated_statements / self.speed.scored if self.speed.scored else 0.0


class MissingCell(Record):
    """A (task, language) that was asked for but not scored, and why."""

    task: str
    lang: str
    reason: str  # no-source | missing-data | no-rows | no-variant | skipped-rows
    message: str


class TaskSummary(Record):
    languages: list[str]
    mean: float
    std: float | None  # over variants of the language averages, when every language has the same variants
    random: float
    majority: float
    examples: int


class LangSummary(Record):
    mean: float
    tasks: int


class Summary(Record):
    tasks: dict[str, TaskSummary]
    languages: dict[str, LangSummary]
    overall: float | None


class ModelRef(Record):
    path: str
    hash: str | None
    true_index: int | None
    device: str
    dtype: str | None
    max_length: int | None
    train: dict[str, Any] | None  # the tuned model's stdata_model.json, when it has one
    untuned_head: bool = False  # the classification head was not in the checkpoint: drawn at random
    head_seed: int | None = None  # ... from this seed (`--seed`)


class Memory(Record):
    kind: str  # gpu | cpu-rss
    peak_mib: float


class GpuUse(Record):
    """A GPU run against its hardware (stdata/gpu.py): utilisation and the share of the bf16 FLOP peak."""

    name: str | None
    utilisation_pct: float | None  # mean of samples taken while scoring; None where NVML and nvidia-smi are absent
    matmul_params: int  # weights of the Linear layers: 2 x these FLOPs per token
    tflops: float | None  # achieved: 2 x matmul_params x tokens / score seconds
    peak_tflops: float | None  # the card's dense bf16 peak (None: not in stdata.gpu's table)
    flop_fraction: float | None  # tflops / peak_tflops


class RunSpeed(Record):
    examples: int
    statements: int
    scored: int
    score_s: float
    examples_per_s: float | None
    statements_per_s: float | None
    model_load_s: float
    total_s: float
    memory: Memory
    truncated_statements: int
    batch_size: int | None
    threads: int | None
    quantization: str | None = None  # int8-dynamic (--quantize int8), nf4 (a QLoRA model), None: the dtype's weights
    attention: str | None = None  # the attention kernel transformers used: sdpa, eager, ...
    tokens: int | None = None
    padded_tokens: int | None = None
    gpu: GpuUse | None = None  # on a GPU: how close the run came to the hardware


class Efficiency(Record):
    """One row of the paper's efficiency table: how fast and how big a run was, and on what."""

    run: str
    examples_per_s: float | None
    statements_per_s: float | None
    peak_mib: float
    memory: str  # gpu | cpu-rss
    device: str
    dtype: str | None
    quantization: str | None
    threads: int | None
    batch_size: int | None
    flop_fraction: float | None = None


def efficiency(result: EvalResult, run: str) -> Efficiency:
    """The efficiency row of a run (also of results.json files older than the table)."""
    sp, m = result.speed, result.model
    return Efficiency(
        run=run,
        examples_per_s=sp.examples_per_s,
        statements_per_s=sp.statements_per_s,
        peak_mib=sp.memory.peak_mib,
        memory=sp.memory.kind,
        device=(sp.gpu.name or m.device) if sp.gpu else m.device,
        dtype=m.dtype,
        quantization=sp.quantization,
        threads=sp.threads,
        batch_size=sp.batch_size,
        flop_fraction=sp.gpu.flop_fraction if sp.gpu else None,
    )


class EvalResult(Record):
    format: str = FORMAT
    stdata_version: str
    command: str
    model: ModelRef
    options: dict[str, Any]
    templates_hash: str  # over every group's template_hash: equal when the same statements were scored
    groups: list[GroupResult]
    missing: list[MissingCell]
    summary: Summary
    speed: RunSpeed
    files: list[str] = Field(default_factory=list)
    registry: str | None = None  # the template registry's folder, resolved
    baseline: BaselineRun | None = None  # `--baseline untuned`: the same cells scored by the untuned start point
    efficiency: list[Efficiency] = Field(default_factory=list)  # this run, then the --speed-baseline run if given

    def cells(self) -> dict[tuple[str, str], GroupResult]:
        return {(g.task, g.lang): g for g in self.groups}


class BaselineRun(Record):
    """Another model scored on exactly the cells of the run (`--baseline untuned`: the base with a seeded random head)."""

    kind: str  # untuned
    model: ModelRef
    groups: list[GroupResult]
    summary: Summary

    def cells(self) -> dict[tuple[str, str], GroupResult]:
        return {(g.task, g.lang): g for g in self.groups}


def load_results(path: str | Path) -> EvalResult:
    """A run's results.json, given the run folder or the file."""
    p = Path(path)
    f = p / RESULTS if p.is_dir() else p
    if not f.is_file():
        raise UsageError(f"{path}: no {RESULTS} (give an `stdata eval --out` folder or its results.json)")
    try:
        data = json.loads(f.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise StdataError(f"{f}: not readable as JSON: {e}") from None
    if not isinstance(data, dict) or not str(data.get("format", "")).startswith("stdata-eval/"):
        raise StdataError(f"{f}: not an `stdata eval` results file")
    if data["format"] == "stdata-eval/1":  # the one rename since: template_set_hash meant something else in build
        data["templates_hash"] = data.pop("template_set_hash", "")
        data["format"] = FORMAT
    return EvalResult.from_dict(data, str(f))
