"""Records -> model inputs, one encoder per task kind (any HF tokenizer).

- pair: ``(text_a, text_b)`` with truncation to ``max_length``;
- choice: one ``(context + question, choice)`` sequence per choice, stacked ``(n_choices, length)``;
- span: ``(question, context)`` windows of ``max_length`` tokens with ``stride`` overlap; start/end token
  positions of the answer inside each window, or 0 (the ``<s>``/[CLS] token) when the window holds no
  answer or the question is unanswerable, as SQuAD v2.0 training does;
- tagging: words encoded with ``is_split_into_words``; the label sits on each word's first sub-token,
  the other sub-tokens get -100 (ignored by the loss).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from xprep.records import ChoiceRecord, PairRecord, Record, SpanRecord, TaggingRecord

IGNORE = -100


@dataclass
class Encoded:
    """Tensors ready for the model, plus what evaluation needs to map predictions back to records."""

    inputs: dict[str, Any]
    labels: Any
    record_index: list[int]
    offsets: list[Any] | None = None
    word_ids: list[list[int | None]] | None = None  # tagging: the word of every sub-token


def encode(
    records: Sequence[Record],
    tokenizer: Any,
    max_length: int = 256,
    stride: int = 128,
    tag_labels: Sequence[str] | None = None,
) -> Encoded:
    """Encode records of one kind; raises ValueError for a mix of kinds (a programming error)."""
    kinds = {r.KIND for r in records}
    if len(kinds) != 1:
        raise ValueError(f"records of several kinds: {sorted(kinds)}")
    kind = kinds.pop()
    if kind == "pair":
        return _pairs(records, tokenizer, max_length)  # type: ignore[arg-type]
    if kind == "choice":
        return _choices(records, tokenizer, max_length)  # type: ignore[arg-type]
    if kind == "span":
        return _spans(records, tokenizer, max_length, stride)  # type: ignore[arg-type]
    return _tags(records, tokenizer, max_length, tag_labels or [])  # type: ignore[arg-type]


def _pairs(records: Sequence[PairRecord], tok: Any, max_length: int) -> Encoded:
    import torch

    enc = tok(
        [r.text_a for r in records],
        [r.text_b for r in records],
        truncation=True,
        max_length=max_length,
        padding=True,
        return_tensors="pt",
    )
    return Encoded(dict(enc), torch.tensor([r.label for r in records]), list(range(len(records))))


def _choices(records: Sequence[ChoiceRecord], tok: Any, max_length: int) -> Encoded:
    import torch

    n = max(len(r.choices) for r in records)
    firsts, seconds = [], []
    for r in records:
        stem = " ".join(x for x in (r.context, r.question) if x)
        choices = list(r.choices) + [""] * (n - len(r.choices))
        firsts += [stem] * n
        seconds += choices
    enc = tok(firsts, seconds, truncation=True, max_length=max_length, padding=True, return_tensors="pt")
    inputs = {k: v.view(len(records), n, -1) for k, v in enc.items()}
    return Encoded(inputs, torch.tensor([r.label for r in records]), list(range(len(records))))


def _spans(records: Sequence[SpanRecord], tok: Any, max_length: int, stride: int) -> Encoded:
    import torch

    stride = min(stride, max_length // 2)  # the tokenizer needs stride < window - question - specials
    enc = tok(
        [r.question for r in records],
        [r.context for r in records],
        truncation="only_second",
        max_length=max_length,
        stride=stride,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
        padding=True,
        return_tensors="pt",
    )
    owners = enc.pop("overflow_to_sample_mapping").tolist()
    offsets = enc.pop("offset_mapping")
    starts, ends = [], []
    for w, owner in enumerate(owners):
        rec = records[owner]
        seq = enc.sequence_ids(w)
        s_tok = e_tok = 0
        if rec.answers:
            a = rec.answers[0]
            a_start, a_end = a["start"], a["start"] + len(a["text"])
            ctx = [i for i, sid in enumerate(seq) if sid == 1]
            if ctx and offsets[w][ctx[0]][0] <= a_start and offsets[w][ctx[-1]][1] >= a_end:
                s_tok = next(i for i in ctx if offsets[w][i][1] > a_start)
                e_tok = next(i for i in reversed(ctx) if offsets[w][i][0] < a_end)
        starts.append(s_tok)
        ends.append(e_tok)
    labels = {"start_positions": torch.tensor(starts), "end_positions": torch.tensor(ends)}
    return Encoded(dict(enc), labels, owners, [offsets[w] for w in range(len(owners))])


def _tags(records: Sequence[TaggingRecord], tok: Any, max_length: int, tag_labels: Sequence[str]) -> Encoded:
    import torch

    index = {t: i for i, t in enumerate(tag_labels)}
    enc = tok(
        [r.tokens for r in records],
        is_split_into_words=True,
        truncation=True,
        max_length=max_length,
        padding=True,
        return_tensors="pt",
    )
    labels = []
    for b, rec in enumerate(records):
        row, prev = [], None
        for word in enc.word_ids(b):
            row.append(index.get(rec.tags[word], IGNORE) if word is not None and word != prev else IGNORE)
            prev = word
        labels.append(row)
    word_ids = [enc.word_ids(b) for b in range(len(records))]
    return Encoded(dict(enc), torch.tensor(labels), list(range(len(records))), word_ids=word_ids)
