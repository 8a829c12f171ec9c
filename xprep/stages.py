"""The stages of one chunk of records, composed for every executor (local, Ray).

segment -> translate (deduplicated, cached, every language in one engine call) -> rejoin -> project
labels -> score checks: each a :class:`xprep.stage.Stage` living with its subject (:mod:`xprep.mt.stages`,
:mod:`xprep.projection.stage`, :mod:`xprep.quality.stage`). Nothing here writes or decides: the executor's
driver counts, decides flags (:mod:`xprep.quality.filter`) and writes in input order, so a chunk can run
in any process. The MT stages are apart from the rest so an executor can translate one chunk while it
finishes the one before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from xprep.chunk import Chunk, ChunkResult, Scorer
from xprep.mt.engine import TranslationEngine
from xprep.mt.stages import Rejoin, Segment, Translate
from xprep.projection.align import Aligner
from xprep.projection.stage import Project
from xprep.quality import checks
from xprep.quality.stage import Score
from xprep.records import Record
from xprep.stage import Stage, run_stages

if TYPE_CHECKING:
    from xprep.job import TranslateJob

def check_options(job: TranslateJob) -> checks.CheckOptions:
    """The checks' options of a job: the meaning check's encoder on the job's device (the first GPU)."""
    return checks.CheckOptions(qe_model=job.qe_model, device=job.device.torch_device())


def finishing_stages(job: TranslateJob, aligner: Aligner | None, scorer: Scorer | None = None) -> list[Stage]:
    """The stages after MT: rejoin, project, score."""
    project = Project(job.projection, aligner, job.tag_policy, job.src_lang)
    return [Rejoin(), project, Score(job.checks, check_options(job), scorer)]


def process_chunk(
    chunk: list[Record],
    langs: list[str],
    engine: TranslationEngine,
    job: TranslateJob,
    aligner: Aligner | None,
    progress: Callable[[int], None] | None = None,
    scorer: Scorer | None = None,
) -> ChunkResult:
    """Translate, reassemble, project and score one chunk into every language of ``langs``.

    Pure with respect to the build: nothing is written; the driver decides flags and writes, in order.
    Without a ``scorer`` the checks run here and the result comes back settled; with one (a process
    pool), they run elsewhere while the caller goes on, and the caller settles the result.
    """
    return finish_chunk(translate_plan(plan_chunk(chunk, langs, job), engine, progress), job, aligner, scorer)


def plan_chunk(chunk: list[Record], langs: list[str], job: TranslateJob) -> Chunk:
    """Segment every translatable field and list the (segment, language) requests."""
    return Segment(job.segment, job.projection).run(Chunk(list(chunk), list(langs)))


def translate_plan(plan: Chunk, engine: TranslationEngine, progress: Callable[[int], None] | None = None) -> Chunk:
    """Run a planned chunk's requests through the engine (one caller at a time per engine)."""
    return Translate(engine, progress).run(plan)


def finish_chunk(
    translated: Chunk, job: TranslateJob, aligner: Aligner | None, scorer: Scorer | None = None
) -> ChunkResult:
    """Rejoin the translations, build and project the target records, and score (or queue) the checks."""
    return run_stages(finishing_stages(job, aligner, scorer), translated).result
