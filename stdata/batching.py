"""How many statements go through the model at once: fixed, or `auto` -- probed once on the GPU and
halved whenever a batch runs out of memory, so a long evaluation never dies on one big batch."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from .errors import UsageError

AUTO = "auto"
#: `--batch-size auto` never goes above this (bigger batches stop paying off on one GPU).
AUTO_MAX_BATCH = 1024
#: ... nor below / off the GPU: a CPU gains nothing from probing.
DEFAULT_BATCH = 32


def parse_batch_size(value: str | int) -> int | str:
    """`auto` or a positive integer, from the command line."""
    if isinstance(value, int) or value == AUTO:
        return value
    try:
        n = int(value)
    except ValueError:
        raise UsageError(f"--batch-size must be a positive number or 'auto', got {value!r}") from None
    if n < 1:
        raise UsageError(f"--batch-size must be a positive number or 'auto', got {value!r}")
    return n


def is_cuda(scorer: Any) -> bool:
    dev = getattr(scorer, "device", None)
    return dev is not None and str(dev).startswith("cuda")


def _oom(e: BaseException) -> bool:
    return "out of memory" in str(e).lower() or type(e).__name__ == "OutOfMemoryError"


def empty_cache() -> None:
    import torch

    torch.cuda.empty_cache()


def reset_peak() -> None:
    import torch

    torch.cuda.reset_peak_memory_stats()


class Batching:
    """The batch size for the scorer: fixed, or `auto` -- probed once on the GPU, halved on OOM.

    The probe scores the longest statements of the first group at doubling batch sizes up to
    AUTO_MAX_BATCH and keeps the largest that fits; off the GPU throughput hardly depends on the
    batch, so `auto` keeps DEFAULT_BATCH there.
    """

    def __init__(self, option: int | str, scorer: Any, score_kw: dict | None = None):
        self.auto = option == AUTO
        self.size: int | None = None if self.auto else int(option)
        self.scorer = scorer
        self.kw = score_kw or {}
        self.probe_s = 0.0

    def score(self, statements: list[str]) -> np.ndarray:
        if self.size is None:
            t0 = time.perf_counter()
            self.size = self._probe(statements) if is_cuda(self.scorer) else DEFAULT_BATCH
            self.probe_s = time.perf_counter() - t0
            if is_cuda(self.scorer):
                reset_peak()  # the probe's peak is not the run's
        while True:
            try:
                return self.scorer.score(statements, batch_size=self.size, **self.kw)
            except (RuntimeError, MemoryError) as e:
                if not (self.auto and _oom(e) and self.size > 1):
                    raise
                empty_cache()
                self.size //= 2

    def _probe(self, statements: list[str]) -> int:
        longest = sorted(statements, key=len, reverse=True)[:AUTO_MAX_BATCH]
        best, bs = None, DEFAULT_BATCH
        while bs <= AUTO_MAX_BATCH:
            try:
                self.scorer.score((longest * (bs // len(longest) + 1))[:bs], batch_size=bs, **self.kw)
            except (RuntimeError, MemoryError) as e:
                if not _oom(e):
                    raise
                empty_cache()
                break
            best = bs
            if bs >= len(statements):
                break
            bs *= 2
        return best or DEFAULT_BATCH // 2  # halved further on OOM while scoring
