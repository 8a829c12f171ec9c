"""Quality checks in a pool of processes, overlapped with translation.

langdetect is pure Python and costs about 1.7 ms a record here, which caps a build at roughly 600
records/s on one core while a GPU translates thousands of segments a second. A :class:`CheckPool`
scores a chunk's records in worker processes while the driver translates the next chunk. langdetect is
seeded on every call, so the scores are the same in any process: a pooled build writes the same bytes.

Batch checks (``meaning``: an encoder over the whole chunk) are not sent to the workers, which would each
load the encoder: they run in the caller, on the job's device, once per chunk, while the workers score
the rest; the two sets of values are merged per record.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from xprep.errors import InputError
from xprep.quality.checks import CHECKS, CheckOptions, score_many
from xprep.records import Record


class CheckPool:
    """A scorer (see :data:`xprep.stages.Scorer`) backed by ``workers`` spawned processes."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        # spawn, not fork: the parent runs CTranslate2's threads, and forking a threaded process is unsafe
        self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))

    def __call__(
        self, pairs: list[tuple[Record, Record]], names: list[str], options: CheckOptions | None = None
    ) -> Callable[[], list[dict[str, Any]]]:
        if not pairs or not names:
            return lambda: [{} for _ in pairs]
        pooled = [n for n in names if not CHECKS.get(n).batched]
        here = score_many(pairs, [n for n in names if CHECKS.get(n).batched], options)
        size = max(1, -(-len(pairs) // (2 * self.workers)))
        futures = [self._pool.submit(score_many, pairs[i : i + size], pooled) for i in range(0, len(pairs), size)]

        def values() -> list[dict[str, Any]]:
            done = [value for f in futures for value in f.result()]
            return [{n: {**a, **b}[n] for n in names} for a, b in zip(done, here, strict=True)]

        return values

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
