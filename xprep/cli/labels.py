"""Commands about labels and lexicons: projection score/report, native datasets, dictionaries."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from xprep.cli.app import ALIGNER_OPTIONS, _table, _with, main
from xprep.errors import XprepError

if TYPE_CHECKING:
    from xprep.projection.tags import TagPolicy


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
@click.option(
    "--lang",
    default=None,
    help="Target language (character F1 for zh/ja/th; --tag-articles auto; tr, ko, ja: answers end before a "
    "suffix or particle).",
)
@click.option("--source-lang", default="en", show_default=True, help="Source language (--tag-articles auto).")
@click.option(
    "--symmetrise",
    type=click.Choice(["gdfa", "union", "intersection"]),
    default="gdfa",
    show_default=True,
    help="eflomal: how the two directions combine (gdfa: grow-diag-final-and).",
)
@click.option(
    "--units",
    type=click.Choice(["words", "graphemes", "whitespace"]),
    default="words",
    show_default=True,
    help="Alignment units: words (grapheme-safe; ICU dictionary words for Thai, Lao, Khmer, Myanmar, CJK), "
    "graphemes (the same, grapheme clusters for those scripts) or whitespace tokens (punctuation attached).",
)
@click.option("--whole-paragraphs", is_flag=True, help="Spans: align paragraphs whole, not sentence by sentence.")
@click.option(
    "--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True, help="Encoder aligner's device."
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as one JSON object.")
def projection_score(
    source: Path,
    target: Path,
    method: str,
    aligner: str,
    align_model: str | None,
    align_bitext: Path | None,
    tag_unaligned: str,
    tag_refine: str,
    tag_articles: str,
    lang: str | None,
    source_lang: str,
    symmetrise: str,
    units: str,
    whole_paragraphs: bool,
    device: str,
    as_json: bool,
) -> None:
    """Score a projection method on gold parallel data (no MT): UPOS accuracy or QA EM/F1, in percent."""
    from xprep.languages import check_language
    from xprep.projection.aligners import AlignerSettings, make_aligner, resolve_aligner
    from xprep.projection.methods import PROJECTORS, parse_chain
    from xprep.projection.score import score_spans, score_tags
    from xprep.projection.tags import TagPolicy

    chain = parse_chain(method)
    lang = check_language(lang, "--lang") if lang is not None else None
    source_lang = check_language(source_lang, "--source-lang")
    aligning = any(PROJECTORS.get(m).needs_aligner for m in chain)
    settings = AlignerSettings(aligner, align_model, align_bitext, device)
    settings = resolve_aligner(settings, echo=lambda m: click.echo(m, err=True)) if aligning else settings
    al = make_aligner(settings) if aligning else None
    if symmetrise != "gdfa":
        if settings.name != "eflomal":
            raise XprepError("--symmetrise applies to --aligner eflomal")
        import dataclasses

        al = dataclasses.replace(al, symmetrise=symmetrise)  # type: ignore[type-var]
    if source.suffix.lower() == ".conllu":
        if al is None:
            raise XprepError("tag projection needs --method align")
        if tag_refine == "probe" and settings.name != "encoder":
            raise XprepError(
                f"--tag-refine probe reads the encoder aligner's word vectors; the aligner here is {settings.name}",
                hint="--aligner encoder, or --tag-refine types",
            )
        policy = TagPolicy(unaligned=tag_unaligned, refine=tag_refine, articles=tag_articles)
        scores = score_tags(source, target, al, policy.for_languages(source_lang, lang or _ud_language(target, policy)))
    elif source.suffix.lower() == ".json":
        scores = score_spans(source, target, chain, al, lang, sentences=not whole_paragraphs, units=units)
    else:
        raise XprepError(
            "cannot tell the layout from the file name",
            where=str(source),
            hint=".conllu (tags) or .json (SQuAD/XQuAD spans)",
        )
    _print_scores(scores, as_json)


def _print_scores(scores: dict[str, Any], as_json: bool, shown: int = 10) -> None:
    """Scores as JSON, or a table (and for spans the first ``shown`` answers that missed, side by side)."""
    if as_json:
        click.echo(json.dumps(scores, ensure_ascii=False))
        return
    misses = scores.get("misses", [])
    click.echo(_table([[k, v] for k, v in scores.items() if k != "misses"], ["score", "value"]))
    if misses:
        click.echo(f"\n{len(misses)} answers missed exact match; the first {min(shown, len(misses))}:")
        rows = [[m["id"], m["source"], m["predicted"] or "(none)", m["gold"]] for m in misses[:shown]]
        click.echo(_table(rows, ["id", "source answer", "projected", "gold"]))


def _ud_language(path: Path, policy: TagPolicy) -> str | None:
    """The language of a treebank file named as UD names them (``hi_pud-ud-test.conllu``), said on stderr;
    None where the tag policy needs no language or the name gives none."""
    import re

    from xprep.errors import UnknownNameError
    from xprep.languages import check_language

    if policy.articles != "auto":
        return None
    found = re.match(r"([a-z]{2,3})_[a-z0-9]+-ud-", path.name)
    try:
        lang = check_language(found.group(1)) if found else None
    except UnknownNameError:
        lang = None
    if lang:
        click.echo(f"target language from the file name: {lang} (--lang to set it)", err=True)
    else:
        click.echo("no target language (--lang): the article rule of --tag-articles auto is off", err=True)
    return lang


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
@click.option("--limit", default=None, type=click.IntRange(min=0))
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
