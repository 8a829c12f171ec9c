"""Score a projection method on gold parallel data, without MT.

- tags: two CoNLL-U files whose sentences share ``sent_id`` (the Parallel UD layout): source UPOS tags
  are projected onto the target's own tokens, the whole file together (refined as the tag policy says:
  :mod:`xprep.projection.refine`), and compared with the target's gold UPOS (accuracy over all target
  tokens; coverage: the share given a tag by a link, a script rule or the type dictionary; aligned: the
  share with a link);
- spans: two SQuAD-format JSON files whose questions share ids (the XQuAD layout): each source answer
  is projected onto the target paragraph and scored against the target's gold answer with SQuAD
  EM/F1 (characters as tokens for unspaced scripts). Gold data has no separately translated answer, so
  ``exact`` and ``fuzzy`` search for the source answer itself (names and numbers survive; a lower bound).
  Gold offsets are checked: an answer whose ``answer_start`` does not point at its text is an error.
Scores are percentages.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from xprep.conllu import read_conllu
from xprep.errors import InputError
from xprep.evaluate.metrics import squad_em, token_f1
from xprep.mt.segment import split_sentences
from xprep.projection.align import Aligner
from xprep.projection.chain import align_texts, project_answer
from xprep.projection.tags import TagItem, TagPolicy, project_corpus, refine_mode, word_vectors


def score_tags(
    source: Path, target: Path, aligner: Aligner, policy: TagPolicy | None = None, limit: int | None = None
) -> dict[str, Any]:
    """UPOS accuracy and coverage of tags projected from ``source`` onto ``target`` (CoNLL-U).

    ``limit`` scores only the first N shared sentences.
    """
    src = {s.sent_id: s for s in read_conllu(source)}
    tgt = {s.sent_id: s for s in read_conllu(target)}
    ids = [i for i in src if i in tgt][:limit]
    if not ids:
        raise InputError("no sent_id in common between the two CoNLL-U files", where=f"{source} / {target}")
    links = aligner.align([(src[i].forms, tgt[i].forms) for i in ids])
    policy = policy or TagPolicy()
    embed = word_vectors(aligner)
    items = [TagItem(src[i].forms, src[i].upos, tgt[i].forms, lk) for i, lk in zip(ids, links, strict=True)]
    correct = total = covered = linked = 0
    for sid, item, (tags, coverage) in zip(ids, items, project_corpus(items, policy, embed), strict=True):
        correct += sum(a == b for a, b in zip(tags, tgt[sid].upos, strict=True))
        total += len(tags)
        covered += round(coverage * len(tags))
        linked += len({j for _, j in item.links if 0 <= j < len(tags)})
    return {
        "accuracy": round(100 * correct / total, 2),
        "coverage": round(100 * covered / total, 2),
        "aligned": round(100 * linked / total, 2),
        "refine": refine_mode(policy, embed),
        "n": len(ids),
        "tokens": total,
    }


def _squad_index(path: Path) -> dict[str, tuple[str, str, list[dict]]]:
    from collections import Counter

    from xprep.errors import InputError
    from xprep.io import parsed
    from xprep.tasks.span import squad_from_json

    out = {}
    events: Counter = Counter()
    for rec in parsed(squad_from_json(Path(path), "test"), str(path), events):
        rec.validate(source=str(path))
        out[rec.id] = (rec.context, rec.question, rec.answers)
    if events:  # gold is scored as given: an offset the loader had to repair or drop is an error here
        detail = ", ".join(f"{k.split(':', 1)[1]} {n}" for k, n in sorted(events.items()))
        raise InputError(
            f"gold answer_start offsets do not point at their answer text ({detail})",
            where=str(path),
            hint="fix the gold file (translate and native builds repair such offsets and count them)",
        )
    return out


def score_spans(
    source: Path,
    target: Path,
    chain: Sequence[str],
    aligner: Aligner | None,
    lang: str | None = None,
    sentences: bool = True,
    units: str = "words",
) -> dict[str, Any]:
    """EM/F1 of answers projected from ``source`` onto ``target`` paragraphs (SQuAD JSON, shared ids).

    Paragraphs are aligned sentence by sentence when both split into the same number of sentences,
    else (or with ``sentences=False``) whole; ``units`` as in :func:`xprep.projection.chain.align_texts`.
    """
    src, tgt = _squad_index(source), _squad_index(target)
    ids = [i for i in src if i in tgt and src[i][2] and tgt[i][2]]
    if not ids:
        raise InputError("no answerable question id in common between the two files", where=f"{source} / {target}")
    contexts = sorted({(src[i][0], tgt[i][0]) for i in ids})
    aligned = {}
    if aligner is not None and "align" in chain:
        items = []
        for s, t in contexts:
            ss = [(x.start, x.end) for x in split_sentences(s)] if sentences else None
            ts = [(x.start, x.end) for x in split_sentences(t)] if sentences else None
            items.append((s, t, ss, ts))
        aligned = dict(zip(contexts, align_texts(items, aligner, units), strict=True))
    em = f1 = 0.0
    methods: dict[str, int] = {}
    misses: list[dict[str, str]] = []  # the answers that missed exact match, for a person to read
    for qid in ids:
        s_ctx, _, s_answers = src[qid]
        t_ctx, _, t_answers = tgt[qid]
        ans = s_answers[0]
        out = project_answer(
            s_ctx,
            ans["start"],
            ans["text"],
            t_ctx,
            chain,
            hint=ans["text"],  # gold data has no translated answer: exact and fuzzy look for the source's
            aligned=aligned.get((s_ctx, t_ctx)),
            lang=lang,
        )
        pred = t_ctx[out.start : out.end] if out.start is not None else ""
        golds = [a["text"] for a in t_answers]
        hit = squad_em(pred, golds)
        em += hit
        f1 += token_f1(pred, golds, lang)  # not XTREME's F1: characters as tokens where unspaced
        methods[out.method or "failed"] = methods.get(out.method or "failed", 0) + 1
        if not hit:
            misses.append({"id": qid, "source": ans["text"], "predicted": pred, "gold": golds[0]})
    n = len(ids)
    return {"em": round(100 * em / n, 2), "f1": round(100 * f1 / n, 2), "n": n, "methods": methods, "misses": misses}
