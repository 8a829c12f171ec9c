"""Commands of the study itself: run a recipe end to end, compare the runs."""

from __future__ import annotations

from pathlib import Path

import click

from xprep.cli.app import _table, main
from xprep.errors import XprepError


@main.command("run")
@click.argument("recipe", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Print the plan (every step, done or to do) and stop.")
@click.option(
    "--out", default=None, type=click.Path(path_type=Path), help="Output folder (default: the recipe's, runs/NAME)."
)
@click.option("--no-compare", is_flag=True, help="Do not write the comparison report at the end.")
@click.option("--quiet", is_flag=True, help="No progress bars.")
@click.option(
    "--executor",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="local: every step in order in this process; ray: steps as Ray tasks, in parallel where independent.",
)
@click.option("--ray-address", default=None, help="An existing Ray cluster (HOST:PORT or auto; default: a local Ray).")
@click.option(
    "--max-retries",
    default=3,
    show_default=True,
    type=click.IntRange(0),
    help="Ray: retries of a step whose worker died.",
)
def run_cmd(
    recipe: Path,
    dry_run: bool,
    out: Path | None,
    no_compare: bool,
    quiet: bool,
    executor: str,
    ray_address: str | None,
    max_retries: int,
) -> None:
    """Execute RECIPE: build what is missing, train, evaluate clean and perturbed, compare.

    Steps whose output exists with the same configuration hash are skipped, so rerunning a finished
    recipe does nothing; changing a setting redoes exactly the steps that depend on it.
    """
    from xprep.plan import plan, plan_table
    from xprep.recipe_load import load_recipe
    from xprep.runner import run_recipe

    rec = load_recipe(recipe, resources=True)  # models, MT, files: --dry-run fails where the run would
    if quiet:
        import os

        import transformers

        os.environ["TQDM_DISABLE"] = "1"  # tqdm reads it (training bars)
        transformers.utils.logging.disable_progress_bar()
    root = out or rec.root()
    if dry_run:
        steps = plan(rec, root)
        click.echo(_table(plan_table(steps), ["stage", "step", "status", "hash", "folder"]))
        todo = sum(s.status() != "done" for s in steps)
        click.echo(f"{len(steps)} steps, {todo} to do; output: {root}")
        return
    if executor == "ray":
        from xprep.distributed.study import run_recipe_ray

        counts = run_recipe_ray(rec, root, echo=click.echo, address=ray_address, max_retries=max_retries)
    else:
        if ray_address:
            raise XprepError("--ray-address needs --executor ray")
        counts = run_recipe(rec, root, echo=click.echo, progress=not quiet)
    click.echo(f"{counts['ran']} steps run, {counts['skipped']} skipped (already done)")
    if not no_compare:
        _compare(root / "runs", root, None, 1000)
    click.echo(f"output: {root}")


def _compare(runs_dir: Path, out: Path, tokenizer: Path | None, samples: int) -> None:
    from xprep.compare import write_comparison
    from xprep.compare_report import normalisation_notes

    notes = normalisation_notes({"given": tokenizer} if tokenizer else None, runs_dir)
    rows, files = write_comparison(runs_dir, out, notes, samples)
    table = [
        [
            r["target"],
            r["lang"],
            r["arm"],
            r["seeds"],
            f"{r['clean']}±{r['clean_sd']}",
            r["perturbation"] or "-",
            r.get("perturbed", ""),
            r.get("drop", ""),
            f"{r['gain']:+.2f} [{r['gain_ci_low']:+.2f},{r['gain_ci_high']:+.2f}]" if "gain" in r else "",
        ]
        for r in rows
    ]
    header = ["target", "lang", "arm", "seeds", "clean", "perturbation", "perturbed", "drop", "gain vs English [CI]"]
    click.echo(_table(table, header))
    for f in files:
        click.echo(f"wrote {f}")


@main.command("compare")
@click.argument("runs_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--out", default=None, type=click.Path(path_type=Path), help="Where to write (default RUNS_DIR).")
@click.option(
    "--tokenizer",
    default=None,
    type=click.Path(path_type=Path, exists=True),
    help="tokenizer.json or model folder for the note on what normalisation undoes (default: XLM-R's, if installed).",
)
@click.option("--samples", default=1000, show_default=True, help="Bootstrap resamples for the gain's CI.")
def compare_cmd(runs_dir: Path, out: Path | None, tokenizer: Path | None, samples: int) -> None:
    """Compare runs: comparison.md/.csv (clean, perturbed, drop, flip rate, robust accuracy, gain over English
    with a paired bootstrap CI, spread over seeds), heatmap.png and clean_vs_perturbed.png."""
    _compare(runs_dir, out or runs_dir, tokenizer, samples)
