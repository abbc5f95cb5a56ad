"""Evaluation speed paths (issue 14): `--quantize int8`, `--threads`, the GPU path's prefetching
(run here on the CPU), the FLOP fraction, and the efficiency table in results.md, results.json and
`stdata eval compare`. No timing is asserted: speed is measured in bench/eval.py."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from clirun import run_cli
from conftest import REPO, SHARED_HUB

from stdata.cpu import INT8, is_int8, physical_cores, quantize_int8, set_threads
from stdata.errors import StdataError
from stdata.evaluate import EvalOptions
from stdata.gpu import UtilSampler, achieved_tflops, peak_tflops
from stdata.model import load_scorer
from stdata.report import compare
from stdata.results import efficiency, load_results

needs_hub = pytest.mark.skipif(not SHARED_HUB.is_dir(), reason="../shared/hub is not present")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    """A tiny BERT whose head is sharpened, so its decisions are not float noise around 0.5."""
    sys.path.insert(0, str(Path(__file__).parent))
    import torch
    from tiny_models import make_tiny_model
    from transformers import AutoModelForSequenceClassification

    path = make_tiny_model(tmp_path_factory.mktemp("tiny") / "bert", "bert", hidden=64, layers=2)
    model = AutoModelForSequenceClassification.from_pretrained(path)
    with torch.no_grad():
        model.classifier.weight.mul_(300)
    model.save_pretrained(path)
    return path


STATEMENTS = [
    f"{a} is the capital of {b}." for a in ("Paris", "Berlin", "Rome", "Madrid") for b in ("France", "Germany", "Italy", "Spain")
] + [f"{a} plus {b} is {c}." for a in ("Two", "Three") for b in ("two", "three") for c in ("four", "five", "six")]


def test_int8_quantizes_the_body_keeps_the_head_float_and_agrees_with_float32(tiny):
    import torch

    fp32 = load_scorer(tiny, device="cpu")
    int8 = load_scorer(tiny, device="cpu")
    int8.model = quantize_int8(int8.model)
    assert is_int8(int8.model) and not is_int8(fp32.model)
    assert isinstance(int8.model.classifier, torch.nn.Linear)  # the head stays float
    kinds = {type(m).__name__ for name, m in int8.model.named_modules() if name.endswith(("query", "intermediate.dense"))}
    assert kinds == {"Linear"} and all(
        type(m).__module__.startswith("torch.ao.nn.quantized.dynamic") for n, m in int8.model.named_modules() if n.endswith("query")
    )
    a, b = fp32.logits(STATEMENTS), int8.logits(STATEMENTS)
    assert not np.array_equal(a, b)  # int8 arithmetic really ran
    same = np.mean(np.argmax(a, axis=1) == np.argmax(b, axis=1))
    assert same >= 0.9, same
    assert np.corrcoef(a[:, 1] - a[:, 0], b[:, 1] - b[:, 0])[0, 1] > 0.95


def test_int8_merges_a_lora_adapter_first_and_refuses_a_4bit_model(tiny):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForSequenceClassification

    peft_model = get_peft_model(
        AutoModelForSequenceClassification.from_pretrained(tiny), LoraConfig(r=2, target_modules=["query", "value"])
    )
    merged = quantize_int8(peft_model)
    assert not hasattr(merged, "peft_config") and is_int8(merged)

    class FourBit:
        is_quantized = True

    with pytest.raises(StdataError, match="already quantized"):
        quantize_int8(FourBit())


def test_gpu_path_prefetching_scores_like_the_cpu_path(tiny):
    """The worker-thread path (default on a GPU) gives the plain path's scores, in input order."""
    plain = load_scorer(tiny, device="cpu")
    ahead = load_scorer(tiny, device="cpu")
    ahead.prefetch = True
    stmts = STATEMENTS * 3 + ["A dog is an animal. " * k for k in range(1, 12)]
    a, b = plain.logits(stmts, batch_size=4), ahead.logits(stmts, batch_size=4)
    np.testing.assert_allclose(a, b, atol=1e-5)
    assert np.array_equal(np.argmax(a, axis=1), np.argmax(b, axis=1))
    assert plain.tokens == ahead.tokens > len(stmts) and ahead.padded_tokens >= ahead.tokens
    ahead.logits(["Ice is cold. " * 200], batch_size=4)  # past the 128-token limit: cut and counted on this path too
    assert ahead.truncated == 1


def test_threads_default_to_the_idle_physical_cores_and_can_be_set(monkeypatch):
    import os

    import torch

    import stdata.cpu as cpu

    before = torch.get_num_threads()
    try:
        assert set_threads(1) == 1 and torch.get_num_threads() == 1
        monkeypatch.setattr(cpu, "physical_cores", lambda: 8)
        monkeypatch.setattr(os, "cpu_count", lambda: 16)
        for load, threads in ((0.0, 8), (4.0, 6), (8.0, 4), (15.0, 1), (40.0, 1)):
            monkeypatch.setattr(os, "getloadavg", lambda load=load: (load, load, load))
            assert cpu.default_threads() == threads, load
        monkeypatch.setattr(os, "getloadavg", lambda: (8.0, 0.0, 0.0))  # the 1-minute average counts
        assert set_threads(None) == 4 and torch.get_num_threads() == 4
    finally:
        torch.set_num_threads(before)
    assert physical_cores() >= 1


def test_flop_fraction_arithmetic_and_peaks():
    assert peak_tflops("NVIDIA H100 80GB HBM3") == 989.0 and peak_tflops("NVIDIA H100 PCIe") == 756.0
    assert peak_tflops("NVIDIA H200") == 989.0 and peak_tflops("Some New Card") is None and peak_tflops(None) is None
    # 11M matmul weights x 1M tokens in 1 s = 22 TFLOP/s
    assert achieved_tflops(11_000_000, 1_000_000, 1.0) == pytest.approx(22.0)
    assert achieved_tflops(1, 0, 1.0) is None and achieved_tflops(1, 5, 0.0) is None
    with UtilSampler("cpu") as u:  # no GPU: nothing sampled, no thread
        pass
    assert u.mean is None


def test_gpu_run_records_utilisation_and_flop_fraction(tiny, monkeypatch):
    """What a CUDA run writes into results.speed.gpu, with the device name faked (no GPU here)."""
    import stdata.gpu as gpu

    scorer = load_scorer(tiny, device="cpu")
    scorer.device = "cuda:0"
    monkeypatch.setattr(gpu, "device_name", lambda device: "NVIDIA H200")
    use = gpu.gpu_use(scorer, tokens=10**10, seconds=1.0, utilisation=60.0)
    params = gpu.matmul_params(scorer.model)
    assert params == sum(
        p.numel() for n, p in scorer.model.named_parameters() if n.endswith(".weight") and p.dim() == 2 and "embeddings" not in n
    )
    assert use is not None and use.name == "NVIDIA H200" and use.utilisation_pct == 60.0 and use.matmul_params == params
    assert use.tflops == round(2 * params * 10**10 / 1e12, 2) and use.peak_tflops == 989.0
    assert use.flop_fraction == round(2 * params * 10**10 / 1e12 / 989.0, 4) > 0
    assert gpu.gpu_use(object(), 8000, 1.0, None) is None  # a test double without a model


# -- the command line: options, results, reports ---------------------------------------------------


def _cli(args, monkeypatch, capsys):
    monkeypatch.setenv("STDATA_TEMPLATES", str(REPO / "templates"))
    return run_cli(args, monkeypatch, capsys)


@pytest.mark.parametrize(
    "extra, match",
    [
        (["--quantize", "int4"], "--quantize must be one of none, int8"),
        (["--quantize", "int8", "--device", "cuda"], "runs on the CPU only"),
        (["--quantize", "int8", "--dtype", "bfloat16"], "quantizes float32 weights"),
        (["--threads", "0"], "--threads must be at least 1"),
        (["--speed-baseline", "/nonexistent/run"], "no results.json"),
    ],
)
def test_bad_speed_options_exit_2_with_one_line(extra, match, tiny, tmp_path, monkeypatch, capsys):
    args = ["eval", "--model", str(tiny), "--tasks", "xcopa", "--langs", "et", "--limit", "2", "--data-dir", str(SHARED_HUB)]
    code, _, err = _cli([*args, "--out", str(tmp_path / "E"), *extra], monkeypatch, capsys)
    assert code == 2 and match in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert not (tmp_path / "E" / "results.json").exists()


def test_options_check_without_the_cli():
    from stdata.errors import UsageError

    with pytest.raises(UsageError, match="--threads"):
        EvalOptions(threads=-1).check()
    EvalOptions(quantize="int8", device="cpu").check()
    from stdata.cpu import check_quantize

    check_quantize("none", "cuda", "bfloat16")  # no GPU here: EvalOptions.check() would refuse --device cuda itself


@needs_hub
def test_int8_run_and_its_float32_baseline_in_results_and_compare(tiny, tmp_path, monkeypatch, capsys):
    args = ["eval", "--model", str(tiny), "--tasks", "xcopa", "--langs", "et,zh", "--limit", "15", "--data-dir", str(SHARED_HUB)]
    code, out, err = _cli([*args, "--out", str(tmp_path / "fp32"), "--threads", "1"], monkeypatch, capsys)
    assert code == 0, err
    code, out, err = _cli(
        [*args, "--out", str(tmp_path / "int8"), "--quantize", "int8", "--speed-baseline", str(tmp_path / "fp32")], monkeypatch, capsys
    )
    assert code == 0, err
    assert "int8-dynamic" in out
    fp32, int8 = load_results(tmp_path / "fp32"), load_results(tmp_path / "int8")
    assert fp32.speed.quantization is None and fp32.speed.threads == 1 and fp32.options["threads"] == 1
    assert int8.speed.quantization == INT8 and int8.options["quantize"] == "int8" and int8.model.device == "cpu"
    assert int8.speed.tokens and int8.speed.padded_tokens >= int8.speed.tokens == fp32.speed.tokens
    assert int8.speed.gpu is None and int8.speed.attention == "sdpa"
    # the efficiency table: this run, then the baseline, in results.json and results.md
    rows = [e.to_dict() for e in int8.efficiency]
    assert [r["run"] for r in rows] == ["this run", f"baseline: {tmp_path / 'fp32'}"]
    assert rows[0]["quantization"] == INT8 and rows[1]["quantization"] is None and rows[1]["threads"] == 1
    assert rows[0]["statements_per_s"] == int8.speed.statements_per_s and rows[1]["examples_per_s"] == fp32.speed.examples_per_s
    assert rows[0]["peak_mib"] == int8.speed.memory.peak_mib and rows[0]["device"] == "cpu" and rows[0]["dtype"] == "float32"
    md = (tmp_path / "int8" / "results.md").read_text()
    table = md.split("## Efficiency", 1)[1].split("\n## ", 1)[0]
    ratio = int8.speed.statements_per_s / fp32.speed.statements_per_s
    assert "| this run |" in table and "| int8-dynamic |" in table and f"{ratio:.2f}x" in table and "× baseline" in table
    assert "| baseline: " in table and "| none |" in table
    assert int8.templates_hash == fp32.templates_hash and int8.speed.examples == fp32.speed.examples  # the same statements
    # compare shows speed beside accuracy, the first run as reference
    cmp = compare([tmp_path / "fp32", tmp_path / "int8"])
    assert [e["run"] for e in cmp["efficiency"]] == ["fp32", "int8"] and cmp["efficiency"][1]["quantization"] == INT8
    code, out, err = _cli(
        ["eval", "compare", str(tmp_path / "fp32"), str(tmp_path / "int8"), "--out", str(tmp_path / "C")], monkeypatch, capsys
    )
    assert code == 0, err
    assert "efficiency" in out and "int8" in out
    assert f"{ratio:.2f}x" in (tmp_path / "C" / "compare.md").read_text()
    assert json.loads((tmp_path / "C" / "compare.json").read_text())["efficiency"][0]["run"] == "fp32"


def test_results_written_before_the_efficiency_table_still_load(tmp_path):
    """results.json files from before issue 14 (no efficiency, no quantization) load, report and compare."""
    from stdata.report import markdown

    data = json.loads((Path(__file__).parent / "data" / "results_v2_before_efficiency.json").read_text())
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "results.json").write_text(json.dumps(data))
    old = load_results(tmp_path / "old")
    assert old.efficiency == [] and old.speed.quantization is None
    row = efficiency(old, "old")
    assert row.statements_per_s == data["speed"]["statements_per_s"] and row.device == data["model"]["device"]
    assert "## Efficiency" in markdown(old)
