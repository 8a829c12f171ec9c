"""Calibrate the meaning check: real translation pairs against shuffled pairs and planted failures.

Real pairs: Parallel UD (English against the German, French, Hindi and Thai sentence of the same
``sent_id``), Tatoeba (English against German, French, Spanish) and Apertium's en->es output of the PUD
English sentences. Against them: the same sources with a shuffled target of the same language, and
Apertium's output with planted failures:

- ``truncated``: the translation cut to its first third of words (a decoder stopped early);
- ``repeated``: its first half, then one of its 2-grams looped eight times (an NLLB-style repetition loop);
- ``wrong_language``: the German PUD sentence in place of the Spanish one (a faithful but off-target output).

Prints ROC AUC of true pairs against each negative set, the threshold that flags 1% of true pairs, and the
share of each negative set that threshold flags. Run: ``python scripts/calibrate_meaning.py [--n 500]``.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from xprep.quality.meaning import embed, resolve_qe_model

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def pud_texts(lang: str) -> dict[str, str]:
    """``sent_id -> # text`` of one Parallel UD test treebank."""
    out, sent_id = {}, None
    for line in (DATA / "ud-pud" / f"{lang}_pud-ud-test.conllu").open(encoding="utf-8"):
        if line.startswith("# sent_id = "):
            sent_id = line.split("=", 1)[1].strip()
        elif line.startswith("# text = ") and sent_id:
            out[sent_id] = line.split("=", 1)[1].strip()
    return out


def tatoeba(code: str, n: int) -> list[tuple[str, str]]:
    base = DATA / "tatoeba" / f"tatoeba.{code}-eng"
    eng = Path(f"{base}.eng").read_text(encoding="utf-8").splitlines()
    other = Path(f"{base}.{code}").read_text(encoding="utf-8").splitlines()
    return list(zip(eng, other, strict=True))[:n]


def shuffled(pairs: list[tuple[str, str]], rng: random.Random) -> list[tuple[str, str]]:
    """Each source against another pair's target (never its own)."""
    order = list(range(len(pairs)))
    rng.shuffle(order)
    partner = {a: b for a, b in zip(order, order[1:] + order[:1], strict=True)}  # one cycle: no fixed point
    return [(s, pairs[partner[i]][1]) for i, (s, _) in enumerate(pairs)]


def truncate(text: str) -> str:
    words = text.split()
    return " ".join(words[: max(1, len(words) // 3)])


def repeat_loop(text: str) -> str:
    words = text.split()
    half = words[: max(2, len(words) // 2)]
    loop = half[-2:] if len(half) >= 2 else half
    return " ".join(half + loop * 8)


def auc(pos: list[float], neg: list[float]) -> float:
    """ROC AUC: the probability that a true pair scores above a negative one (ties count half)."""
    ranked = sorted([(v, 1) for v in pos] + [(v, 0) for v in neg])
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        mid = (i + j + 1) / 2  # average 1-based rank of the tie group
        rank_sum += mid * sum(1 for _, label in ranked[i:j] if label)
        i = j
    return (rank_sum - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


def build_sets(n: int, seed: int) -> tuple[dict[str, list[tuple[str, str]]], dict[str, list[tuple[str, str]]]]:
    """(true pair sets, negative pair sets), each a list of (source, target) texts."""
    from xprep.mt.apertium import ApertiumModel

    rng = random.Random(seed)
    en = pud_texts("en")
    ids = [i for i in en if all(i in d for d in (pud_texts("de"), pud_texts("fr")))][:n]
    true: dict[str, list[tuple[str, str]]] = {}
    for lang in ("de", "fr", "hi", "th"):
        other = pud_texts(lang)
        true[f"pud en-{lang}"] = [(en[i], other[i]) for i in ids if i in other]
    for code in ("deu", "fra", "spa"):
        true[f"tatoeba en-{code}"] = tatoeba(code, n)
    sources = [en[i] for i in ids]
    spanish = ApertiumModel.load("apertium").translate_texts(sources, "en", "es")
    true["apertium en-es"] = list(zip(sources, spanish, strict=True))
    german = pud_texts("de")
    neg = {f"shuffled {name}": shuffled(pairs, rng) for name, pairs in true.items()}
    neg["truncated (apertium es)"] = [(s, truncate(t)) for s, t in true["apertium en-es"]]
    neg["repeated (apertium es)"] = [(s, repeat_loop(t)) for s, t in true["apertium en-es"]]
    neg["wrong language (de for es)"] = [(en[i], german[i]) for i in ids]
    return true, neg


def score_sets(sets: dict[str, list[tuple[str, str]]], model: Path) -> dict[str, list[float]]:
    """Cosine similarity of every pair of every set; each distinct text is embedded once (shuffled sets
    reuse the true sets' texts)."""
    texts = sorted({x for pairs in sets.values() for pair in pairs for x in pair})
    vectors = embed(texts, model)
    row = {t: i for i, t in enumerate(texts)}
    return {
        name: (vectors[[row[s] for s, _ in pairs]] * vectors[[row[t] for _, t in pairs]]).sum(-1).tolist()
        for name, pairs in sets.items()
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500, help="pairs per source")
    ap.add_argument("--qe-model", default=None, help="encoder folder (default: multilingual-e5-small)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--flag-rate", type=float, default=0.01, help="share of true pairs the threshold flags")
    args = ap.parse_args()
    model = resolve_qe_model(args.qe_model)
    t0 = time.perf_counter()
    true, neg = build_sets(args.n, args.seed)
    scores = score_sets({**true, **neg}, model)
    real = sorted(v for name in true for v in scores[name])
    threshold = real[int(args.flag_rate * len(real))]
    print(f"model: {model.name}; {len(real)} true pairs; {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    print(f"threshold flagging {args.flag_rate:.0%} of true pairs: {threshold:.4f}\n")
    print("| set | pairs | mean cosine | ROC AUC (all true pairs vs this) | flagged at threshold |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name in [*true, *neg]:
        vals = scores[name]
        mean = sum(vals) / len(vals)
        flagged = sum(v < threshold for v in vals) / len(vals)
        area = f"{auc(real, vals):.4f}" if name in neg else "—"
        print(f"| {name} | {len(vals)} | {mean:.4f} | {area} | {flagged:.1%} |")
    neg_all = [v for name in neg if name.startswith("shuffled") for v in scores[name]]
    flagged_all = sum(v < threshold for v in neg_all) / len(neg_all)
    mean_all = sum(neg_all) / len(neg_all)
    print(f"| all shuffled | {len(neg_all)} | {mean_all:.4f} | {auc(real, neg_all):.4f} | {flagged_all:.1%} |")

if __name__ == "__main__":
    main()
