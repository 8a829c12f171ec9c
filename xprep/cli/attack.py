"""The attack command: model-aware adversarial search against a trained run."""

from __future__ import annotations

import json
from pathlib import Path

import click

from xprep.cli.app import _table, main
from xprep.errors import XprepError


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(x.strip() for x in (value or "").split(",") if x.strip())


@main.command("attack")
@click.argument("run", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--task", required=True, help="XTREME task of the run (xnli, pawsx, udpos, panx, xquad, mlqa, tydiqa).")
@click.option(
    "--eval",
    "evals",
    multiple=True,
    required=True,
    help="LANG=FILE: the task's original format, a records.jsonl or build folder, or hub; repeat per language.",
)
@click.option(
    "--recipe",
    required=True,
    help="codemix (lexicons, PolyGloss beam), charflip (character edits, greedy), qa-question (question only), "
    "qa-distractor (appended sentence), ner-context (non-entity tokens of PAN-X/UD-POS).",
)
@click.option(
    "--budget", default=200, show_default=True, help="Queries per example (never exceeded; clean query included)."
)
@click.option(
    "--lexicon",
    "lexicons",
    multiple=True,
    help="Bilingual lexicons: a folder of SRC-TGT.txt files (MUSE), a SRC-TGT.txt file, or SRC-TGT=FILE; repeat. "
    "Missing directions are inverted or pivoted through English (recorded).",
)
@click.option("--embed", default=None, help="codemix: embedded languages, comma-separated (default: all reachable).")
@click.option("--per-language", default=1, show_default=True, help="codemix: translations tried per language.")
@click.option("--search", default=None, help="Override the recipe's search: greedy-wir, beam, polygloss.")
@click.option("--beam-width", default=None, type=int, help="Width of beam / polygloss (recipe default).")
@click.option(
    "--max-change", default=None, type=float, help="Largest share of attacked words changed (recipe default)."
)
@click.option("--threshold", default=0.5, show_default=True, help="Tagging goal: sentence F1/accuracy below this.")
@click.option("--min-similarity", default=None, type=float, help="Cosine floor under --similarity-model.")
@click.option("--similarity-model", default=None, help="HF encoder folder for --min-similarity (e.g. e5-small).")
@click.option("--seed", default=0, show_default=True)
@click.option("--limit", default=None, type=int, help="First N examples per language.")
@click.option("--batch-size", default=64, show_default=True, help="Most candidates per forward pass.")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True)
@click.option(
    "--transfer-to",
    "transfer_to",
    multiple=True,
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    help="Other runs to score this run's adversaries on (OUT/transfer.json; `xprep compare` shows them); repeat.",
)
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Output folder (resumable).")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as one JSON object keyed by language.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def attack_cmd(
    run: Path,
    task: str,
    evals: tuple[str, ...],
    recipe: str,
    budget: int,
    lexicons: tuple[str, ...],
    embed: str | None,
    per_language: int,
    search: str | None,
    beam_width: int | None,
    max_change: float | None,
    threshold: float,
    min_similarity: float | None,
    similarity_model: str | None,
    seed: int,
    limit: int | None,
    batch_size: int,
    device: str,
    transfer_to: tuple[Path, ...],
    out: Path,
    as_json: bool,
    quiet: bool,
) -> None:
    """Attack a run of `xprep train` on evaluation sets; writes OUT/attack.json, OUT/LANG/records.jsonl (the
    adversarial set), OUT/LANG/examples.jsonl and OUT/robust_accuracy.png."""
    from xprep.attack.run import AttackConfig, attack_sets

    sets = _eval_sets(task, evals)
    cfg = AttackConfig(
        recipe=recipe,
        budget=budget,
        seed=seed,
        search=search,
        width=beam_width,
        max_change=max_change,
        threshold=threshold,
        embed=_csv(embed),
        per_language=per_language,
        min_similarity=min_similarity,
        similarity_model=similarity_model,
        batch_size=batch_size,
        device=device,
        limit=limit,
    )
    echo = (lambda s: None) if as_json else click.echo
    content = attack_sets(run, task, sets, cfg, out, lexicons, progress=not quiet, echo=echo)
    if transfer_to:
        from xprep.attack.compare import transfer

        moved = transfer(out, task, transfer_to, device)
        for folder, langs in moved["runs"].items():
            for lang, data in langs.items():
                echo(f"transfer to {folder} [{lang}]: {data['metrics']}")
    _print_metrics(content["metrics"], as_json)


def _eval_sets(task: str, evals: tuple[str, ...]) -> dict[str, list]:
    """``--eval LANG=FILE`` items as evaluation records per language."""
    from xprep.cli.training import _eval_records

    sets = {}
    for item in evals:
        lang, _, path = item.partition("=")
        if not path:
            raise XprepError(f"bad --eval {item!r}", hint="LANG=FILE")
        sets[lang] = _eval_records(task, lang, path)
    return sets


def _print_metrics(metrics: dict[str, dict], as_json: bool) -> None:
    """The attack's metrics per language: one JSON object, or a table."""
    keys = [
        "clean_accuracy",
        "accuracy_under_attack",
        "attack_success_rate",
        "avg_perturbed_word_pct",
        "avg_queries",
        "forward_passes",
        "skipped",
    ]
    if as_json:
        click.echo(json.dumps(metrics, ensure_ascii=False))
        return
    rows = [[lang, m["metric"], *(m[k] for k in keys)] for lang, m in metrics.items()]
    click.echo(
        _table(
            rows, ["lang", "metric", "clean", "under attack", "success %", "words %", "queries", "passes", "skipped"]
        )
    )
