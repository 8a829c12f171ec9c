"""Projection quality per script, on the gold data at hand: one table, every figure measured in this run.

- QA: the hand-written parallel sets in ``tests/projection/data`` (``qa``: ``handmade_qa.<lang>.json``, 28
  short answers; ``qa-long``: ``handmade_long.<lang>.json``, five answers of 3-8 English words on the same
  paragraphs; ``qa-heldout``: ``handmade_heldout.<lang>.json``, ten more of 3-8 words, one a paragraph, written
  after the rules were set; ``qa-fresh``: ``handmade_fresh.<lang>.json``, 24 answers on 8 new paragraphs whose
  translations no rule was made on), for de, zh, hi, th, ar, ru, vi, es, el, tr, ko, ja (English answers projected onto
  translations written for xprep; EM/F1 as ``xprep projection score`` gives them);
- UPOS: English PUD projected onto the German/French/Hindi/Thai PUD tokens (accuracy / coverage), with
  each tag refinement (``none``: direct projection; ``types``; ``probe``, the default with the encoder);
- units: how the word units of each PUD target text agree with the treebank's own tokens (the share of
  gold tokens whose both edges are unit edges, and units per gold token).

    python scripts/measure_projection.py --model /tmp/e5p --limit 300
    python scripts/measure_projection.py --model /tmp/e5p --qa-only
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QA_DIR = ROOT / "tests" / "projection" / "data"
PUD = ROOT.parent / "shared" / "data" / "ud-pud"
QA_LANGS = ("de", "zh", "hi", "th", "ar", "ru", "vi", "es", "el", "tr", "ko", "ja")
PUD_LANGS = ("de", "fr", "hi", "th")


def unit_agreement(lang: str, limit: int) -> dict[str, float]:
    """Gold-token edges kept by the word units of the sentence text (``# text``), and units per token."""
    from xprep.conllu import read_conllu
    from xprep.text import is_unspaced, word_spans

    kept = total = units = 0
    for sent in list(read_conllu(PUD / f"{lang}_pud-ud-test.conllu"))[:limit]:
        text, starts = "", []
        for k, form in enumerate(sent.forms):  # unspaced scripts glued: the units must find those edges
            if k and not (is_unspaced(sent.forms[k - 1][-1]) and is_unspaced(form)):
                text += " "
            starts.append(len(text))
            text += form
        spans = word_spans(text)
        unit_edges = {a for a, _ in spans} | {b for _, b in spans}
        kept += sum(a in unit_edges and a + len(f) in unit_edges for a, f in zip(starts, sent.forms, strict=True))
        total += len(sent.forms)
        units += len(spans)
    return {"edges_kept": round(100 * kept / total, 2), "units_per_token": round(units / total, 3)}


def measure(args: argparse.Namespace, aligner: Any) -> dict[str, dict]:
    """Every row the script prints: QA per language and kind, then UPOS per refinement and unit agreement."""
    from xprep.projection.score import score_spans, score_tags
    from xprep.projection.tags import TagPolicy

    rows: dict[str, dict] = {}
    kinds = (("qa", "handmade_qa"), ("qa-long", "handmade_long"), ("qa-heldout", "handmade_heldout"))
    for kind, stem in (*kinds, ("qa-fresh", "handmade_fresh")):
        for lang in QA_LANGS:
            src, tgt = QA_DIR / f"{stem}.en.json", QA_DIR / f"{stem}.{lang}.json"
            out = score_spans(src, tgt, ["align"], aligner, lang, units=args.units)
            rows[f"{kind} {lang}"] = {"em": out["em"], "f1": out["f1"], "n": out["n"]}
    if not args.qa_only and PUD.is_dir():
        for lang in PUD_LANGS:
            for refine in ("none", "types", "probe"):
                src, tgt = PUD / "en_pud-ud-test.conllu", PUD / f"{lang}_pud-ud-test.conllu"
                policy = TagPolicy(refine=refine, articles=args.articles).for_languages("en", lang)
                out = score_tags(src, tgt, aligner, policy, args.limit)
                keep = ("accuracy", "coverage", "aligned", "n")
                rows[f"upos {lang} {refine}"] = {k: out[k] for k in keep}
            rows[f"units {lang}"] = unit_agreement(lang, args.limit)
    return rows


def main() -> None:
    from xprep.projection.articles import ARTICLE_MODES

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="encoder folder (xprep models e5-small --out DIR)")
    parser.add_argument("--limit", type=int, default=300, help="PUD sentences per language")
    parser.add_argument("--qa-only", action="store_true")
    parser.add_argument("--units", default="words", help="alignment units: words, graphemes or whitespace")
    parser.add_argument("--articles", default="auto", choices=ARTICLE_MODES, help="English 'the' in tags")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from xprep.projection.align import EncoderAligner
    from xprep.projection.cache import CachedAligner

    with tempfile.TemporaryDirectory(prefix="xprep-measure-") as work:
        # each PUD pair is aligned once; the refinements read the same links from the cache
        aligner = CachedAligner(EncoderAligner(model=args.model), Path(work) / "alignments.sqlite")
        rows = measure(args, aligner)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return
    for name, vals in rows.items():
        print(f"{name:16s} " + "  ".join(f"{k} {v}" for k, v in vals.items()))


if __name__ == "__main__":
    main()
