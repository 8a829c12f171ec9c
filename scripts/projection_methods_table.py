"""Every span-projection method and aligner per script, on the hand-written QA gold: one Markdown table.

Rows: ``align`` with the encoder aligner (multilingual-e5-small, the default), ``align`` with eflomal (trained
on the set's own 10 paragraphs, both directions; stochastic, so the mean of ``--eflomal-runs`` runs with the
range), ``fuzzy`` and ``exact`` (on gold data there is no translated answer, so they look for the English
answer itself in the translation: names and numbers written alike survive; a lower bound of what they do in a
build, where the answer is machine-translated on its own), and the chain ``align,fuzzy`` (what ``chain`` is on
gold data, without MT for markers). Columns: the twelve languages of ``tests/projection/data``, EM / F1 over
the 28 short answers, then exact answers of the 5 long ones, of the 10 held-out ones (``handmade_heldout``,
written after the rules were set) and of the 24 fresh ones (``handmade_fresh``, 8 new paragraphs whose
translations no rule was made on). Every figure is measured in this run.

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


def score(chain: list[str], aligner: Any, lang: str) -> tuple[float, float, int, int, int]:
    """(short EM, short F1, exact answers: long, held-out, fresh) of one method on one language."""
    from xprep.projection.score import score_spans

    def run(stem: str) -> dict:
        return score_spans(QA_DIR / f"{stem}.en.json", QA_DIR / f"{stem}.{lang}.json", chain, aligner, lang)

    short = run("handmade_qa")
    exact = [run(stem) for stem in ("handmade_long", "handmade_heldout", "handmade_fresh")]
    long, held, fresh = (round(out["em"] * out["n"] / 100) for out in exact)
    return short["em"], short["f1"], long, held, fresh


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
        rows[name] = [f"{em:.2f} / {f1:.2f} · {n} · {h} · {f}" for em, f1, n, h, f in scores]
        print(name, "done", file=sys.stderr, flush=True)
    cells = []
    for lang in LANGS:
        runs = [score(["align"], EflomalAligner(), lang) for _ in range(args.eflomal_runs)]
        ems = [r[0] for r in runs]
        print(f"eflomal {lang} done", file=sys.stderr, flush=True)
        cells.append(
            f"{statistics.mean(ems):.2f} ({min(ems):.1f}-{max(ems):.1f}) / {statistics.mean(r[1] for r in runs):.2f}"
            + "".join(f" · {statistics.mean(r[k] for r in runs):.1f}" for k in (2, 3, 4))
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
    print("\ncells: short EM / F1 (28 answers) · exact answers: long (of 5) · held-out (of 10) · fresh (of 24)")


if __name__ == "__main__":
    main()
