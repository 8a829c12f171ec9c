"""Quality checks in a pool of processes, overlapped with translation.

langdetect is pure Python and costs about 1.7 ms a record here, which caps a build at roughly 600
records/s on one core while a GPU translates thousands of segments a second. A :class:`CheckPool`
scores a chunk's records in worker processes while the driver translates the next chunk. langdetect is
seeded on every call, so the scores are the same in any process: a pooled build writes the same bytes.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from xprep.errors import InputError
from xprep.quality.checks import score_many
from xprep.records import Record


class CheckPool:
    """A scorer (see :data:`xprep.stages.Scorer`) backed by ``workers`` spawned processes."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        # spawn, not fork: the parent runs CTranslate2's threads, and forking a threaded process is unsafe
        self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))

    def __call__(self, pairs: list[tuple[Record, Record]], names: list[str]) -> Callable[[], list[dict[str, Any]]]:
        if not pairs or not names:
            return lambda: [{} for _ in pairs]
        size = max(1, -(-len(pairs) // (2 * self.workers)))
        futures = [self._pool.submit(score_many, pairs[i : i + size], names) for i in range(0, len(pairs), size)]
        return lambda: [value for f in futures for value in f.result()]

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)


def check_workers(value: str, device: str) -> int:
    """``--check-workers``: a number, or ``auto`` (on CUDA the CPU is free: min(8, cores - 2); on CPU 0,
    because CTranslate2's workers already use every core and langdetect is a small share there)."""
    if value == "auto":
        return max(1, min(8, (os.cpu_count() or 1) - 2)) if device == "cuda" else 0
    if not value.isdigit():
        raise InputError(f"--check-workers wants a number or 'auto', not '{value}'")
    return int(value)
