"""Native multiple choice: JCommonsenseQA, KoBEST HellaSwag and COPA, C3, XCOPA, XStoryCloze.

Cosmos QA and SocialIQA have no close native counterparts. The registry offers as stand-ins: C3
(Chinese reading comprehension with commonsense, for Cosmos QA), KoBEST COPA and XCOPA (causal
commonsense about everyday events, the nearest to SocialIQA's motives and reactions), and XStoryCloze
(story endings, also close to HellaSwag).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from xprep.drops import Dropped
from xprep.errors import InputError
from xprep.hashing import stable_hash
from xprep.records import ChoiceRecord


def _choice(
    rec_id: str,
    lang: str,
    context: str,
    question: str,
    choices: list[str],
    label: int,
    source: str,
    extra: dict | None = None,
) -> ChoiceRecord:
    meta: dict[str, Any] = {"source": {"dataset": source}}
    if extra:
        meta["native"] = extra
    return ChoiceRecord(
        id=rec_id, lang=lang, context=context, question=question, choices=choices, label=label, meta=meta
    )


def jcsqa_row(row: dict[str, Any], lang: str, names: list[str] | None) -> ChoiceRecord:
    """JCommonsenseQA: ``q_id``, ``question``, ``choice0``..``choice4``, ``label`` (0-4)."""
    return _choice(
        str(row["q_id"]),
        lang,
        "",
        row["question"],
        [row[f"choice{i}"] for i in range(5)],
        int(row["label"]),
        "jcommonsenseqa",
    )


def jcsqa_json(path: Path, split: str, lang: str) -> Iterator[ChoiceRecord]:
    """The JGLUE release: JSON lines in the same layout as the hub rows."""
    from xprep.io import read_jsonl

    for lineno, row in enumerate(read_jsonl(path), 1):
        missing = [k for k in ("q_id", "question", "label", *(f"choice{i}" for i in range(5))) if k not in row]
        if missing:
            raise InputError(f"missing field(s) {missing}", where=f"{path}:{lineno}")
        yield jcsqa_row(row, lang, None)


def kobest_hellaswag(row: dict[str, Any], lang: str, names: list[str] | None) -> ChoiceRecord:
    """KoBEST HellaSwag: ``context``, ``ending_1``..``ending_4``, ``label`` (0-3)."""
    endings = [row[f"ending_{i}"] for i in range(1, 5)]
    return _choice(
        f"kobest-hs-{stable_hash(row['context'], *endings, length=12)}",
        lang,
        row["context"],
        "",
        endings,
        int(row["label"]),
        "skt/kobest_v1/hellaswag",
    )


def kobest_copa(row: dict[str, Any], lang: str, names: list[str] | None) -> ChoiceRecord:
    """KoBEST COPA: ``premise``, ``question`` (원인 cause / 결과 effect), ``alternative_1``/``_2``, ``label`` (0/1)."""
    alts = [row["alternative_1"], row["alternative_2"]]
    return _choice(
        f"kobest-copa-{stable_hash(row['premise'], *alts, length=12)}",
        lang,
        row["premise"],
        row["question"],
        alts,
        int(row["label"]),
        "skt/kobest_v1/copa",
    )


def xcopa_row(row: dict[str, Any], lang: str, names: list[str] | None) -> ChoiceRecord:
    """XCOPA: ``premise``, ``choice1``/``choice2``, ``question`` ('cause'/'effect', English), ``label``, ``idx``.

    The relation word is English in every language, so it goes to ``meta.native.relation`` and the
    record's question stays empty (a translated-text field must hold the record's language).
    """
    return _choice(
        f"xcopa-{lang}-{row.get('idx', stable_hash(row['premise'], length=8))}",
        lang,
        row["premise"],
        "",
        [row["choice1"], row["choice2"]],
        int(row["label"]),
        "cambridgeltl/xcopa",
        {"relation": row["question"]},
    )


def xstorycloze_row(row: dict[str, Any], lang: str, names: list[str] | None) -> ChoiceRecord:
    """XStoryCloze: four ``input_sentence_N``, ``sentence_quiz1``/``2``, ``answer_right_ending`` (1/2)."""
    story = " ".join(row[f"input_sentence_{i}"] for i in range(1, 5))
    return _choice(
        str(row["story_id"]),
        lang,
        story,
        "",
        [row["sentence_quiz1"], row["sentence_quiz2"]],
        int(row["answer_right_ending"]) - 1,
        "juletxara/xstory_cloze",
    )


def c3_row(row: dict[str, Any], lang: str, names: list[str] | None) -> ChoiceRecord | Dropped:
    """C3 as CLUE ships it: ``id``, ``context`` (list of turns/paragraphs), ``question``, ``choice``, ``answer``."""
    if row.get("answer") not in row["choice"]:
        return Dropped("no_gold_label")  # hidden test labels
    context = "\n".join(row["context"]) if isinstance(row["context"], list) else row["context"]
    return _choice(
        f"c3-{row['id']}-{stable_hash(row['question'], length=8)}",
        lang,
        context,
        row["question"],
        list(row["choice"]),
        row["choice"].index(row["answer"]),
        "clue/c3",
    )


def c3_json(path: Path, split: str, lang: str) -> Iterator[ChoiceRecord | Dropped]:
    """C3's release JSON: a list of ``[paragraphs, questions, id]``, each question ``{question, choice, answer}``."""
    from xprep.io import read_text

    try:
        docs = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg} (line {exc.lineno})", where=str(path)) from None
    if not isinstance(docs, list):
        raise InputError("not C3's release layout: expected a list of [paragraphs, questions, id]", where=str(path))
    for n, doc in enumerate(docs):
        if not (isinstance(doc, list) and len(doc) == 3 and isinstance(doc[1], list)):
            raise InputError("expected [paragraphs, questions, id]", where=f"{path}: [{n}]")
        for k, question in enumerate(doc[1]):  # a document can ask the same question twice
            yield c3_row({"id": f"{doc[2]}-{k}", "context": doc[0], **question}, lang, None)


def kobest_copa_tsv(path: Path, split: str, lang: str) -> Iterator[ChoiceRecord | Dropped]:
    """KoBEST COPA's release TSV: ``ID sentence question 1 2 Answer`` (Answer 1 or 2)."""
    from xprep.io import open_text

    with open_text(path, newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = {"sentence", "question", "1", "2", "Answer"} - set(reader.fieldnames or ())
        if missing:
            raise InputError(f"not KoBEST COPA's TSV: no column {', '.join(sorted(missing))}", where=str(path))
        for row in reader:
            if row["Answer"] not in ("1", "2"):
                yield Dropped("no_gold_label")
                continue
            yield kobest_copa(
                {"premise": row["sentence"], "question": row["question"], "alternative_1": row["1"],
                 "alternative_2": row["2"], "label": int(row["Answer"]) - 1}, lang, None,
            )  # fmt: skip


XCOPA_LANGS = ("et", "ht", "id", "it", "qu", "sw", "ta", "th", "tr", "vi", "zh")
XSTORY_LANGS = ("ar", "es", "eu", "hi", "id", "my", "ru", "sw", "te", "zh")


def _specs() -> list:
    from xprep.native import NativeSpec

    return [
        NativeSpec(
            "jcommonsenseqa",
            "choice",
            "commonsenseqa",
            ("ja",),
            None,
            None,
            "CC BY-SA 4.0",
            "native",
            {"train": 8_939, "validation": 1_119},
            "Kurihara et al. 2022, JGLUE (LREC)",
            jcsqa_row,
            {"jglue-json": jcsqa_json},
            notes="Local files: the JGLUE release's jcommonsenseqa JSON lines.",
        ),
        NativeSpec(
            "kobest-hellaswag",
            "choice",
            "hellaswag",
            ("ko",),
            "skt/kobest_v1",
            "hellaswag",
            "CC BY-SA 4.0",
            "native",
            {"train": 2_029, "validation": 500, "test": 500},
            "Kim et al. 2022, KoBEST: Korean Balanced Evaluation of Significant Tasks (COLING)",
            kobest_hellaswag,
        ),
        NativeSpec(
            "kobest-copa",
            "choice",
            "socialiqa",
            ("ko",),
            "skt/kobest_v1",
            "copa",
            "CC BY-SA 4.0",
            "native",
            {"train": 3_076, "validation": 1_000, "test": 1_000},
            "Kim et al. 2022, KoBEST (COLING)",
            kobest_copa,
            local={"tsv": kobest_copa_tsv},
            notes="Stand-in for SocialIQA (causal everyday commonsense).",
        ),
        NativeSpec(
            "c3",
            "choice",
            "cosmosqa",
            ("zh",),
            "clue/clue",
            "c3",
            "non-commercial research (CLUE)",
            "native",
            {"train": 11_869, "validation": 3_816},
            "Sun et al. 2020, Investigating Prior Knowledge for "
            "Challenging Chinese Machine Reading Comprehension (TACL)",
            c3_row,
            local={"c3-json": c3_json},
            notes="Stand-in for Cosmos QA (reading comprehension needing commonsense).",
        ),
        NativeSpec(
            "xcopa",
            "choice",
            "socialiqa",
            XCOPA_LANGS,
            "cambridgeltl/xcopa",
            lambda lang: lang,
            "CC BY 4.0",
            "human-translated",
            {"validation": 100, "test": 500},
            "Ponti et al. 2020, XCOPA: A Multilingual Dataset for Causal Commonsense Reasoning (EMNLP)",
            xcopa_row,
            notes="Human translations of COPA; small (no train split).",
        ),
        NativeSpec(
            "xstorycloze",
            "choice",
            "hellaswag",
            XSTORY_LANGS,
            "juletxara/xstory_cloze",
            lambda lang: lang,
            "CC BY-SA 4.0",
            "human-translated",
            {"train": 360, "eval": 1_511},
            "Lin et al. 2022, Few-shot Learning with Multilingual Generative Language Models (EMNLP)",
            xstorycloze_row,
            notes="Human translations of StoryCloze.",
        ),
    ]


SPECS = _specs()
