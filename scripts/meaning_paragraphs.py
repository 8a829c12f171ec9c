"""The meaning check on paragraph fields: whole-field cosine against sentence pairs, side by side.

XQuAD's English paragraphs (``../shared/data/english/squad-v1.1-dev-subset/xquad.en.json``, 240) are
split into sentences by xprep's segmenter and translated sentence by sentence with Apertium en->es, as a
build translates them. Against the true translations, planted failures of one segment or of the end:

- ``one sentence swapped``: one translated sentence replaced by a sentence of another paragraph's
  translation (a hallucinated segment of normal length);
- ``cut to 2/3`` / ``cut to 0.9``: the translation cut to that share of its characters;
- ``shuffled``: another paragraph's translation.

Each set is scored both ways at the check's threshold (``DEFAULT_MIN_MEANING``): the cosine of the whole
field (how the check scored fields before 2026-12-03) and the least similar sentence pair
(:func:`xprep.quality.meaning.sentence_pairs`, how it scores them now). Run:
``python scripts/meaning_paragraphs.py [--qe-model DIR]``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
XQUAD = ROOT.parent / "shared" / "data" / "english" / "squad-v1.1-dev-subset" / "xquad.en.json"


def paragraphs() -> list[list[tuple[str, str]]]:
    """Per paragraph, its (English sentence, Apertium Spanish) pairs."""
    from xprep.mt.apertium import ApertiumModel
    from xprep.mt.segment import split_sentences

    data = json.loads(XQUAD.read_text(encoding="utf-8"))
    texts = [p["context"] for a in data["data"] for p in a["paragraphs"]]
    sentences = [[t[s.start : s.end] for s in split_sentences(t)] for t in texts]
    flat = [s for ss in sentences for s in ss]
    spanish = iter(ApertiumModel.load("apertium").translate_texts(flat, "en", "es"))
    return [[(s, next(spanish)) for s in ss] for ss in sentences]


def planted(paras: list[list[tuple[str, str]]], seed: int) -> dict[str, list[tuple[str, str]]]:
    rng = random.Random(seed)

    def joined(pairs: list[tuple[str, str]], side: int) -> str:
        return " ".join(p[side] for p in pairs)

    true = [(joined(p, 0), joined(p, 1)) for p in paras]
    swapped = []
    for k, p in enumerate(paras):
        if len(p) < 2:
            continue
        other = rng.choice([q for j, q in enumerate(paras) if j != k])
        target = [t for _, t in p]
        target[rng.randrange(len(target))] = rng.choice(other)[1]
        swapped.append((true[k][0], " ".join(target)))
    return {
        "true": true,
        "one sentence swapped": swapped,
        "cut to 2/3": [(s, t[: len(t) * 2 // 3]) for s, t in true],
        "cut to 0.9": [(s, t[: len(t) * 9 // 10]) for s, t in true],
        "shuffled": [(s, true[(k + 7) % len(true)][1]) for k, (s, _) in enumerate(true)],
    }


def both_ways(pairs: list[tuple[str, str]], model: Path) -> tuple[list[float], list[float]]:
    """(whole-field cosines, least similar sentence pair per field)."""
    from xprep.quality.meaning import embed, sentence_pairs

    units = [sentence_pairs(s, t) for s, t in pairs]
    flat = [u for us in units for u in us]
    texts = [s for s, _ in pairs] + [t for _, t in pairs] + [s for s, _ in flat] + [t for _, t in flat]
    vectors = embed(texts, model)
    n, m = len(pairs), len(flat)
    whole = (vectors[:n] * vectors[n : 2 * n]).sum(-1).tolist()
    sims = (vectors[2 * n : 2 * n + m] * vectors[2 * n + m :]).sum(-1).tolist()
    least, pos = [], 0
    for us in units:
        least.append(min(sims[pos : pos + len(us)]))
        pos += len(us)
    return whole, least


def main() -> None:
    from xprep.quality.filter import DEFAULT_MIN_MEANING
    from xprep.quality.meaning import resolve_qe_model

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--qe-model", default=None, help="encoder folder (default: multilingual-e5-small)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    model = resolve_qe_model(args.qe_model)
    t0 = time.perf_counter()
    sets = planted(paragraphs(), args.seed)
    th = DEFAULT_MIN_MEANING
    print(f"| set | paragraphs | whole field: mean / flagged < {th} | sentence pairs: mean of least / flagged |")
    print("| --- | ---: | ---: | ---: |")
    for name, pairs in sets.items():
        whole, least = both_ways(pairs, model)
        cells = [f"{sum(v) / len(v):.4f} / {sum(x < th for x in v) / len(v):.1%}" for v in (whole, least)]
        print(f"| {name} | {len(pairs)} | {cells[0]} | {cells[1]} |")
    print(f"model: {model.name}; {time.perf_counter() - t0:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
