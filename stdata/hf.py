"""Quiet, offline-aware setup of the Hugging Face libraries (their progress bars would drown ours)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def quiet_datasets():
    import datasets

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    return datasets
