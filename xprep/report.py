"""Tables a person reads at the end of a build (and, later, comparison tables and plots)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def format_table(rows: list[list[object]], header: list[str]) -> str:
    """A plain-text table with a header rule, columns padded to their widest cell; floats shown to 2
    decimals (the files keep full precision)."""
    cells = [[f"{c:.2f}" if isinstance(c, float) else str(c) for c in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def quality_table(results: Sequence[Any]) -> str:
    """One row per build cell: records in/out, projection, langid rate, flags by reason, and the path."""
    header = [
        "task",
        "lang",
        "split",
        "in",
        "out",
        "projected",
        "langid=target",
        "flagged",
        "top flags",
        "status",
        "path",
    ]
    rows = []
    for r in results:
        d, c = r.manifest.declared, r.manifest.computed
        counts, q, proj = c.get("counts", {}), c.get("quality", {}), c.get("projection", {})
        n = counts.get("in", 0)
        needs = n - proj.get("not_needed", 0)
        rate = q.get("langid_rate")
        reasons = sorted(q.get("flag_reasons", {}).items(), key=lambda kv: -kv[1])[:3]
        rows.append(
            [
                d["task"]["name"],
                r.lang,
                d["task"]["split"],
                n,
                counts.get("out", 0),
                _pct(proj.get("projected", 0), needs) if needs else "n/a",
                f"{100 * rate:.1f}%" if rate is not None else "unsupported",
                _pct(q.get("flagged", 0), n),
                ", ".join(f"{k} {v}" for k, v in reasons) or "-",
                "skipped (complete)" if r.skipped else "built",
                str(r.path),
            ]
        )
    return format_table(rows, header)
