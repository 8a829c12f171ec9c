"""Extractive QA: SQuAD v2.0 and v1.1 (hub rows and the original SQuAD JSON)."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from xprep.drops import Dropped, repair_answers
from xprep.errors import InputError
from xprep.io import read_text
from xprep.records import SpanRecord


def squad_from_hub(row: dict[str, Any], hub_id: str) -> SpanRecord:
    """``rajpurkar/squad(_v2)`` rows: ``answers = {"text": [...], "answer_start": [...]}``."""
    raw = row["answers"]
    answers = [{"text": t, "start": int(s)} for t, s in zip(raw["text"], raw["answer_start"], strict=True)]
    return SpanRecord(
        id=str(row["id"]),
        lang="en",
        context=row["context"],
        question=row["question"],
        answers=_dedupe_answers(answers),
        title=row.get("title", ""),
        meta={"source": {"dataset": hub_id}},
    )


def _dedupe_answers(answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """SQuAD dev sets repeat the same gold answer from several annotators; keep each once, in order."""
    seen: set[tuple[str, int]] = set()
    out = []
    for ans in answers:
        key = (ans["text"], ans["start"])
        if key not in seen:
            seen.add(key)
            out.append(ans)
    return out


def _answer(raw: Any, where: str) -> dict[str, Any]:
    """One SQuAD answer ``{"text", "answer_start"}`` checked: text a string, start an integer."""
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
        raise InputError("answer without 'text'", where=where)
    start = raw.get("answer_start")
    if isinstance(start, str) and start.isdigit():
        start = int(start)
    if isinstance(start, bool) or not isinstance(start, int):
        raise InputError("answer without an integer 'answer_start'", where=where)
    return {"text": raw["text"], "start": start}


def squad_from_json(path: Path, split: str) -> Iterator[SpanRecord]:
    """The SQuAD release JSON: ``data[].paragraphs[].qas[]`` (v2.0 adds ``is_impossible``).

    Also reads the XQuAD/MLQA files, which share the layout. An ``answer_start`` that does not point at
    its text (CMRC 2018 has -1) is relocated to the text's nearest occurrence; an answer not in the
    paragraph is left out, and a question left with none is dropped (both counted).
    """
    try:
        doc = json.loads(read_text(path))
    except RecursionError:
        raise InputError("JSON nested too deeply", where=str(path)) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg} (line {exc.lineno})", where=str(path)) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise InputError("not SQuAD JSON: expected an object with a 'data' list", where=str(path))
    for a_idx, article in enumerate(doc["data"]):
        for p_idx, para in enumerate(article.get("paragraphs", [])):
            context = para.get("context")
            if not isinstance(context, str):
                raise InputError("paragraph without 'context'", where=f"{path}: data[{a_idx}].paragraphs[{p_idx}]")
            for q_idx, qa in enumerate(para.get("qas", [])):
                where = f"{path}: data[{a_idx}].paragraphs[{p_idx}].qas[{q_idx}]"
                impossible = bool(qa.get("is_impossible", False))
                raw = [] if impossible else qa.get("answers", [])
                answers = [_answer(a, f"{where}.answers[{k}]") for k, a in enumerate(raw)]
                if not isinstance(qa.get("id"), (str, int)) or not isinstance(qa.get("question"), str):
                    raise InputError("question without 'id' or 'question'", where=where)
                events: Counter = Counter()
                answers = repair_answers(context, answers, events)
                if raw and not answers:  # answerable, but no answer text is in the paragraph
                    yield Dropped("answer_not_in_context", str(qa["id"]))
                    continue
                yield from (Dropped(r, str(qa["id"]), kept=True) for r in events.elements())
                yield SpanRecord(
                    id=str(qa["id"]),
                    lang=doc.get("lang", "en") if isinstance(doc.get("lang"), str) else "en",
                    context=context,
                    question=qa["question"],
                    answers=_dedupe_answers(answers),
                    title=article.get("title", ""),
                    meta={"source": {"dataset": str(path)}},
                )


def squad_json(path: Path, split: str, lang: str) -> Iterator[SpanRecord | Dropped]:
    """The SQuAD-format release JSON in ``lang`` (XQuAD, MLQA, TyDiQA-GoldP, DRCD, FQuAD, GermanQuAD, KorQuAD,
    CMRC 2018 and JaQuAD releases use it)."""
    for rec in squad_from_json(path, split):
        yield rec if isinstance(rec, Dropped) else dataclasses.replace(rec, lang=lang)


# TyDi QA's eleven languages, by the English name that starts each example id ("finnish-123..."). Its GoldP
# (secondary) task has nine of them, XTREME's TyDiQA-GoldP test languages: Japanese and Thai are left out.
TYDIQA_LANGS = {
    "arabic": "ar",
    "bengali": "bn",
    "english": "en",
    "finnish": "fi",
    "indonesian": "id",
    "japanese": "ja",
    "korean": "ko",
    "russian": "ru",
    "swahili": "sw",
    "telugu": "te",
    "thai": "th",
}
TYDIQA_GOLDP_LANGS = ("ar", "bn", "en", "fi", "id", "ko", "ru", "sw", "te")


def tydiqa_lang(row_id: object) -> str | None:
    """The language of a TyDi QA example from its id prefix, ``finnish-...`` (None: no known prefix)."""
    prefix, dash, _ = str(row_id).partition("-")
    return TYDIQA_LANGS.get(prefix) if dash else None


def _specs() -> list:
    from xprep.tasks import HubSource, TaskSpec

    citation = "Rajpurkar et al. 2016 (SQuAD, EMNLP); Rajpurkar, Jia, Liang 2018 (Know What You Don't Know, ACL)"
    return [
        TaskSpec(
            name="squad_v2",
            kind="span",
            description="SQuAD v2.0: extractive QA with unanswerable questions (answers = [])",
            splits={"train": 130_319, "validation": 11_873},
            hub={s: (HubSource("rajpurkar/squad_v2", "squad_v2", s),) for s in ("train", "validation")},
            adapter=squad_from_hub,
            local={"squad-json": squad_from_json},
            sample="squad_v2.json",
            licence="CC BY-SA 4.0",
            citation=citation,
        ),
        TaskSpec(
            name="squad_v1",
            kind="span",
            description="SQuAD v1.1: extractive QA (XQuAD and MLQA derive from it)",
            splits={"train": 87_599, "validation": 10_570},
            hub={s: (HubSource("rajpurkar/squad", "plain_text", s),) for s in ("train", "validation")},
            adapter=squad_from_hub,
            local={"squad-json": squad_from_json},
            sample="squad_v1.json",
            licence="CC BY-SA 4.0",
            citation=citation,
            notes="Not one of the nine intermediate tasks; listed because XQuAD/MLQA derive from it.",
        ),
    ]


SPECS = _specs()
