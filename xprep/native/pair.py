"""Native sentence-pair datasets: NLI (OCNLI, KLUE-NLI, JNLI, IndoNLI) and paraphrase (LCQMC, PAWS-X)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from xprep.drops import Dropped
from xprep.errors import InputError
from xprep.hashing import stable_hash
from xprep.io import open_text
from xprep.records import PairRecord
from xprep.tasks.pair import nli_label


def _pair(rec_id: str, lang: str, a: str, b: str, label: int, n: int, source: str) -> PairRecord:
    return PairRecord(
        id=rec_id, lang=lang, text_a=a, text_b=b, label=label, num_labels=n, meta={"source": {"dataset": source}}
    )


def _label(value: Any, names: list[str] | None, where: str) -> int | None:
    """Canonical NLI label from an int (mapped through the dataset's ClassLabel names) or a name."""
    if isinstance(value, int) and names is not None:
        return nli_label(names[value], where) if 0 <= value < len(names) else None
    return nli_label(value, where)


def nli_adapter(a_key: str, b_key: str, id_keys: tuple[str, ...], source: str):  # noqa: ANN201
    def adapt(row: dict[str, Any], lang: str, names: list[str] | None) -> PairRecord | Dropped:
        value = row["label"] if "label" in row else row.get("gold_label")  # hub rows / KLUE's release
        label = _label(value, names, source)
        if label is None:
            return Dropped("no_gold_label")
        rec_id = next(
            (str(row[k]) for k in id_keys if row.get(k) is not None), stable_hash(row[a_key], row[b_key], length=12)
        )
        return _pair(rec_id, lang, row[a_key], row[b_key], label, 3, source)

    return adapt


def pawsx_adapter(row: dict[str, Any], lang: str, names: list[str] | None) -> PairRecord | Dropped:
    if row.get("label") not in (0, 1):
        return Dropped("no_gold_label")
    if not row["sentence1"].strip() or not row["sentence2"].strip():
        return Dropped("empty_field")
    return _pair(str(row["id"]), lang, row["sentence1"], row["sentence2"], int(row["label"]), 2, "paws-x")


def jglue_nli(path: Path, split: str, lang: str) -> Iterator[PairRecord | Dropped]:
    """JGLUE's JNLI release: JSON lines with ``sentence_pair_id``, ``sentence1``, ``sentence2``, ``label`` (name)."""
    from xprep.io import read_jsonl

    for lineno, row in enumerate(read_jsonl(path), 1):
        label = nli_label(row.get("label"), f"{path}:{lineno}")
        if label is None:
            yield Dropped("no_gold_label")
        else:
            yield _pair(
                str(row.get("sentence_pair_id", lineno)), lang, row["sentence1"], row["sentence2"], label, 3, str(path)
            )


def lcqmc_tsv(path: Path, split: str, lang: str) -> Iterator[PairRecord]:
    """LCQMC release TSV: ``text_a<TAB>text_b<TAB>label`` (0/1), with or without a header line."""
    with open_text(path, newline="") as fh:
        for lineno, row in enumerate(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
            if len(row) != 3:
                raise InputError(f"expected 3 tab-separated columns, got {len(row)}", where=f"{path}:{lineno}")
            if lineno == 1 and row[2] not in ("0", "1"):
                continue  # header
            if row[2] not in ("0", "1"):
                raise InputError(f"label must be 0 or 1, got {row[2]!r}", where=f"{path}:{lineno}")
            yield _pair(f"lcqmc-{split}-{lineno}", lang, row[0], row[1], int(row[2]), 2, str(path))


def _specs() -> list:
    from xprep.native import NativeSpec

    return [
        NativeSpec(
            "ocnli",
            "pair",
            "mnli",
            ("zh",),
            "clue/clue",
            "ocnli",
            "CC BY-NC 2.0 (CLUE)",
            "native",
            {"train": 50_437, "validation": 3_000},
            "Hu et al. 2020, OCNLI: Original Chinese Natural Language Inference (Findings of EMNLP)",
            nli_adapter("sentence1", "sentence2", ("idx",), "clue/ocnli"),
            notes="Labels read from the hub's ClassLabel names; test labels are hidden (-1, skipped).",
        ),
        NativeSpec(
            "klue-nli",
            "pair",
            "mnli",
            ("ko",),
            "klue/klue",
            "nli",
            "CC BY-SA 4.0",
            "native",
            {"train": 24_998, "validation": 3_000},
            "Park et al. 2021, KLUE: Korean Language Understanding Evaluation (NeurIPS Datasets)",
            nli_adapter("premise", "hypothesis", ("guid",), "klue/nli"),
        ),
        NativeSpec(
            "jnli",
            "pair",
            "mnli",
            ("ja",),
            None,
            None,
            "CC BY-SA 4.0",
            "native",
            {"train": 20_073, "validation": 2_434},
            "Kurihara et al. 2022, JGLUE: Japanese General Language Understanding Evaluation (LREC)",
            None,
            {"jglue-json": jglue_nli},
            notes="Local files only: the JGLUE release's jnli-v1.1 train/valid JSON lines.",
        ),
        NativeSpec(
            "indonli",
            "pair",
            "mnli",
            ("id",),
            "afaji/indonli",
            None,
            "CC BY-SA 4.0",
            "native",
            {"train": 10_330, "validation": 2_197},
            "Mahendra et al. 2021, IndoNLI: A Natural Language Inference Dataset for Indonesian (EMNLP)",
            nli_adapter("premise", "hypothesis", ("pair_id",), "afaji/indonli"),
        ),
        NativeSpec(
            "lcqmc",
            "pair",
            "qqp",
            ("zh",),
            None,
            None,
            "CC BY 4.0 (research use)",
            "native",
            {"train": 238_766, "validation": 8_802},
            "Liu et al. 2018, LCQMC: A Large-scale Chinese Question Matching Corpus (COLING)",
            None,
            {"tsv": lcqmc_tsv},
            notes="Local files only: the release TSV (text_a, text_b, label).",
        ),
        NativeSpec(
            "pawsx",
            "pair",
            "qqp",
            ("de", "es", "fr", "ja", "ko", "zh"),
            "google-research-datasets/paws-x",
            lambda lang: lang,
            "custom (free use, see the PAWS-X release)",
            "mixed",
            {"train": 49_401, "validation": 2_000, "test": 2_000},
            "Yang et al. 2019, PAWS-X: A Cross-lingual Adversarial Dataset for Paraphrase Identification (EMNLP)",
            pawsx_adapter,
            notes="train is machine-translated; validation and test are human-translated.",
        ),
    ]


SPECS = _specs()
