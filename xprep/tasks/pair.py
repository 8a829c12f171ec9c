"""Sentence-pair tasks: ANLI+, MNLI, QQP. Labels: NLI 0=entailment 1=neutral 2=contradiction."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from xprep.drops import Dropped
from xprep.errors import InputError
from xprep.hashing import stable_hash
from xprep.io import open_text
from xprep.records import PairRecord

NLI_LABELS = ("entailment", "neutral", "contradiction")
_NLI_NAMES = {"entailment": 0, "neutral": 1, "contradiction": 2, "e": 0, "n": 1, "c": 2}

csv.field_size_limit(sys.maxsize)


def nli_label(value: Any, where: str) -> int | None:
    """0/1/2 from an int or a name (``entailment``/``e``...); ``-1``/``-`` (no gold label) -> None."""
    if isinstance(value, int):
        return value if value in (0, 1, 2) else None
    text = str(value).strip().lower()
    if text in _NLI_NAMES:
        return _NLI_NAMES[text]
    if text in ("-", "-1", ""):
        return None
    raise InputError(f"unknown NLI label {value!r}", where=where, hint="entailment|neutral|contradiction")


def _pair(rec_id: str, a: str, b: str, label: int, n: int, source: str) -> PairRecord:
    return PairRecord(
        id=rec_id, lang="en", text_a=a, text_b=b, label=label, num_labels=n, meta={"source": {"dataset": source}}
    )


# --- hub adapters --------------------------------------------------------------------------------
def nli_from_hub(row: dict[str, Any], hub_id: str) -> PairRecord | None:
    """GLUE/MNLI, SNLI and ANLI rows (``premise``, ``hypothesis``, ``label``; ids vary)."""
    label = nli_label(row["label"], hub_id)
    if label is None:
        return None
    return _pair(_hub_id(row, hub_id), row["premise"], row["hypothesis"], label, 3, hub_id)


def _hub_id(row: dict[str, Any], hub_id: str) -> str:
    """A stable id, unique across the sources ANLI+ concatenates (``glue-17``, ``snli-<hash>``)."""
    if row.get("uid") is not None:
        return str(row["uid"])
    short = hub_id.rsplit("/", 1)[-1]
    for key in ("idx", "id"):
        if row.get(key) is not None:
            return f"{short}-{row[key]}"
    return f"{short}-{stable_hash(row['premise'], row['hypothesis'], length=12)}"


def qqp_from_hub(row: dict[str, Any], hub_id: str) -> PairRecord | None:
    if row["label"] not in (0, 1):
        return None
    return _pair(str(row["idx"]), row["question1"], row["question2"], int(row["label"]), 2, hub_id)


# --- local formats -----------------------------------------------------------------------------
def _read_tsv(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with open_text(path, newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        yield from enumerate(reader, 2)


def _need(row: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    missing = [k for k in keys if row.get(k) is None]
    if missing:
        raise InputError(f"missing column(s) {missing}", where=where)


def nli_from_tsv(path: Path, split: str) -> Iterator[PairRecord]:
    """GLUE MNLI TSV (``sentence1``, ``sentence2``, ``gold_label``; ``pairID`` or ``index``)."""
    for lineno, row in _read_tsv(path):
        where = f"{path}:{lineno}"
        _need(row, ("sentence1", "sentence2"), where)
        label = nli_label(row.get("gold_label", row.get("label", "")), where)
        rec_id = row.get("pairID") or row.get("index") or str(lineno)
        yield (Dropped("no_gold_label", rec_id) if label is None
               else _pair(rec_id, row["sentence1"], row["sentence2"], label, 3, str(path)))  # fmt: skip


def nli_from_jsonl(path: Path, split: str) -> Iterator[PairRecord]:
    """MultiNLI/SNLI JSONL (``sentence1``, ``sentence2``, ``gold_label``, ``pairID``) and ANLI JSONL
    (``uid``, ``context``, ``hypothesis``, ``label`` as e/n/c)."""
    from xprep.io import read_jsonl

    for lineno, row in enumerate(read_jsonl(path), 1):
        where = f"{path}:{lineno}"
        if "context" in row:  # ANLI release layout
            _need(row, ("uid", "context", "hypothesis", "label"), where)
            a, b, raw, rec_id = row["context"], row["hypothesis"], row["label"], row["uid"]
        else:
            _need(row, ("sentence1", "sentence2"), where)
            a, b = row["sentence1"], row["sentence2"]
            raw = row.get("gold_label", row.get("label"))
            rec_id = row.get("pairID") or row.get("id") or str(lineno)
        label = nli_label(raw, where)
        yield Dropped("no_gold_label", str(rec_id)) if label is None else _pair(str(rec_id), a, b, label, 3, str(path))


def anli_from_csv(path: Path, split: str) -> Iterator[PairRecord | Dropped]:
    """The annotated ANLI re-release (``anli_annot_v0.2``): CSV with ``uid``, ``context``, ``statement``
    (the hypothesis) and ``gold_label`` as e/n/c, plus annotations and model predictions (ignored)."""
    with open_text(path, newline="") as fh:
        for lineno, row in enumerate(csv.DictReader(fh), 2):
            where = f"{path}:{lineno}"
            _need(row, ("uid", "context", "statement", "gold_label"), where)
            label = nli_label(row["gold_label"], where)
            if label is None:
                yield Dropped("no_gold_label", row["uid"])
            else:
                yield _pair(row["uid"], row["context"], row["statement"], label, 3, str(path))


def qqp_from_tsv(path: Path, split: str) -> Iterator[PairRecord]:
    """GLUE QQP TSV (``id``, ``qid1``, ``qid2``, ``question1``, ``question2``, ``is_duplicate``)."""
    for lineno, row in _read_tsv(path):
        where = f"{path}:{lineno}"
        _need(row, ("id", "question1", "question2", "is_duplicate"), where)
        if row["is_duplicate"] not in ("0", "1"):
            raise InputError(f"is_duplicate must be 0 or 1, got {row['is_duplicate']!r}", where=where)
        yield _pair(row["id"], row["question1"], row["question2"], int(row["is_duplicate"]), 2, str(path))


def _specs() -> list:
    from xprep.tasks import HubSource, TaskSpec

    glue = "nyu-mll/glue"
    anli = "facebook/anli"
    return [
        TaskSpec(
            name="anli_plus",
            kind="pair",
            description="ANLI+ : ANLI rounds 1-3 + MNLI + SNLI training data (the study's 'ANLI+')",
            splits={"train": 1_104_934, "validation": 3_200},
            hub={
                "train": (
                    HubSource(anli, None, "train_r1"),
                    HubSource(anli, None, "train_r2"),
                    HubSource(anli, None, "train_r3"),
                    HubSource(glue, "mnli", "train"),
                    HubSource("stanfordnlp/snli", None, "train"),
                ),
                "validation": (
                    HubSource(anli, None, "dev_r1"),
                    HubSource(anli, None, "dev_r2"),
                    HubSource(anli, None, "dev_r3"),
                ),
            },
            adapter=nli_from_hub,
            local={"jsonl": nli_from_jsonl, "tsv": nli_from_tsv, "csv": anli_from_csv},
            sample="anli_plus.jsonl",
            licence="CC BY-NC 4.0 (ANLI); MNLI mixed (OANC/CC BY-SA); SNLI CC BY-SA 4.0",
            citation="Nie et al. 2020, Adversarial NLI (ACL); Williams et al. 2018; Bowman et al. 2015",
            num_labels=3,
            notes="SNLI rows without a gold label (-1) are skipped.",
        ),
        TaskSpec(
            name="mnli",
            kind="pair",
            description="MultiNLI: premise/hypothesis entailment over ten genres",
            splits={"train": 392_702, "validation_matched": 9_815, "validation_mismatched": 9_832},
            hub={s: (HubSource(glue, "mnli", s),) for s in ("train", "validation_matched", "validation_mismatched")},
            adapter=nli_from_hub,
            local={"tsv": nli_from_tsv, "jsonl": nli_from_jsonl},
            sample="mnli.tsv",
            licence="OANC / CC BY-SA 3.0 (mixed, see the MultiNLI paper)",
            citation="Williams, Nangia, Bowman 2018, A Broad-Coverage Challenge Corpus for Sentence "
            "Understanding through Inference (NAACL)",
            num_labels=3,
        ),
        TaskSpec(
            name="qqp",
            kind="pair",
            description="Quora Question Pairs: are two questions duplicates (1) or not (0)",
            splits={"train": 363_846, "validation": 40_430},
            hub={s: (HubSource(glue, "qqp", s),) for s in ("train", "validation")},
            adapter=qqp_from_hub,
            local={"tsv": qqp_from_tsv},
            sample="qqp.tsv",
            licence="Quora terms of service (non-commercial research)",
            citation="Iyer, Dandekar, Csernai 2017, First Quora Dataset Release: Question Pairs",
            num_labels=2,
        ),
    ]


SPECS = _specs()
