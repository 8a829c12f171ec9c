"""``xprep translate``: its options (one declarative table) and the job they describe."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

import click

from xprep.cli.app import ALIGNER_OPTIONS, _with, main
from xprep.errors import XprepError
from xprep.settings import CHUNK_RECORDS, DECODING, DEFAULT_CHECKS, DEVICE, DEVICES, TRANSLATE


def _translate_options(f):  # noqa: ANN001, ANN202 - click decorator stack
    opts = [
        click.option("--to", "langs", required=True, help="Target languages, comma-separated ISO codes (de,sw)."),
        click.option(
            "--model",
            required=True,
            type=click.Path(path_type=Path),
            help="CTranslate2 model folder, or 'apertium' / 'apertium:MODE' for Apertium.",
        ),
        click.option("--out", default=Path("build"), type=click.Path(path_type=Path), show_default=True),
        click.option("--split", default="train", show_default=True),
        click.option(
            "--source",
            default=None,
            type=click.Path(path_type=Path),
            help="Local file in the task's own format (default: the HF hub).",
        ),
        click.option("--format", "fmt", default=None, help="Local file format when the name does not tell."),
        click.option("--limit", default=None, type=int, help="Translate only the first N records."),
        click.option("--from", "src_lang", default="en", show_default=True, help="Source language."),
        click.option("--beam-size", default=DECODING.beam_size, show_default=True),
        click.option("--max-decoding-length", default=DECODING.max_decoding_length, show_default=True),
        click.option(
            "--max-input-length",
            default=DECODING.max_input_length,
            show_default=True,
            help="Longer segments are split at word boundaries (never cut).",
        ),
        click.option("--repetition-penalty", default=DECODING.repetition_penalty, show_default=True),
        click.option("--no-repeat-ngram-size", default=DECODING.no_repeat_ngram_size, show_default=True),
        click.option("--device", type=click.Choice(DEVICES), default=DEVICE.device, show_default=True),
        click.option("--device-index", default="0", show_default=True, help="GPU ids, comma-separated."),
        click.option(
            "--compute-type",
            default=DEVICE.compute_type,
            show_default=True,
            help="auto, int8, int8_float16, float16, bfloat16, float32.",
        ),
        click.option("--batch-tokens", default=None, type=int, help="Token budget per batch (cpu 2048, cuda 8192)."),
        click.option(
            "--inter-threads",
            default=None,
            type=int,
            help="CTranslate2 workers: per GPU on cuda (default 1), in all on cpu (default cores / intra-threads).",
        ),
        click.option("--intra-threads", default=None, type=int, help="Threads per CTranslate2 worker."),
        click.option(
            "--cache",
            default=None,
            type=click.Path(path_type=Path),
            help="Translation cache file (default OUT/.cache/translations.sqlite).",
        ),
        click.option("--no-segment", is_flag=True, help="Translate whole fields, not sentences."),
        click.option(
            "--langid",
            type=click.Choice(["langdetect", "lingua"]),
            default="langdetect",
            show_default=True,
            help="Language identifier of the checks (lingua: 75 languages, better on short text).",
        ),
        click.option(
            "--checks",
            "checks_spec",
            default=None,
            help="Checks to score: a comma list, or +NAME/-NAME to change the default "
            "(" + ",".join(DEFAULT_CHECKS) + "); +meaning adds the cross-lingual similarity check.",
        ),
        click.option(
            "--qe-model",
            default=None,
            help="Encoder folder of the meaning check (turns it on; default multilingual-e5-small, built offline).",
        ),
        click.option(
            "--check-workers",
            default="auto",
            show_default=True,
            help="Processes scoring the checks while the next chunk translates (auto: cuda min(8, cores-2), cpu 0).",
        ),
        click.option("--filter", "drop_flagged", is_flag=True, help="Drop records any check flags (counted)."),
        click.option(
            "--projection",
            default=TRANSLATE.projection,
            show_default=True,
            help="Label projection: chain (markers,align,fuzzy) or a comma list of markers, exact, align, fuzzy.",
        ),
        *ALIGNER_OPTIONS,
        click.option(
            "--executor",
            type=click.Choice(["local", "ray"]),
            default="local",
            show_default=True,
            help="ray: the same stages on Ray Data with a pool of actors (pip install 'xprep[ray]').",
        ),
        click.option("--ray-address", default=None, help="Ray cluster address (default: start a local one)."),
        click.option("--ray-actors", default=2, show_default=True, help="Actors in the pool (one model each)."),
        click.option(
            "--num-gpus-per-worker",
            default="auto",
            show_default=True,
            help="GPUs per Ray actor (auto: 1 with --device cuda, 0 on cpu; a share such as 0.5 packs two per GPU).",
        ),
        click.option(
            "--chunk-records", default=CHUNK_RECORDS, show_default=True, help="Records per chunk (unit of work)."
        ),
        click.option("--json", "as_json", is_flag=True, help="Print the manifests as JSON at the end."),
        click.option("--quiet", is_flag=True, help="No progress bar."),
    ]
    return _with(opts)(f)


@main.command("translate")
@click.argument("task")
@_translate_options
def translate_cmd(task: str, **kw: object) -> None:
    """Translate TASK into languages: build/<task>/<lang>/<split>/ with records, HF dataset, manifest."""
    from xprep.pipeline import translate_task

    job = job_from_options(task, kw)
    executor = _ray_executor(kw) if kw["executor"] == "ray" else None
    results = translate_task(job, executor)
    if kw["as_json"]:
        click.echo(json.dumps([r.manifest.to_dict() for r in results], indent=2, ensure_ascii=False))
        return
    from xprep.report import quality_table

    click.echo(quality_table(results))
    click.echo(f"output: {job.out.resolve()}")


def job_from_options(task: str, kw: dict[str, Any]) -> Any:
    """The :class:`~xprep.job.TranslateJob` the ``translate`` options describe."""
    from xprep.job import TranslateJob
    from xprep.mt.engine import DecodingSettings, DeviceOptions
    from xprep.projection.methods import parse_chain
    from xprep.projection.tags import TagPolicy
    from xprep.quality.checks import select_checks
    from xprep.quality.pool import check_workers

    return TranslateJob(
        task=task,
        langs=[x for x in str(kw["langs"]).split(",") if x.strip()],
        model=kw["model"],  # type: ignore[arg-type]
        out=kw["out"],
        split=kw["split"],
        source=kw["source"],
        fmt=kw["fmt"],
        limit=kw["limit"],  # type: ignore[arg-type]
        src_lang=kw["src_lang"],  # type: ignore[arg-type]
        decoding=DecodingSettings(
            beam_size=kw["beam_size"],
            max_decoding_length=kw["max_decoding_length"],  # type: ignore[arg-type]
            max_input_length=kw["max_input_length"],
            repetition_penalty=kw["repetition_penalty"],  # type: ignore[arg-type]
            no_repeat_ngram_size=kw["no_repeat_ngram_size"],  # type: ignore[arg-type]
        ),
        device=DeviceOptions(
            device=kw["device"],
            device_index=tuple(int(i) for i in str(kw["device_index"]).split(",")),  # type: ignore[arg-type]
            compute_type=kw["compute_type"],
            batch_tokens=kw["batch_tokens"],  # type: ignore[arg-type]
            inter_threads=kw["inter_threads"],
            intra_threads=kw["intra_threads"],  # type: ignore[arg-type]
        ),
        cache=kw["cache"],
        segment=not kw["no_segment"],
        drop_flagged=bool(kw["drop_flagged"]),  # type: ignore[arg-type]
        command=shlex.join(sys.argv),
        progress=not kw["quiet"],
        projection=parse_chain(str(kw["projection"])),
        aligner=str(kw["aligner"]),
        align_model=kw["align_model"],  # type: ignore[arg-type]
        align_bitext=kw["align_bitext"],  # type: ignore[arg-type]
        tag_policy=TagPolicy(
            unaligned=str(kw["tag_unaligned"]), refine=str(kw["tag_refine"]), articles=str(kw["tag_articles"])
        ),
        checks=select_checks(kw["checks_spec"], str(kw["langid"]), kw["qe_model"]),  # type: ignore[arg-type]
        qe_model=kw["qe_model"],  # type: ignore[arg-type]
        chunk_records=int(kw["chunk_records"]),  # type: ignore[arg-type]
        check_workers=check_workers(str(kw["check_workers"]), str(kw["device"])),
    )


def _ray_executor(kw: dict[str, Any]) -> Any:
    """The Ray Data executor of ``--executor ray`` (its GPU share checked before any work)."""
    from xprep.distributed.ray_executor import RayExecutor, gpus_per_actor

    gpus = str(kw["num_gpus_per_worker"])
    try:
        requested = None if gpus == "auto" else float(gpus)
    except ValueError:
        raise XprepError(f"bad --num-gpus-per-worker {gpus!r}", hint="auto or a number such as 1 or 0.5") from None
    return RayExecutor(
        address=kw["ray_address"],
        actors=int(kw["ray_actors"]),
        num_gpus_per_worker=gpus_per_actor(str(kw["device"]), requested),
    )
