"""Worker processes that die with their parent.

A pool worker outlives a parent killed with SIGKILL (nothing runs in the parent to stop it): it
is re-parented to init and keeps its memory until it finishes or is found. `die_with_parent` is a
pool initializer that prevents that, two ways:

- Linux: `prctl(PR_SET_PDEATHSIG, SIGKILL)` -- the kernel kills the worker the moment the parent
  dies (strictly: when the parent thread that started it exits; pools start workers from the
  thread that submits, which waits on them);
- every POSIX system (Linux too, as a second line; macOS, the BSDs): a daemon thread that
  exits the worker with `os._exit` within `poll_s` seconds once its parent pid changes.

Windows is not supported (the build's worker pool uses `fork`, which Windows lacks).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent_pid: int, poll_s: float = 0.5) -> None:
    """Make this (worker) process end when the process `parent_pid` dies."""
    if sys.platform.startswith("linux"):
        _pdeathsig(signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before we were set up
        os._exit(1)
    threading.Thread(target=_watch, args=(parent_pid, poll_s), name="stdata-parent-watch", daemon=True).start()


def _pdeathsig(sig: int) -> bool:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):  # no libc or no prctl: the watchdog still works
        return False


def _watch(parent_pid: int, poll_s: float) -> None:
    while os.getppid() == parent_pid:
        time.sleep(poll_s)
    os._exit(1)
