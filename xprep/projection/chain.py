"""The projection chain: try methods in order per record; record which one succeeded, or why all failed.

The methods and what each needs are registry entries (:mod:`xprep.projection.methods`): the chain asks
them. ``align`` works sentence by sentence where the sentence correspondence is known (always in a
build: the segmenter made it), else on whole paragraphs. Tagging records use alignment only (see
:mod:`xprep.projection.tags` for the policy).

The invariant holds for every projected span: ``context[start:start+len(text)] == text``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from xprep.mt.segment import split_sentences
from xprep.projection.align import Aligner
from xprep.projection.bitext import AlignedText, Ranges, align_texts
from xprep.projection.methods import PROJECTORS, Attempt, Marked, reads_extra_translations
from xprep.projection.suffixes import span_edges
from xprep.projection.tags import TagItem, TagPolicy, project_corpus, refine_mode, word_vectors
from xprep.records import Record, SpanRecord, TaggingRecord


@dataclass
class SpanOutcome:
    start: int | None
    end: int | None
    method: str | None
    failures: dict[str, str]


def project_answer(
    src_context: str,
    start: int,
    text: str,
    tgt_context: str,
    chain: Sequence[str],
    hint: str | None = None,
    aligned: AlignedText | None = None,
    fuzzy_threshold: float = 70.0,
    marked: Marked | None = None,
    lang: str | None = None,
) -> SpanOutcome:
    """Project one answer ``src_context[start:start+len(text)]`` onto ``tgt_context`` trying ``chain`` in order.

    ``lang``, the target's language, decides language rules on the span found
    (:mod:`xprep.projection.suffixes`)."""
    failures: dict[str, str] = {}
    attempt = Attempt(src_context, start, text, tgt_context, hint, aligned, marked, fuzzy_threshold)
    for method in chain:
        span, why = PROJECTORS.get(method).locate(attempt)
        if span is not None:
            start_t, end_t = span_edges(tgt_context, span[0], span[1], text, lang)
            return SpanOutcome(start_t, end_t, method, failures)
        failures[method] = why or "not_found"
    return SpanOutcome(None, None, None, failures)


def _marked(src: SpanRecord, i: int, extras: dict[str, str], ctx_offsets: Ranges | None, tgt_len: int) -> Marked:
    from xprep.projection.markers import marked_segment

    ans = src.answers[i]
    found = marked_segment(src.context, ans["start"], ans["start"] + len(ans["text"]))
    if found is None:
        return Marked(None, None, "marker_chars_in_source")
    _, k0, k1 = found
    n_src = len(split_sentences(src.context))
    # with --no-segment whole fields were translated: search the whole context
    window = (ctx_offsets[k0][0], ctx_offsets[k1][1]) if ctx_offsets and len(ctx_offsets) == n_src else (0, tgt_len)
    return Marked(extras.get(f"markers.{i}"), window)


def project_records(
    pairs: Sequence[tuple[Record, Record, dict[str, Ranges], dict[str, str]]],
    chain: Sequence[str],
    aligner: Aligner | None,
    tag_policy: TagPolicy | None = None,
) -> list[dict[str, Any]]:
    """Project labels for translated records in place; return each record's ``meta.projection``.

    ``pairs`` holds (source record, translated record, target sentence offsets per field path as the
    pipeline records them in ``meta.translation.segments``, extra translations such as the marked
    segments ``markers.i``). Alignment is lazy: only records that reach ``align`` in the chain (an answer
    the earlier methods failed on, or a tagging record) are aligned, each unique (source text, target
    text, sentence correspondence) once. An aligner that learns from the corpus itself (eflomal:
    ``learns_from_corpus``) is given every labelled record, as before.
    """
    need = _needing_alignment(pairs, chain, aligner)
    items: list[tuple[str, str, Ranges | None, Ranges | None]] = []
    slot: dict[int, int] = {}
    unique: dict[tuple, int] = {}
    for k in need:
        src, tgt, offsets, _ = pairs[k]
        if isinstance(src, SpanRecord) and isinstance(tgt, SpanRecord):
            src_sents = [(s.start, s.end) for s in split_sentences(src.context)]
            item = (src.context, tgt.context, src_sents, offsets.get("context"))
        else:
            item = (" ".join(src.tokens), " ".join(tgt.tokens), None, None)  # type: ignore[attr-defined]
        key = (item[0], item[1], _frozen(item[2]), _frozen(item[3]))
        if key not in unique:
            unique[key] = len(items)
            items.append(item)
        slot[k] = unique[key]
    aligned = align_texts(items, aligner) if items else []  # type: ignore[arg-type]
    tagged = _project_tagging_records(pairs, {k: aligned[i] for k, i in slot.items()}, aligner, tag_policy)
    metas = []
    for k, (src, tgt, offsets, extras) in enumerate(pairs):
        at = aligned[slot[k]] if k in slot else None
        if isinstance(src, SpanRecord) and isinstance(tgt, SpanRecord):
            metas.append(_project_span_record(src, tgt, chain, at, extras, offsets.get("context")))
        elif k in tagged:
            metas.append(tagged[k])
        else:
            metas.append({"status": "not_needed"})
    return metas


def _frozen(ranges: Ranges | None) -> tuple | None:
    return None if ranges is None else tuple(tuple(r) for r in ranges)


def _needing_alignment(
    pairs: Sequence[tuple[Record, Record, dict[str, Ranges], dict[str, str]]],
    chain: Sequence[str],
    aligner: Aligner | None,
) -> list[int]:
    """Indices of the records whose projection reaches ``align``: tagging records, and span records with
    an answer that every method before ``align`` in the chain fails on (all of them when the aligner
    learns from the corpus)."""
    first = next((k for k, m in enumerate(chain) if PROJECTORS.get(m).needs_aligner), None)
    if aligner is None or first is None:
        return []
    before = tuple(chain[:first])
    everything = bool(getattr(aligner, "learns_from_corpus", False)) or not before
    out = []
    for k, (src, tgt, offsets, extras) in enumerate(pairs):
        if isinstance(src, TaggingRecord) and isinstance(tgt, TaggingRecord):
            out.append(k)
        elif isinstance(src, SpanRecord) and isinstance(tgt, SpanRecord) and src.answers:  # noqa: SIM102
            if everything or not _answered_before_align(src, tgt, before, extras, offsets.get("context")):
                out.append(k)
    return out


def _answered_before_align(
    src: SpanRecord, tgt: SpanRecord, before: Sequence[str], extras: dict[str, str], ctx_offsets: Ranges | None
) -> bool:
    """Whether the methods ``before`` align in the chain project every answer of the record."""
    for i, (s_ans, t_ans) in enumerate(zip(src.answers, tgt.answers, strict=True)):
        marked = _marked(src, i, extras, ctx_offsets, len(tgt.context)) if reads_extra_translations(before) else None
        out = project_answer(
            src.context, s_ans["start"], s_ans["text"], tgt.context, before, t_ans["text"], None, marked=marked
        )
        if out.start is None:
            return False
    return True


def _project_span_record(
    src: SpanRecord,
    tgt: SpanRecord,
    chain: Sequence[str],
    at: AlignedText | None,
    extras: dict[str, str],
    ctx_offsets: Ranges | None,
) -> dict:
    if not src.answers:
        return {"status": "not_needed", "reason": "unanswerable"}
    answers, methods, failures = [], [], {}
    for i, (s_ans, t_ans) in enumerate(zip(src.answers, tgt.answers, strict=True)):
        marked = _marked(src, i, extras, ctx_offsets, len(tgt.context)) if reads_extra_translations(chain) else None
        out = project_answer(
            src.context,
            s_ans["start"],
            s_ans["text"],
            tgt.context,
            chain,
            t_ans["text"],
            at,
            marked=marked,
            lang=tgt.lang,
        )
        if out.start is None:
            tgt.answers = []
            return {
                "status": "failed",
                "reason": "all_methods_failed",
                "failures": out.failures,
                "source_answers": src.answers,
            }
        answers.append({"text": tgt.context[out.start : out.end], "start": out.start})
        methods.append(out.method)
        failures.update(out.failures)
    tgt.answers = answers
    ratio = sum(len(a["text"]) for a in answers) / max(1, sum(len(a["text"]) for a in src.answers))
    return {
        "status": "projected",
        "method": methods[0] if len(set(methods)) == 1 else methods,
        "answer_length_ratio": round(ratio, 4),
        "failures": failures,
    }


def _project_tagging_records(
    pairs: Sequence[tuple[Record, Record, dict[str, Ranges], dict[str, str]]],
    aligned: dict[int, AlignedText],
    aligner: Aligner | None,
    policy: TagPolicy | None,
) -> dict[int, dict]:
    """Tags of every tagging record, projected together (the corpus refinement sees them all at once);
    sets each target record's tags and returns its ``meta.projection`` by index."""
    policy = policy or TagPolicy()
    metas: dict[int, dict] = {}
    ks, items = [], []
    for k, (src, tgt, _, _) in enumerate(pairs):
        if not (isinstance(src, TaggingRecord) and isinstance(tgt, TaggingRecord)):
            continue
        at = aligned.get(k)
        if at is None:
            tgt.tags = []
            metas[k] = {"status": "failed", "reason": "tags_need_word_alignment", "source_tags": src.tags}
            continue
        # word units of the joined text are the tokens themselves (tokens hold no whitespace) unless a token
        # mixes letters and punctuation; map unit links back to tokens through character offsets
        src_tok, tgt_tok = _token_index(src.tokens, at.src_words), _token_index(tgt.tokens, at.tgt_words)
        links = {(src_tok[i], tgt_tok[j]) for i, j in at.links}
        ks.append(k)
        items.append(TagItem(src.tokens, src.tags, tgt.tokens, links))
    embed = word_vectors(aligner)
    mode = refine_mode(policy, embed)
    for k, (tags, coverage) in zip(ks, project_corpus(items, policy, embed), strict=True):
        pairs[k][1].tags = tags  # type: ignore[attr-defined]
        metas[k] = {"status": "projected", "method": "align", "coverage": round(coverage, 4), "refine": mode}
    return metas


def _token_index(tokens: Sequence[str], units: Ranges) -> list[int]:
    """For each word unit of ``" ".join(tokens)``, the index of the token it lies in."""
    starts, pos = [], 0
    for tok in tokens:
        starts.append(pos)
        pos += len(tok) + 1
    out, t = [], 0
    for a, _ in units:
        while t + 1 < len(starts) and starts[t + 1] <= a:
            t += 1
        out.append(t)
    return out
