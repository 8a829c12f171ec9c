"""Retrieval as XTREME does it, on sentence vectors that are already L2-normalised.

- Tatoeba (``similarity_search`` in XTREME's ``third_party/utils_retrieve.py``): the index holds the
  non-English sentences and each **English** sentence is a query; the prediction for English line i is the
  line of its nearest non-English sentence (cosine, which ranks as the L2 distance of normalised vectors).
  Accuracy is the share of English lines whose prediction is their own line.
- BUCC (``mine_bitext`` with its defaults, then ``bucc_eval``): identical sentences are embedded once; the
  k = 4 nearest neighbours are found in both directions; each candidate among them is scored by the ratio
  margin cos(x, y) / ((mean k-NN cosine of x + mean k-NN cosine of y) / 2); every source keeps its best
  forward candidate and every target its best backward one; the pooled pairs are taken greedily by
  descending score, one-to-one (a sentence used once is never used again), keeping scores above 0. Pairs
  are mapped back to ids, dropping sentences that occur under more than one id, and the threshold is the
  midpoint between the score that maximises F1 over the gold pairs and the next one; the reported scores
  are those of the pairs at or above that threshold.

One deliberate difference: XTREME's threshold search indexes past its list (and crashes) when the best F1
falls on the lowest-scoring candidate; xprep then uses that candidate's own score, which keeps every
candidate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from xprep.evaluate.metrics import pair_set_scores


def _topk(queries: Any, keys: Any, k: int, chunk: int = 2048) -> tuple[Any, Any]:
    """(cosines, indices) of the ``k`` nearest ``keys`` of every query, best first."""
    import torch

    values, indices = [], []
    for i in range(0, len(queries), chunk):
        top = (queries[i : i + chunk] @ keys.T).topk(min(k, len(keys)), dim=1)
        values.append(top.values)
        indices.append(top.indices)
    return torch.cat(values), torch.cat(indices)


def tatoeba_search(non_english: Any, english: Any) -> list[int]:
    """For every English vector, the index of its nearest non-English vector (XTREME's direction)."""
    return _topk(english, non_english, 1)[1][:, 0].tolist()


def mine_pairs(src: Any, tgt: Any, k: int = 4) -> list[tuple[int, int, float]]:
    """One-to-one (source index, target index, ratio-margin score) pairs, best first, scores above 0."""
    import torch

    fwd_cos, fwd_idx = _topk(src, tgt, k)
    bwd_cos, bwd_idx = _topk(tgt, src, k)
    src_mean, tgt_mean = fwd_cos.mean(1), bwd_cos.mean(1)
    fwd_margin = fwd_cos / ((src_mean[:, None] + tgt_mean[fwd_idx]) / 2)
    bwd_margin = bwd_cos / ((tgt_mean[:, None] + src_mean[bwd_idx]) / 2)
    fwd_best, bwd_best = fwd_margin.max(1), bwd_margin.max(1)
    fwd_tgt = fwd_idx.gather(1, fwd_best.indices[:, None])[:, 0]
    bwd_src = bwd_idx.gather(1, bwd_best.indices[:, None])[:, 0]
    pool_src = torch.cat([torch.arange(len(src)), bwd_src]).tolist()
    pool_tgt = torch.cat([fwd_tgt, torch.arange(len(tgt))]).tolist()
    scores = torch.cat([fwd_best.values, bwd_best.values]).tolist()
    seen_src: set[int] = set()
    seen_tgt: set[int] = set()
    out = []
    for n in sorted(range(len(scores)), key=lambda n: -scores[n]):
        s, t = pool_src[n], pool_tgt[n]
        if s in seen_src or t in seen_tgt:
            continue
        seen_src.add(s)
        seen_tgt.add(t)
        if scores[n] > 0:
            out.append((s, t, scores[n]))
    return out


def unique_sentences(table: Mapping[str, str]) -> tuple[list[str], dict[str, str]]:
    """(distinct sentences in first-seen order, sentence -> id for sentences that have exactly one id)."""
    first: dict[str, str] = {}
    repeated: set[str] = set()
    for sid, sent in table.items():
        sent = sent.strip()
        if sent in first:
            repeated.add(sent)
        else:
            first[sent] = sid
    return list(first), {s: i for s, i in first.items() if s not in repeated}


def candidate_scores(
    pairs: Sequence[tuple[int, int, float]],
    src_sents: Sequence[str],
    tgt_sents: Sequence[str],
    src_ids: Mapping[str, str],
    tgt_ids: Mapping[str, str],
) -> dict[tuple[str, str], float]:
    """Mined sentence pairs as ``(source id, target id) -> score`` (the highest when a pair repeats)."""
    out: dict[tuple[str, str], float] = {}
    for s, t, score in pairs:
        key = (src_ids.get(src_sents[s]), tgt_ids.get(tgt_sents[t]))
        if key[0] is not None and key[1] is not None:
            out[key] = max(score, out.get(key, score))  # type: ignore[index]
    return out  # type: ignore[return-value]


def best_threshold(candidates: Mapping[tuple[str, str], float], gold: set[tuple[str, str]]) -> float:
    """XTREME's ``bucc_optimize``: the midpoint below the candidate where F1 over the gold pairs peaks."""
    items = sorted(candidates.items(), key=lambda item: -item[1])
    threshold, best_f1, correct = 0.0, 0.0, 0
    for n, (pair, score) in enumerate(items, 1):
        correct += pair in gold
        if not correct:
            continue
        precision, recall = correct / n, correct / len(gold)
        f1 = 2 * precision * recall / (precision + recall)
        if f1 > best_f1:
            best_f1 = f1
            threshold = (score + items[n][1]) / 2 if n < len(items) else score
    return threshold


def bucc_scores(
    candidates: Mapping[tuple[str, str], float], gold: set[tuple[str, str]], threshold: float | None = None
) -> dict[str, Any]:
    """Precision, recall, F1 (in [0, 1]) of the candidates at or above the threshold (optimised on ``gold``
    unless given), the threshold, and the predicted pairs (XTREME's BUCC prediction file)."""
    if threshold is None:
        threshold = best_threshold(candidates, gold)
    predicted = [pair for pair, score in candidates.items() if score >= threshold]
    return {**pair_set_scores(gold, set(predicted)), "threshold": threshold, "pairs": predicted}
