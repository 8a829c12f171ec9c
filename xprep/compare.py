"""The comparison report: clean and perturbed scores per condition, robustness, and the gain over English.

``collect`` reads every run under a folder (a ``results.json`` naming its condition, plus the
``eval/{task}.{lang}.{tag}.json`` files of :func:`xprep.train.run.write_eval`). ``compare_rows`` groups the
runs by (target task, language, arm) where an arm is one intermediate-training condition (several seeds);
for every perturbation it pairs the perturbed items with the clean ones by id and reports:

- the clean and perturbed score (mean and standard deviation over seeds), the drop (absolute and
  relative), the flip rate and robust accuracy (means over seeds);
- the robustness gain over English intermediate training: drop_English - drop_arm on the items both
  evaluated, each item's score averaged over the arm's seeds, with a paired bootstrap CI over items.

The English reference of an arm is the English arm trained on the same intermediate tasks (``mnli@es``
compares with ``mnli``), else the only English arm. ``write_comparison`` writes comparison.csv,
comparison.md, a heatmap of intermediate x target deltas (over the no-intermediate baseline, as in the
study) and clean-vs-perturbed bars.
"""

from __future__ import annotations

import csv
import json
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from xprep.arms import Run, arms_of, gain_columns, in_report_order, mean_sd, reference
from xprep.attack.compare import attach_attacks, attack_rows
from xprep.compare_report import COLUMNS, markdown, plot
from xprep.errors import InputError
from xprep.evaluate.robustness import robustness

PRIMARY = {"pair": "accuracy", "choice": "accuracy", "span": "f1", "tagging": "f1"}


def collect(runs_dir: Path) -> list[Run]:
    """Every run under ``runs_dir`` whose results.json names a condition and that has eval files."""
    runs = []
    for res in sorted(runs_dir.rglob("results.json")):
        meta = json.loads(res.read_text(encoding="utf-8"))
        condition = meta.get("condition")
        if not condition:
            continue
        names = meta.get("names") or {}
        # build folders given to `xprep train --intermediate` are named by their last component
        intermediate = ",".join(Path(p).name for p in str(names.get("intermediate") or "none").split(","))
        run = Run(
            folder=res.parent,
            arm=str(names.get("arm") or (condition if condition == "none" else f"{condition}:{intermediate}")),
            condition=condition,
            intermediate=intermediate,
            target=str(names.get("target") or "?"),
            seed=int((meta.get("seeds") or {}).get("target") or 0),
        )
        for path in sorted((res.parent / "eval").glob("*.json")):
            content = json.loads(path.read_text(encoding="utf-8"))
            run.evals[(content["lang"], content["tag"])] = content
        if run.evals:
            runs.append(run)
    if not runs:
        raise InputError(
            "no runs with a condition and eval files here",
            where=str(runs_dir),
            hint="runs of `xprep run`, or of `xprep train --condition ...` + `xprep evaluate --tag ...`",
        )
    attach_attacks(runs_dir, runs)  # attack.json / transfer.json files of `xprep attack`
    return runs


def _primary(content: dict[str, Any]) -> str:
    from xprep.tasks.targets import TARGETS

    task = content["task"]
    metric = TARGETS.get(task).metric if task in TARGETS else None
    return metric if metric in content["metrics"] else next(iter(content["metrics"]))


def _paired(clean: dict[str, Any], pert: dict[str, Any]) -> tuple[list[str], list[float], list[float]]:
    """Ids both sets hold (clean order) and their per-item scores."""
    p = dict(zip(pert["ids"], pert["items"], strict=True))
    ids = [i for i in clean["ids"] if i in p]
    c = dict(zip(clean["ids"], clean["items"], strict=True))
    return ids, [c[i] for i in ids], [p[i] for i in ids]


def _seed_items(runs: Sequence[Run], lang: str, tag: str) -> tuple[list[str], list[float], list[float]] | None:
    """Per-item clean and perturbed scores averaged over the runs (seeds) on the ids all of them hold."""
    pairs = [_paired(r.evals[(lang, "clean")], r.evals[(lang, tag)]) for r in runs if (lang, tag) in r.evals]
    if not pairs:
        return None
    common = set(pairs[0][0]).intersection(*(set(p[0]) for p in pairs[1:]))
    ids = [i for i in pairs[0][0] if i in common]
    if not ids:
        return None
    maps = [(dict(zip(p[0], p[1], strict=True)), dict(zip(p[0], p[2], strict=True))) for p in pairs]
    clean = [statistics.fmean(m[0][i] for m in maps) for i in ids]
    pert = [statistics.fmean(m[1][i] for m in maps) for i in ids]
    return ids, clean, pert


def compare_rows(runs: Sequence[Run], samples: int = 1000, seed: int = 0) -> list[dict[str, Any]]:
    """One row per (target, language, arm, evaluation condition); see the module docstring."""
    rows: list[dict[str, Any]] = []
    for target in sorted({r.target for r in runs}):
        arm_runs = arms_of(runs, target)
        langs = sorted({lang for r in runs if r.target == target for (lang, tag) in r.evals if tag == "clean"})
        tags = sorted({tag for r in runs if r.target == target for (_, tag) in r.evals if tag != "clean"})
        for lang in langs:
            for arm, _ in in_report_order(arm_runs):
                rows += _arm_rows(arm_runs, arm, target, lang, tags, samples, seed)
    return rows + attack_rows(rows, runs, samples, seed)


def _arm_rows(
    arm_runs: dict[str, list[Run]], arm: str, target: str, lang: str, tags: list[str], samples: int, seed: int
) -> list[dict[str, Any]]:
    """One arm's rows on one language: its clean score, then one row per perturbation its runs were scored on."""
    group = arm_runs[arm]
    cleans = [r.evals[(lang, "clean")] for r in group if (lang, "clean") in r.evals]
    if not cleans:
        return []
    metric = _primary(cleans[0])
    clean_mean, clean_sd = mean_sd([c["metrics"][metric] for c in cleans])
    base = {"target": target, "lang": lang, "arm": arm, "condition": group[0].condition,
            "intermediate": group[0].intermediate, "metric": metric, "seeds": len(cleans), "clean": clean_mean,
            "clean_sd": clean_sd}  # fmt: skip
    if not tags:
        return [{**base, "perturbation": ""}]
    rows = []
    for tag in tags:
        row = _perturbed_row(base, group, lang, tag)
        if row is not None:
            ref = reference(arm_runs, arm)
            rows.append({**row, **(_gain(ref, group, arm_runs.get(ref, []), lang, tag, samples, seed) if ref else {})})
    return rows


def _perturbed_row(base: dict[str, Any], group: list[Run], lang: str, tag: str) -> dict[str, Any] | None:
    """The clean row with one perturbation's score, drop, flip rate and robust accuracy (None: not scored)."""
    stats = [robustness(*_paired(r.evals[(lang, "clean")], r.evals[(lang, tag)])[1:])
             for r in group if (lang, "clean") in r.evals and (lang, tag) in r.evals]  # fmt: skip
    if not stats:
        return None
    clean_mean, metric = base["clean"], base["metric"]
    pert_mean, pert_sd = mean_sd([r.evals[(lang, tag)]["metrics"][metric] for r in group if (lang, tag) in r.evals])
    return {
        **base,
        "perturbation": tag,
        "perturbed": pert_mean,
        "perturbed_sd": pert_sd,
        "drop": round(clean_mean - pert_mean, 2),
        "relative_drop": round((clean_mean - pert_mean) / clean_mean, 4) if clean_mean else 0.0,
        "flip_rate": round(statistics.fmean(s["flip_rate"] for s in stats), 2),
        "robust_accuracy": round(statistics.fmean(s["robust_accuracy"] for s in stats), 2),
        "items": stats[0]["n"],
    }


def _gain(
    ref: str, group: list[Run], ref_group: list[Run], lang: str, tag: str, samples: int, seed: int
) -> dict[str, Any]:
    """The gain columns over the English arm ``ref`` on the items both scored, seeds averaged ({}: none)."""
    mine, theirs = _seed_items(group, lang, tag), _seed_items(ref_group, lang, tag)
    if not (mine and theirs):
        return {}
    ref_items = {i: (c, p) for i, c, p in zip(*theirs, strict=True)}
    both = [(i, c, p) for i, c, p in zip(*mine, strict=True) if i in ref_items]
    if not both:
        return {}
    english = ([ref_items[i][0] for i, _, _ in both], [ref_items[i][1] for i, _, _ in both])
    return gain_columns(ref, english, ([c for _, c, _ in both], [p for _, _, p in both]), samples, seed)


def write_comparison(
    runs_dir: Path, out: Path | None = None, notes: Sequence[str] = (), samples: int = 1000, seed: int = 0
) -> tuple[list[dict[str, Any]], list[Path]]:
    """Collect runs, compute the rows, write comparison.csv/.md and the plots into ``out`` (default runs_dir)."""
    out = out or runs_dir
    out.mkdir(parents=True, exist_ok=True)
    rows = compare_rows(collect(runs_dir), samples, seed)
    with (out / "comparison.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    (out / "comparison.md").write_text(markdown(rows, notes), encoding="utf-8")
    return rows, [out / "comparison.csv", out / "comparison.md", *plot(rows, out)]
