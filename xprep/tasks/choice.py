"""Multiple-choice tasks: HellaSwag, Cosmos QA, SocialIQA, CommonsenseQA."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from xprep.errors import InputError
from xprep.hashing import stable_hash
from xprep.io import open_text, read_text
from xprep.records import ChoiceRecord


def _choice(rec_id: str, context: str, question: str, choices: list[str], label: int, source: str) -> ChoiceRecord:
    return ChoiceRecord(
        id=rec_id,
        lang="en",
        context=context,
        question=question,
        choices=list(choices),
        label=label,
        meta={"source": {"dataset": source}},
    )


def _int_label(value: Any, where: str, offset: int = 0) -> int:
    try:
        return int(value) - offset
    except (TypeError, ValueError):
        raise InputError(f"label must be an integer, got {value!r}", where=where) from None


# --- HellaSwag ---------------------------------------------------------------------------------
def hellaswag_from_hub(row: dict[str, Any], hub_id: str) -> ChoiceRecord | None:
    """``Rowan/hellaswag``: ``ctx``, ``endings``, ``label`` as a string ('' on the test split)."""
    if row.get("label") in ("", None):
        return None
    return _choice(str(row["ind"]), row["ctx"], "", row["endings"], int(row["label"]), hub_id)


def hellaswag_from_jsonl(path: Path, split: str) -> Iterator[ChoiceRecord]:
    """The release JSONL (``ind``, ``ctx``, ``endings``, ``label``)."""
    from xprep.io import read_jsonl

    for lineno, row in enumerate(read_jsonl(path), 1):
        where = f"{path}:{lineno}"
        if "ctx" not in row or "endings" not in row:
            raise InputError("HellaSwag rows need 'ctx' and 'endings'", where=where)
        if row.get("label") is None:
            continue
        yield _choice(
            str(row.get("ind", lineno)), row["ctx"], "", row["endings"], _int_label(row["label"], where), str(path)
        )


# --- Cosmos QA ---------------------------------------------------------------------------------
def cosmos_from_hub(row: dict[str, Any], hub_id: str) -> ChoiceRecord | None:
    """``allenai/cosmos_qa``: ``context``, ``question``, ``answer0..3``, ``label``."""
    if row.get("label", -1) in (-1, None):
        return None
    return _choice(
        str(row["id"]),
        row["context"],
        row["question"],
        [row[f"answer{i}"] for i in range(4)],
        int(row["label"]),
        hub_id,
    )


def cosmos_from_csv(path: Path, split: str) -> Iterator[ChoiceRecord]:
    """The release CSV (``id,context,question,answer0,answer1,answer2,answer3,label``)."""
    with open_text(path, newline="") as fh:
        for lineno, row in enumerate(csv.DictReader(fh), 2):
            yield _cosmos_row(row, f"{path}:{lineno}", str(path))


def cosmos_from_jsonl(path: Path, split: str) -> Iterator[ChoiceRecord]:
    """The release JSONL, same fields as the CSV."""
    from xprep.io import read_jsonl

    for lineno, row in enumerate(read_jsonl(path), 1):
        yield _cosmos_row(row, f"{path}:{lineno}", str(path))


def _cosmos_row(row: dict[str, Any], where: str, source: str) -> ChoiceRecord:
    missing = [
        k for k in ("id", "context", "question", "answer0", "answer1", "answer2", "answer3", "label") if k not in row
    ]
    if missing:
        raise InputError(f"missing field(s) {missing}", where=where)
    return _choice(
        str(row["id"]),
        row["context"],
        row["question"],
        [row[f"answer{i}"] for i in range(4)],
        _int_label(row["label"], where),
        source,
    )


# --- SocialIQA ---------------------------------------------------------------------------------
def siqa_from_hub(row: dict[str, Any], hub_id: str) -> ChoiceRecord:
    """``allenai/social_i_qa``: ``answerA..C`` and a 1-based string ``label``; ids are positional."""
    key = stable_hash(row["context"], row["question"], *(row[f"answer{c}"] for c in "ABC"), length=12)
    return _choice(
        f"siqa-{key}",
        row["context"],
        row["question"],
        [row["answerA"], row["answerB"], row["answerC"]],
        int(row["label"]) - 1,
        hub_id,
    )


def siqa_from_jsonl(path: Path, split: str) -> Iterator[ChoiceRecord]:
    """The release layout: ``NAME.jsonl`` rows plus labels in ``NAME-labels.lst`` (1-based, one a line)."""
    from xprep.io import read_jsonl

    labels_path = path.with_name(path.name.removesuffix(".jsonl") + "-labels.lst")
    if not labels_path.is_file():
        raise InputError(
            "SocialIQA labels file not found",
            where=str(labels_path),
            hint="the release ships NAME.jsonl with NAME-labels.lst beside it",
        )
    labels = [line.strip() for line in read_text(labels_path).splitlines() if line.strip()]
    rows = list(read_jsonl(path))
    if len(rows) != len(labels):
        raise InputError(f"{len(rows)} rows but {len(labels)} labels", where=str(labels_path))
    for lineno, (row, label) in enumerate(zip(rows, labels, strict=True), 1):
        where = f"{path}:{lineno}"
        yield _choice(
            f"siqa-{split}-{lineno}",
            row["context"],
            row["question"],
            [row["answerA"], row["answerB"], row["answerC"]],
            _int_label(label, where, offset=1),
            str(path),
        )


# --- CommonsenseQA -----------------------------------------------------------------------------
def csqa_from_hub(row: dict[str, Any], hub_id: str) -> ChoiceRecord | None:
    """``tau/commonsense_qa``: ``choices = {"label": [A..E], "text": [...]}``, ``answerKey`` ('' on test)."""
    if not row.get("answerKey"):
        return None
    letters = row["choices"]["label"]
    return _choice(str(row["id"]), "", row["question"], row["choices"]["text"], letters.index(row["answerKey"]), hub_id)


def csqa_from_jsonl(path: Path, split: str) -> Iterator[ChoiceRecord]:
    """The release JSONL: ``{"id", "answerKey", "question": {"stem", "choices": [{"label", "text"}]}}``."""
    from xprep.io import read_jsonl

    for lineno, row in enumerate(read_jsonl(path), 1):
        where = f"{path}:{lineno}"
        q = row.get("question")
        if not isinstance(q, dict) or "stem" not in q or "choices" not in q:
            raise InputError("CommonsenseQA rows need question.stem and question.choices", where=where)
        letters = [c["label"] for c in q["choices"]]
        if "answerKey" not in row:
            continue
        if row["answerKey"] not in letters:
            raise InputError(f"answerKey {row['answerKey']!r} is not one of {letters}", where=where)
        yield _choice(
            str(row["id"]), "", q["stem"], [c["text"] for c in q["choices"]], letters.index(row["answerKey"]), str(path)
        )


def _specs() -> list:
    from xprep.tasks import HubSource, TaskSpec

    def hub(hub_id: str, splits: tuple[str, ...], config: str | None = None) -> dict:
        return {s: (HubSource(hub_id, config, s),) for s in splits}

    return [
        TaskSpec(
            name="hellaswag",
            kind="choice",
            description="HellaSwag: pick the plausible continuation of a video/wikiHow context (4 endings)",
            splits={"train": 39_905, "validation": 10_042},
            hub=hub("Rowan/hellaswag", ("train", "validation")),
            adapter=hellaswag_from_hub,
            local={"jsonl": hellaswag_from_jsonl},
            sample="hellaswag.jsonl",
            licence="MIT",
            citation="Zellers et al. 2019, HellaSwag: Can a Machine Really Finish Your Sentence? (ACL)",
        ),
        TaskSpec(
            name="cosmosqa",
            kind="choice",
            description="Cosmos QA: commonsense reading comprehension over narratives (4 answers)",
            splits={"train": 25_262, "validation": 2_985},
            hub=hub("allenai/cosmos_qa", ("train", "validation")),
            adapter=cosmos_from_hub,
            local={"csv": cosmos_from_csv, "jsonl": cosmos_from_jsonl},
            sample="cosmosqa.csv",
            licence="CC BY 4.0",
            citation="Huang et al. 2019, Cosmos QA: Machine Reading Comprehension with Contextual Commonsense "
            "Reasoning (EMNLP)",
        ),
        TaskSpec(
            name="socialiqa",
            kind="choice",
            description="SocialIQA: social commonsense about people's actions and motives (3 answers)",
            splits={"train": 33_410, "validation": 1_954},
            hub=hub("allenai/social_i_qa", ("train", "validation")),
            adapter=siqa_from_hub,
            local={"siqa-jsonl": siqa_from_jsonl},
            sample="socialiqa.jsonl",
            licence="CC BY 4.0",
            citation="Sap et al. 2019, Social IQa: Commonsense Reasoning about Social Interactions (EMNLP)",
            notes="Local files: NAME.jsonl with NAME-labels.lst beside it, as released.",
        ),
        TaskSpec(
            name="commonsenseqa",
            kind="choice",
            description="CommonsenseQA: ConceptNet-based commonsense questions (5 answers)",
            splits={"train": 9_741, "validation": 1_221},
            hub=hub("tau/commonsense_qa", ("train", "validation")),
            adapter=csqa_from_hub,
            local={"jsonl": csqa_from_jsonl},
            sample="commonsenseqa.jsonl",
            licence="MIT",
            citation="Talmor et al. 2019, CommonsenseQA: A Question Answering Challenge Targeting Commonsense "
            "Knowledge (NAACL)",
        ),
    ]


SPECS = _specs()
