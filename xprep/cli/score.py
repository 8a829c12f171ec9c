"""XTREME's scores on XTREME's folder layout (`xprep score`), and a run's predictions written into it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from xprep.cli.app import _table, main
from xprep.errors import InputError


def _rows(detailed: dict[str, Any]) -> list[list[object]]:
    rows: list[list[object]] = []
    for task, score in detailed.items():
        for metric, per_lang in score.items():
            if isinstance(per_lang, dict):
                rows += [[task, lang, metric, value] for lang, value in per_lang.items()]
        rows += [[task, "avg", key[4:], value] for key, value in score.items() if key.startswith("avg_")]
    return rows


@main.command("score")
@click.option(
    "--predictions", required=True, type=click.Path(path_type=Path), help="Folder (TASK/test-LANG.*), or a file."
)
@click.option("--gold", required=True, type=click.Path(path_type=Path), help="Folder in the same layout, or file.")
@click.option("--task", default=None, help="One-file form: the XTREME task (xnli, pawsx, udpos, panx, xquad, ...).")
@click.option("--lang", default=None, help="One-file form: the language code (MLQA's normalisation depends on it).")
@click.option(
    "--xtreme-version",
    type=click.Choice(["xtreme", "xtreme-r"]),
    default="xtreme",
    show_default=True,
    help="Task groups (and, for xtreme, the languages every task must have).",
)
@click.option("--partial", is_flag=True, help="Average over the languages present (not comparable to XTREME's).")
@click.option("--json", "as_json", is_flag=True, help='Print {"overall": ..., "detailed": ...} as evaluate.py does.')
def score_cmd(
    predictions: Path,
    gold: Path,
    task: str | None,
    lang: str | None,
    xtreme_version: str,
    partial: bool,
    as_json: bool,
) -> None:
    """Score predictions exactly as XTREME's evaluate.py does.

    Folder form: `xprep score --predictions preds/ --gold labels/` with `xnli/test-de.tsv`, `xquad/test-de.json`,
    ... on both sides. One-file form: `xprep score --task xquad --lang de --gold xquad.de.json --predictions
    de.json`. QA predictions are `{id: answer}` JSON; tagging files hold one tag a line, a blank line after
    each sentence; classification and Tatoeba one label a line; BUCC `src<TAB>tgt` lines.
    """
    from xprep.evaluate.xtreme_layout import score_files, score_folders

    def warn(message: str) -> None:
        click.echo(message, err=True)

    if task or lang:
        if not (task and lang):
            raise InputError("the one-file form needs both --task and --lang")
        result = score_files(task, lang, predictions, gold, warn=warn)
        if as_json:
            click.echo(json.dumps(result))
        else:
            click.echo(_table([[task, lang, m, v] for m, v in result.items()], ["task", "lang", "metric", "value"]))
        return
    overall, detailed = score_folders(predictions, gold, xtreme_version, partial, warn)
    if as_json:
        click.echo(json.dumps({"overall": overall, "detailed": detailed}, ensure_ascii=False))
        return
    click.echo(_table(_rows(detailed), ["task", "lang", "metric", "value"]))
    if overall:
        click.echo("")
        click.echo(_table([[g, v] for g, v in overall.items()], ["group", "avg_metric"]))


@main.command("export-xtreme")
@click.argument("source", type=click.Path(path_type=Path, exists=True))
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Folder to write TASK/test-LANG.* into.")
@click.option("--tag", default="clean", show_default=True, help="Which evaluation condition of the run to export.")
def export_cmd(source: Path, out: Path, tag: str) -> None:
    """Write a run's predictions (SOURCE: a run folder, or the results.json of a Tatoeba/BUCC evaluation) in
    XTREME's layout, to rescore with `xprep score` or XTREME's evaluate.py, or to submit."""
    from xprep.evaluate.export import export_predictions

    paths = export_predictions(source, out, tag)
    click.echo(f"wrote {len(paths)} prediction files under {out}")
