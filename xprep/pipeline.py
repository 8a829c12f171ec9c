"""The translate build, run locally: one task split into several languages, streamed in chunks.

plan (cells = task x split x language) -> skip completed cells -> one pass over the source records:
chunk -> segment -> translate (deduplicated, cached, all languages in one engine call) -> reassemble
-> project labels -> score checks -> decide flags -> write JSONL. At the end each cell gets its HF
dataset and manifest in a temporary folder, renamed into place, then marked complete.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from xprep.cell import CellWriter, is_complete
from xprep.chunk import Chunk, ChunkResult, Item
from xprep.drops import split_counts
from xprep.job import TranslateJob, declared_part
from xprep.manifest import Manifest
from xprep.mt.cache import TranslationCache
from xprep.mt.engine import TranslationEngine, load_model
from xprep.owned import locked
from xprep.preflight import alignment_cache_path, cache_path, check_job, count_source
from xprep.projection.aligners import make_aligner
from xprep.quality.filter import QualityTally
from xprep.quality.pool import CheckPool
from xprep.records import Record
from xprep.stages import finish_chunk, plan_chunk, process_chunk, translate_plan
from xprep.tasks import TASKS, TaskSpec, load_task


@dataclass
class CellResult:
    lang: str
    path: Path
    skipped: bool
    manifest: Manifest


@dataclass
class _Cell:
    lang: str
    writer: CellWriter
    tally: QualityTally
    counts: Counter = field(default_factory=Counter)
    projection: Counter = field(default_factory=Counter)


def cell_dir(out: Path, task: str, lang: str, split: str) -> Path:
    """Where one build cell lands: ``OUT/<task>/<lang>/<split>/``."""
    return out / task / lang / split


def translate_task(job: TranslateJob, executor: Any = None) -> list[CellResult]:
    """Run a translate build; returns one result per target language (built or skipped as complete).

    ``executor`` runs the chunk stages (default :class:`LocalExecutor`; see :mod:`xprep.distributed`).

    Raises :class:`xprep.errors.XprepError` subclasses for bad input before any translation starts.
    """
    spec, langs = check_job(job)  # every option, name, file and folder, before any output exists
    job = _with_meaning(job)
    if job.needs_aligner():
        job = job.with_resolved_aligner(echo=lambda m: print(m, file=sys.stderr))  # the manifest names the real one
    model = load_model(job.model, job.device)
    if job.progress and hasattr(model, "describe"):
        print(f"translator: {model.describe()}", file=sys.stderr)
    for lang in langs:
        model.check_languages(job.src_lang, lang)
    count_source(job, spec)  # a local source is read whole once: a malformed record stops here
    declared_base = declared_part(job, spec, model)
    results: list[CellResult] = []
    with contextlib.ExitStack() as locks:
        todo = []
        for lang in langs:
            man = Manifest(declared={**declared_base, "languages": {"source": job.src_lang, "target": lang}})
            final = cell_dir(job.out, spec.name, lang, job.split)
            if not is_complete(final, man):
                locks.enter_context(locked(final, "build cell"))  # a second build into it stops with one line
            if is_complete(final, man):  # (again: another process may have just finished it)
                results.append(CellResult(lang, final, True, Manifest.read(final)))
            else:
                todo.append((lang, final, man))
        if todo:
            results += _build_cells(job, spec, model, todo, executor)
    return results


def _with_meaning(job: TranslateJob) -> TranslateJob:
    """With the meaning check on: its encoder folder checked now (a one-line error before any work) and
    its threshold made explicit, so the manifest records both."""
    if "meaning" not in job.checks:
        return job
    from xprep.quality.meaning import resolve_qe_model

    model = str(resolve_qe_model(job.qe_model))
    return dataclasses.replace(job, qe_model=model, thresholds=job.thresholds.for_checks(job.checks))


def _build_cells(
    job: TranslateJob, spec: TaskSpec, model: Any, todo: list[tuple[str, Path, Manifest]], executor: Any
) -> list[CellResult]:
    """Build the (locked) cells of ``todo`` in temporary folders unique to this process; on any failure
    they are removed and nothing of this run is left in the output folder."""
    backend = "lingua" if "lingua" in job.checks else "langdetect"
    cells: list[_Cell] = []
    try:
        for lang, final, man in todo:
            tally = QualityTally(lang, job.thresholds, backend=backend)
            cells.append(_Cell(lang, CellWriter(final, man, spec.kind, job.out), tally=tally))
        return _translate_cells(job, spec, model, cells, executor)
    except BaseException:
        for cell in cells:
            cell.writer.abort()
        raise


def _translate_cells(
    job: TranslateJob, spec: TaskSpec, model: Any, cells: list[_Cell], executor: Any
) -> list[CellResult]:
    t0 = time.perf_counter()
    totals = Totals()
    by_lang = {cell.lang: cell for cell in cells}
    with contextlib.ExitStack() as stack:
        bar = _progress_bar(job)
        stack.callback(bar.close)
        records = load_task(spec.name, job.split, job.source, job.fmt, job.limit, drops=totals.at_load)
        chunks = _chunks(records, job.chunk_records)
        for result in (executor or LocalExecutor()).run(job, model, list(by_lang), chunks, bar.update):
            for lang, items in result.items.items():
                by_lang[lang].projection.update(result.events.get(lang, {}))
                for item in items:
                    _emit(item, by_lang[lang], job)
            totals.counters.update(result.counters)
            totals.mt_seconds += result.mt_seconds
    wall = time.perf_counter() - t0
    return [_finish(cell, job, totals, wall) for cell in cells]


@dataclass
class Totals:
    """Engine counters and MT time summed over every chunk (and every worker)."""

    counters: Counter = field(default_factory=Counter)
    mt_seconds: float = 0.0
    at_load: Counter = field(default_factory=Counter)  # source rows dropped or repaired while reading


class LocalExecutor:
    """Runs the chunk stages in this process, one chunk after another."""

    def run(
        self,
        job: TranslateJob,
        model: Any,
        langs: list[str],
        chunks: Iterator[list[Record]],
        progress: Callable[[int], None],
    ) -> Iterator[ChunkResult]:
        path = cache_path(job)
        with locked(path, "translation cache", wait=120):  # one process at a time creates and opens it
            cache = TranslationCache(path)
        engine = TranslationEngine(model, job.src_lang, job.decoding, job.device, cache)
        aligner = (
            make_aligner(job.aligner_settings(), cache=alignment_cache_path(job))
            if job.needs_aligner()
            else None
        )
        pool = CheckPool(job.check_workers) if job.check_workers > 0 and job.checks else None
        overlap = job.overlap_mt if job.overlap_mt is not None else job.device.device == "cuda"
        if overlap:
            results = _overlapped(chunks, langs, engine, job, aligner, progress, pool)
        else:
            results = (process_chunk(chunk, langs, engine, job, aligner, progress, pool) for chunk in chunks)
        try:
            yield from _settled(results, lag=pool is not None)
        finally:
            cache.close()
            if pool is not None:
                pool.close()


def _overlapped(
    chunks: Iterator[list[Record]],
    langs: list[str],
    engine: TranslationEngine,
    job: TranslateJob,
    aligner: Any,
    progress: Callable[[int], None],
    scorer: CheckPool | None,
) -> Iterator[ChunkResult]:
    """Chunk results in order; chunk k+1 is translated in a thread while chunk k is finished here.

    CTranslate2 releases the GIL while it decodes, so the device keeps working while this thread
    rejoins, projects and scores (one engine caller at a time: the single MT thread).
    """
    with ThreadPoolExecutor(1, thread_name_prefix="xprep-mt") as mt:
        ahead: Future[Chunk] | None = None
        for chunk in chunks:
            future = mt.submit(translate_plan, plan_chunk(chunk, langs, job), engine, progress)
            if ahead is not None:
                yield finish_chunk(ahead.result(), job, aligner, scorer)
            ahead = future
        if ahead is not None:
            yield finish_chunk(ahead.result(), job, aligner, scorer)


def _settled(results: Iterator[ChunkResult], lag: bool) -> Iterator[ChunkResult]:
    """Settle each result; with ``lag`` one chunk later, so the pool scores it while the next one is made."""
    pending: ChunkResult | None = None
    for result in results:
        if not lag:
            yield result.settle()
            continue
        if pending is not None:
            yield pending.settle()
        pending = result
    if pending is not None:
        yield pending.settle()


def _chunks(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    it = iter(records)
    while chunk := list(islice(it, size)):
        yield chunk


def _progress_bar(job: TranslateJob) -> Any:
    from tqdm import tqdm

    return tqdm(
        unit="seg",
        desc=f"translate {job.task}",
        disable=not job.progress,
        file=sys.stderr,
        dynamic_ncols=True,
        mininterval=0.5,
    )


def _emit(item: Item, cell: _Cell, job: TranslateJob) -> None:
    """Count one record, decide its flags (the filter step) and write it unless --filter drops it."""
    tgt = item.tgt
    cell.counts["in"] += 1
    quality = tgt.meta["quality"]
    flags = cell.tally.add(quality, extra=item.mt_flags)  # MT flags (truncated) are counted with the rest
    quality["flags"] = flags
    if job.drop_flagged and flags:
        for reason in flags:
            cell.counts[f"dropped:{reason}"] += 1
        cell.counts["dropped"] += 1
        return
    cell.writer.write(tgt)
    cell.counts["out"] += 1


def job_kind(job: TranslateJob) -> str:
    return TASKS.get(job.task).kind


def _finish(cell: _Cell, job: TranslateJob, totals: Totals, wall: float) -> CellResult:
    tc = totals.counters
    dropped = {k.split(":", 1)[1]: v for k, v in cell.counts.items() if k.startswith("dropped:")}
    computed = {
        "counts": {
            "in": cell.counts["in"],
            "out": cell.counts["out"],
            "dropped": cell.counts["dropped"],
            "dropped_by_reason": dropped,
        },
        "at_load": split_counts(totals.at_load),  # rows of the source left out or repaired while reading
        "quality": cell.tally.summary(),
        "projection": dict(cell.projection),
        "translation": {
            k: tc[k]
            for k in (
                "segments",
                "segments_unique",
                "cache_hits",
                "segments_translated",
                "segments_split_overlong",
                "tokens_in",
                "tokens_out",
            )
        },
        "timing": {
            "wall_s": round(wall, 3),
            "mt_s": round(totals.mt_seconds, 3),
            "segments_per_s": round(tc["segments"] / wall, 1) if wall else None,
            "note": "translation counters and timing cover all languages of this run together",
        },
    }
    final = cell.writer.final
    if cell.counts["out"] == 0:
        why = "--filter dropped every record" if cell.counts["in"] else "no records"
        print(f"WARNING: {final}: {why}: the cell is an empty dataset", file=sys.stderr)
    return CellResult(cell.lang, final, False, cell.writer.finish(computed))
