"""``xprep projection report``: how labels fared in a build, for a person to judge in a minute.

Reads every build cell under a folder, counts projection status, method and failure reasons,
writes ``projection_report.md`` (a table, failure reasons, a side-by-side sample of failures) and a
PNG histogram of target/source answer-length ratios (span builds).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xprep.errors import InputError
from xprep.io import read_jsonl
from xprep.manifest import MANIFEST, RECORDS
from xprep.report import format_table


def _cells(build_dir: Path) -> list[Path]:
    cells = []
    for man in sorted(build_dir.rglob(MANIFEST)):
        if man.parent.name.startswith("."):
            continue
        declared = json.loads(man.read_text(encoding="utf-8"))["declared"]
        if declared["task"]["kind"] in ("span", "tagging"):
            cells.append(man.parent)
    return cells


@dataclass
class _Tally:
    """What the report counts over a build's cells."""

    rows: list[list[Any]] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    failures: list[tuple[Path, dict, dict]] = field(default_factory=list)
    reasons: Counter = field(default_factory=Counter)


def write_report(build_dir: Path, samples: int = 10, echo: Callable[[str], None] = print) -> tuple[Path, Path | None]:
    """Write the report files into ``build_dir``; returns (markdown path, PNG path or None)."""
    cells = _cells(build_dir)
    if not cells:
        raise InputError("no span or tagging build cells here", where=str(build_dir))
    tally = _Tally()
    for cell in cells:
        tally.rows.append(_count_cell(cell, build_dir, tally, samples))
    header = ["cell", "records", "projected", "failed", "not needed", "success", "tag coverage", "methods"]
    table = format_table(tally.rows, header)
    echo(table)
    png = _histogram(tally.ratios, build_dir / "projection_answer_length_ratio.png") if tally.ratios else None
    md = build_dir / "projection_report.md"
    lines = ["# Projection report", "", f"Build: `{build_dir}`", "", "```", table, "```", ""]
    md.write_text("\n".join(lines + _details(tally, png, build_dir)) + "\n", encoding="utf-8")
    return md, png


def _count_cell(cell: Path, build_dir: Path, tally: _Tally, samples: int) -> list[Any]:
    """One cell's row of the table; its ratios, failure reasons and sample failures go into ``tally``."""
    status: Counter = Counter()
    methods: Counter = Counter()
    coverage = []
    for rec in read_jsonl(cell / RECORDS):
        proj = rec["meta"].get("projection", {})
        status[proj.get("status", "?")] += 1
        if proj.get("status") == "projected":
            m = proj.get("method")
            methods[m if isinstance(m, str) else "mixed"] += 1
            if "answer_length_ratio" in proj:
                tally.ratios.append(proj["answer_length_ratio"])
            if "coverage" in proj:
                coverage.append(proj["coverage"])
        elif proj.get("status") == "failed":
            tally.reasons[proj.get("reason", "?")] += 1
            for method, why in proj.get("failures", {}).items():
                tally.reasons[f"{method}: {why}"] += 1
            if len(tally.failures) < samples:
                tally.failures.append((cell, rec, proj))
    need = status["projected"] + status["failed"]
    rate = f"{100 * status['projected'] / need:.1f}%" if need else "-"
    cov = f"{100 * sum(coverage) / len(coverage):.1f}%" if coverage else "-"
    return [
        str(cell.relative_to(build_dir)),
        sum(status.values()),
        status["projected"],
        status["failed"],
        status["not_needed"],
        rate,
        cov,
        ", ".join(f"{k} {v}" for k, v in methods.most_common()),
    ]


def _details(tally: _Tally, png: Path | None, build_dir: Path) -> list[str]:
    """The report's sections after the table: failure reasons, the length-ratio histogram, sample failures."""
    lines: list[str] = []
    if tally.reasons:
        lines += ["## Failure reasons", "", "| reason | count |", "| --- | ---: |"]
        lines += [f"| {k} | {v} |" for k, v in tally.reasons.most_common()]
        lines.append("")
    if png:
        med = sorted(tally.ratios)[len(tally.ratios) // 2]
        summary = f"{len(tally.ratios)} projected answers, median {med:.2f}."
        lines += ["## Answer length ratio (target/source characters)", "", summary, "", f"![histogram]({png.name})", ""]
    if tally.failures:
        lines += ["## Sample of failures", "", "| cell | id | source answer(s) | target context (start) | why |",
                  "| --- | --- | --- | --- | --- |"]  # fmt: skip
        for cell, rec, proj in tally.failures:
            src = "; ".join(a["text"] for a in proj.get("source_answers", [])) or ", ".join(
                proj.get("source_tags", [])[:8]
            )
            ctx = rec.get("context") or " ".join(rec.get("tokens", []))
            why = proj.get("reason", "") + (f" ({proj['failures']})" if proj.get("failures") else "")
            lines.append(
                f"| {cell.relative_to(build_dir)} | {rec['id']} | {_cell_text(src)} | "
                f"{_cell_text(ctx[:160])} | {_cell_text(why)} |"
            )
    return lines


def _cell_text(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _histogram(ratios: list[float], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=110)
    ax.hist([min(r, 4.0) for r in ratios], bins=40, range=(0, 4), color="#4477aa")
    ax.axvline(1.0, color="#cc6677", linestyle="--", linewidth=1)
    ax.set_xlabel("target / source answer length (characters; >4 shown at 4)")
    ax.set_ylabel("answers")
    ax.set_title(f"Projected answer length ratio (n={len(ratios)})")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
