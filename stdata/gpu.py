"""How close a GPU run comes to the hardware: utilisation sampled while scoring, and the fraction of
the FLOP-bound limit reached.

An encoder forward costs about 2 x (matmul parameters) FLOPs per token (the attention scores add a
few percent at evaluation lengths and are left out), so `2 * params * tokens / seconds` over the
card's dense bf16 peak says how much of the GPU a run used; utilisation only says that *some*
kernel was running. Peaks are the vendors' dense (no sparsity) bf16 tensor-core numbers.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from typing import Any

from .results import GpuUse

#: Dense bf16 tensor-core peak in TFLOP/s by a fragment of torch.cuda.get_device_name() (first match wins).
PEAK_BF16_TFLOPS = (
    ("H200", 989.0),
    ("H100 PCIe", 756.0),
    ("H100", 989.0),
    ("GH200", 989.0),
    ("B200", 2250.0),
    ("A100", 312.0),
    ("L40S", 362.0),
    ("L4", 121.0),
    ("A10G", 70.0),
    ("A10", 125.0),
    ("4090", 165.0),
    ("3090", 71.0),
    ("V100", 125.0),  # fp16: V100 has no bf16
    ("T4", 65.0),  # fp16
)


def peak_tflops(device_name: str | None) -> float | None:
    """The card's dense bf16 peak (TFLOP/s), or None for a card not in the table."""
    for fragment, peak in PEAK_BF16_TFLOPS:
        if device_name and fragment in device_name:
            return peak
    return None


def matmul_params(model: Any) -> int:
    """Weights that take part in matrix products: every Linear layer (embeddings are lookups)."""
    import torch

    return sum(m.weight.numel() for m in model.modules() if isinstance(m, torch.nn.Linear))


def achieved_tflops(params: int, tokens: int | None, seconds: float) -> float | None:
    """2 x params x tokens / seconds, in TFLOP/s: divided by the peak, the share of the FLOP-bound limit reached."""
    if not tokens or seconds <= 0:
        return None
    return 2 * params * tokens / seconds / 1e12


def gpu_use(scorer: Any, tokens: int | None, seconds: float, utilisation: float | None) -> GpuUse | None:
    """What results.json records of a GPU run: utilisation, achieved TFLOP/s and their share of the peak.

    None for a scorer without a torch model (a test double).
    """
    model = getattr(scorer, "model", None)
    if model is None:
        return None
    name = device_name(str(scorer.device))
    params, peak = matmul_params(model), peak_tflops(name)
    tflops = achieved_tflops(params, tokens, seconds)
    return GpuUse(
        name=name,
        utilisation_pct=utilisation,
        matmul_params=params,
        tflops=round(tflops, 2) if tflops is not None else None,
        peak_tflops=peak,
        flop_fraction=round(tflops / peak, 4) if tflops is not None and peak else None,
    )


def device_name(device: str) -> str | None:
    import torch

    if not str(device).startswith("cuda") or not torch.cuda.is_available():
        return None
    return torch.cuda.get_device_name(torch.device(device))


class UtilSampler:
    """Mean GPU utilisation (%) while the `with` block runs, sampled every `every` seconds.

    NVML through torch.cuda.utilization (needs the nvidia-ml-py package), else `nvidia-smi`; None
    when neither answers. On the CPU it does nothing.
    """

    def __init__(self, device: str, every: float = 0.1):
        self.device, self.every = str(device), every
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._read = self._reader() if self.device.startswith("cuda") else None

    def _reader(self):
        import torch

        index = torch.device(self.device).index or 0
        try:
            torch.cuda.utilization(index)
            return lambda: float(torch.cuda.utilization(index))
        except Exception:
            pass
        smi = shutil.which("nvidia-smi")
        if smi is None:
            return None
        cmd = [smi, f"--id={index}", "--query-gpu=utilization.gpu", "--format=csv,noheader,nounits"]
        return lambda: float(subprocess.run(cmd, capture_output=True, text=True, timeout=5).stdout.strip())

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.samples.append(self._read())  # type: ignore[misc]
            except Exception:
                return

    def __enter__(self) -> UtilSampler:
        if self._read is not None:
            self._thread = threading.Thread(target=self._loop, name="stdata-gpu-util", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    @property
    def mean(self) -> float | None:
        return round(sum(self.samples) / len(self.samples), 1) if self.samples else None
