"""Whole-record transforms: local word-order swaps (pair and choice) and QA distractor sentences (span).

Which kinds and tasks each one accepts is declared on its registry entry (:mod:`xprep.perturb.registry`);
these functions only see records it accepted.
"""

from __future__ import annotations

import dataclasses

from xprep.errors import InputError
from xprep.perturb.edits import protected_word
from xprep.perturb.spec import Perturbation, Request, Stats
from xprep.records import Record

ORDERED_FIELDS = {"pair": ("text_a", "text_b"), "choice": ("context", "question")}  # the fields word-order swaps in


def swap_neighbours(spec: Perturbation, rec: Record, req: Request) -> tuple[Record, Stats]:
    """Swap neighbouring words with probability ``req.rate``; protected words (pair rules) never move."""
    stats: Stats = {"changed": 0, "units": 0}

    def shuffle(text: str, field: str) -> str:
        rng = req.rng(rec, field)
        words = text.split(" ")
        stats["units"] += len(words)
        i = 0
        while i + 1 < len(words):
            a, b = words[i], words[i + 1]
            movable = not any(protected_word(w.strip(".,;:!?"), j == 0) for j, w in ((i, a), (i + 1, b)))
            if movable and rng.random() < req.rate:
                words[i], words[i + 1] = b, a
                stats["changed"] += 2
                i += 2
            else:
                i += 1
        return " ".join(words)

    texts = {f: getattr(rec, f) for f in ORDERED_FIELDS[rec.KIND]}
    return dataclasses.replace(rec, **{f: shuffle(t, f) if t else "" for f, t in texts.items()}), stats


def append_distractor(spec: Perturbation, rec: Record, req: Request) -> tuple[Record, Stats]:
    """Append one sentence taken from another context of ``req.pool``: answers and their offsets are untouched."""
    from xprep.mt.langcodes import joiner
    from xprep.mt.segment import split_sentences

    others = [c for c in req.pool if c != rec.context]
    if not others:
        raise InputError("no other context to take a distractor sentence from")
    rng = req.rng(rec, "context")
    ctx = rng.choice(others)
    sents = [ctx[x.start : x.end] for x in split_sentences(ctx)] or [ctx]
    new = dataclasses.replace(rec, context=rec.context + joiner(rec.lang) + rng.choice(sents))
    return new, {"changed": 1, "units": 1}
