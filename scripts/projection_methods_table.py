"""Every span-projection method and aligner per script, on the hand-written QA gold: one Markdown table.

Rows: ``align`` with the encoder aligner (multilingual-e5-small, the default), ``align`` with eflomal (trained
on the set's own 10 paragraphs, both directions; stochastic, so the mean of ``--eflomal-runs`` runs with the
range), ``fuzzy`` and ``exact`` (on gold data there is no translated answer, so they look for the English
answer itself in the translation: names and numbers written alike survive; a lower bound of what they do in a
build, where the answer is machine-translated on its own), and the chain ``align,fuzzy`` (what ``chain`` is on
gold data, without MT for markers). Columns: the twelve languages of ``tests/projection/data``, EM / F1 over
the 28 short answers, then exact answers of the 5 long ones and of the 10 held-out ones
(``handmade_heldout``, written after the rules were set). Every figure is measured in this run.

    python scripts/projection_methods_table.py --model /tmp/e5p [--eflomal-runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QA_DIR = ROOT / "tests" / "projection" / "data"
LANGS = ("de", "es", "ru", "el", "tr", "ar", "vi", "zh", "th", "hi", "ko", "ja")


def score(chain: list[str], aligner: Any, lang: str) -> tuple[float, float, int, int]:
    """(short EM, short F1, long exact answers, held-out exact answers) of one method on one language."""
    from xprep.projection.score import score_spans

    def run(stem: str) -> dict:
        return score_spans(QA_DIR / f"{stem}.en.json", QA_DIR / f"{stem}.{lang}.json", chain, aligner, lang)

    short, long, held = run("handmade_qa"), run("handmade_long"), run("handmade_heldout")
    return short["em"], short["f1"], round(long["em"] * long["n"] / 100), round(held["em"] * held["n"] / 100)


def table(encoder: Any, args: argparse.Namespace) -> dict[str, list[str]]:
    """One row of cells per method and aligner, one cell per language."""
    from xprep.projection.align import EflomalAligner

    rows: dict[str, list[str]] = {}
    for name, chain, aligner in (
        ("align, encoder (default)", ["align"], encoder),
        ("align,fuzzy, encoder", ["align", "fuzzy"], encoder),
        ("fuzzy (English answer)", ["fuzzy"], None),
        ("exact (English answer)", ["exact"], None),
    ):
        scores = [score(chain, aligner, lang) for lang in LANGS]
        rows[name] = [f"{em:.2f} / {f1:.2f} · {n} · {h}" for em, f1, n, h in scores]
        print(name, "done", file=sys.stderr, flush=True)
    cells = []
    for lang in LANGS:
        runs = [score(["align"], EflomalAligner(), lang) for _ in range(args.eflomal_runs)]
        ems = [r[0] for r in runs]
        print(f"eflomal {lang} done", file=sys.stderr, flush=True)
        cells.append(
            f"{statistics.mean(ems):.2f} ({min(ems):.1f}-{max(ems):.1f}) / {statistics.mean(r[1] for r in runs):.2f}"
            f" · {statistics.mean(r[2] for r in runs):.1f} · {statistics.mean(r[3] for r in runs):.1f}"
        )
    rows[f"align, eflomal (mean of {args.eflomal_runs})"] = cells
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="encoder folder (xprep models e5-small --out DIR)")
    parser.add_argument("--eflomal-runs", type=int, default=3, help="eflomal runs per language (it is stochastic)")
    args = parser.parse_args()

    from xprep.projection.align import EncoderAligner
    from xprep.projection.cache import CachedAligner

    with tempfile.TemporaryDirectory(prefix="xprep-methods-") as work:
        rows = table(CachedAligner(EncoderAligner(model=args.model), Path(work) / "alignments.sqlite"), args)
    print("| method, aligner | " + " | ".join(LANGS) + " |")
    print("| --- |" + " ---: |" * len(LANGS))
    for name, values in rows.items():
        print(f"| {name} | " + " | ".join(values) + " |")
    print("\ncells: short EM / F1 (28 answers) · long answers exact (of 5) · held-out answers exact (of 10)")


if __name__ == "__main__":
    main()
