"""Peak memory, as train and eval report it: resident memory of the process on the CPU, memory
allocated by torch on a GPU (the number that decides whether a model and batch fit)."""

from __future__ import annotations

import resource
import sys


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return round(rss / (2**20 if sys.platform == "darwin" else 2**10), 1)


def peak_gpu_mib() -> float:
    import torch

    return round(torch.cuda.max_memory_allocated() / 2**20, 1)


class PeakMemory:
    """Peak memory from construction on: GPU (reset now) when `cuda`, else the process's peak RSS."""

    def __init__(self, cuda: bool):
        self.cuda = cuda
        if cuda:
            import torch

            torch.cuda.reset_peak_memory_stats()

    def peak(self) -> dict[str, float | str]:
        if self.cuda:
            return {"kind": "gpu", "peak_mib": peak_gpu_mib()}
        return {"kind": "cpu-rss", "peak_mib": peak_rss_mib()}


def training_peaks() -> dict[str, float]:
    """Peak RSS and, on a GPU, peak torch allocation (MiB), for the training run record."""
    import torch

    out = {"peak_rss_mb": peak_rss_mib()}
    if torch.cuda.is_available():
        out["peak_gpu_mb"] = peak_gpu_mib()
    return out
