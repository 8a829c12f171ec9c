"""Checks a translate build makes before it creates any output: options, names, files, folders, source.

Everything here raises :class:`xprep.errors.XprepError` subclasses (one line, exit code 2 on the command
line) and writes nothing, so a bad input never leaves a half-made cell behind.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xprep.errors import InputError
from xprep.languages import check_language
from xprep.owned import check_cache_file, check_name, check_output_dir

if TYPE_CHECKING:
    from xprep.job import TranslateJob
    from xprep.tasks import TaskSpec


def _at_least(value: Any, low: float, option: str) -> None:
    if value is not None and value < low:
        raise InputError(f"{option} must be {low:g} or more, got {value}")


def check_decoding(decoding: Any) -> None:
    """Decoding settings CTranslate2 can run (a beam of 0 would translate nothing, silently)."""
    _at_least(decoding.beam_size, 1, "--beam-size")
    _at_least(decoding.max_decoding_length, 1, "--max-decoding-length")
    _at_least(decoding.max_input_length, 1, "--max-input-length")
    _at_least(decoding.no_repeat_ngram_size, 0, "--no-repeat-ngram-size")
    if decoding.repetition_penalty <= 0:
        raise InputError(f"--repetition-penalty must be above 0, got {decoding.repetition_penalty}")


def check_job(job: TranslateJob) -> tuple[TaskSpec, list[str]]:
    """The task spec and the normalised target languages of ``job``, once every option is checked:
    names that become paths, languages (each once), numbers, the source file, the output folder, the cache."""
    from xprep.tasks import TASKS

    spec = TASKS.get(job.task)
    check_name(job.split, "split", "--split")
    langs = [check_language(lang, "--to") for lang in job.langs]
    if not langs:
        raise InputError("no target language given", hint="--to de,sw")
    twice = sorted({lang for lang in langs if langs.count(lang) > 1})
    if twice:
        raise InputError(f"language(s) given twice: {', '.join(twice)}", where="--to")
    check_language(job.src_lang, "--from")
    _at_least(job.limit, 0, "--limit")
    _at_least(job.chunk_records, 1, "--chunk-records")
    _at_least(job.check_workers, 0, "--check-workers")
    check_decoding(job.decoding)
    if job.source is not None:
        source = Path(job.source)
        if not (source.is_file() or source.is_dir()):  # a folder: a sharded release read as one split
            raise InputError("no such file or folder", where=f"--source {source}")
    elif not spec.hub:
        raise InputError(f"task '{spec.name}' has no public hub copy", hint=spec.notes or "pass --source FILE")
    if job.align_bitext is not None and not Path(job.align_bitext).is_file():
        raise InputError("no such file", where=f"--align-bitext {job.align_bitext}")
    check_output_dir(job.out)
    check_cache_file(cache_path(job))
    return spec, langs


def cache_path(job: TranslateJob) -> Path:
    """The translation cache a job uses (``--cache``, else ``OUT/.cache/translations.sqlite``)."""
    return Path(job.cache) if job.cache else Path(job.out) / ".cache" / "translations.sqlite"


def alignment_cache_path(job: TranslateJob) -> Path:
    """The alignment cache beside the translation cache (``<cache>.alignments.sqlite``)."""
    path = cache_path(job)
    return path.with_name(f"{path.stem}.alignments.sqlite")


def count_source(job: TranslateJob, spec: TaskSpec) -> int | None:
    """Read a local source once, whole, so a malformed record stops the build before output exists;
    returns the record count (``None`` for the hub, where only the first record is read)."""
    from xprep.tasks import load_task

    records = load_task(spec.name, job.split, job.source, job.fmt, job.limit)
    if job.source is None:
        next(iter(records), None)
        return None
    n = sum(1 for _ in records)
    if n == 0:
        print(f"WARNING: {job.source} has no records: every cell is an empty dataset", file=sys.stderr)
    return n


HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?")


def check_encoder(name: str, where: str = "--model") -> str:
    """``name`` when it is an HF model folder (with ``config.json``) or a hub id that resolves (network, or
    the local HF cache); else one :class:`ModelError` line saying it is neither."""
    from xprep.errors import ModelError

    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelError("not a model folder (no config.json)", where=f"{where} {name}")
        return name
    problem = ModelError(
        f"'{name}' is neither a local folder nor reachable on the hub",
        where=where,
        hint="give an HF model folder, or a hub id with network access or in the HF cache",
    )
    if path.exists() or not HUB_ID.fullmatch(name):
        raise problem
    import huggingface_hub
    from transformers import AutoConfig

    from xprep.progress import quiet_loading

    try:
        with quiet_loading():
            AutoConfig.from_pretrained(name, local_files_only=True)  # in the HF cache: no network needed
        return name
    except (OSError, ValueError, KeyError):
        pass
    if huggingface_hub.constants.HF_HUB_OFFLINE:
        raise problem
    try:  # one request, no retries (a download's retries take half a minute and print each one)
        huggingface_hub.model_info(name, timeout=10)
    except Exception:  # the hub client's errors differ by version (requests, httpx): all mean unreachable
        raise problem from None
    return name


def check_run_task(run: Path, task: str) -> None:
    """``run`` is a run folder from ``xprep train`` whose target task is ``task`` (else one line)."""
    import json

    from xprep.io import read_text

    results = Path(run) / "results.json"
    if not results.is_file():
        raise InputError("not a run folder (no results.json)", where=str(run), hint="a folder made by xprep train")
    try:
        saved = json.loads(read_text(results))
    except ValueError:
        raise InputError("results.json is not valid JSON", where=str(results)) from None
    names = saved.get("names") if isinstance(saved, dict) else None
    trained = names.get("target") if isinstance(names, dict) else None
    if trained is not None and trained != task:
        raise InputError(f"this run was trained on {trained}, not {task}", where=str(run), hint=f"--task {trained}")
