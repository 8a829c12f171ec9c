"""Native extractive QA: GermanQuAD, SberQuAD, KorQuAD 1.0, DRCD, CMRC 2018, JaQuAD, TyDiQA-GoldP, FQuAD."""

from __future__ import annotations

import dataclasses
from typing import Any

from xprep.records import SpanRecord
from xprep.tasks.span import TYDIQA_GOLDP_LANGS, squad_from_hub, squad_json, tydiqa_lang


def squad_rows(source: str):  # noqa: ANN201
    """Adapter for hub rows in the SQuAD layout (``answers = {"text": [...], "answer_start": [...]}``)."""

    def adapt(row: dict[str, Any], lang: str, names: list[str] | None) -> SpanRecord:
        rec = squad_from_hub(row, source)
        return dataclasses.replace(rec, lang=lang)

    return adapt


def tydiqa_adapter(row: dict[str, Any], lang: str, names: list[str] | None) -> SpanRecord | None:
    """TyDiQA secondary task (GoldP): keep the rows of ``lang`` (from the id prefix)."""
    if tydiqa_lang(row["id"]) != lang:
        return None
    return dataclasses.replace(squad_from_hub(row, "tydiqa-goldp"), lang=lang)


def _specs() -> list:
    from xprep.native import NativeSpec

    squad_local = {"squad-json": squad_json}
    return [
        NativeSpec(
            "germanquad",
            "span",
            "squad_v2",
            ("de",),
            "deepset/germanquad",
            None,
            "CC BY 4.0",
            "native",
            {"train": 11_518, "test": 2_204},
            "Möller, Risch, Pietsch 2021, GermanQuAD and GermanDPR (MRQA)",
            squad_rows("deepset/germanquad"),
            squad_local,
        ),
        NativeSpec(
            "sberquad",
            "span",
            "squad_v2",
            ("ru",),
            "kuznetsoffandrey/sberquad",
            None,
            "unknown (research)",
            "native",
            {"train": 45_328, "validation": 5_036, "test": 23_936},
            "Efimov et al. 2020, SberQuAD - Russian Reading Comprehension Dataset (CLEF)",
            squad_rows("kuznetsoffandrey/sberquad"),
            squad_local,
        ),
        NativeSpec(
            "korquad",
            "span",
            "squad_v2",
            ("ko",),
            "KorQuAD/squad_kor_v1",
            None,
            "CC BY-ND 2.0 KR",
            "native",
            {"train": 60_407, "validation": 5_774},
            "Lim, Kim, Lee 2019, KorQuAD1.0: Korean QA Dataset for Machine Reading Comprehension (arXiv:1909.07005)",
            squad_rows("KorQuAD/squad_kor_v1"),
            squad_local,
            no_derivatives=True,
            notes="No derivatives: use as is; do not redistribute modified copies.",
        ),
        NativeSpec(
            "drcd",
            "span",
            "squad_v2",
            ("zh-Hant",),
            None,
            None,
            "CC BY-SA 3.0",
            "native",
            {"train": 26_936, "validation": 3_524, "test": 3_493},
            "Shao et al. 2018, DRCD: a Chinese Machine Reading Comprehension Dataset (arXiv:1806.00920)",
            None,
            squad_local,
            notes="Local files only: DRCD_training.json etc. (SQuAD layout).",
        ),
        NativeSpec(
            "cmrc2018",
            "span",
            "squad_v2",
            ("zh",),
            "hfl/cmrc2018",
            None,
            "CC BY-SA 4.0",
            "native",
            {"train": 10_142, "validation": 3_219, "test": 1_002},
            "Cui et al. 2019, A Span-Extraction Dataset for Chinese Machine Reading Comprehension (EMNLP)",
            squad_rows("hfl/cmrc2018"),
            squad_local,
        ),
        NativeSpec(
            "jaquad",
            "span",
            "squad_v2",
            ("ja",),
            "SkelterLabsInc/JaQuAD",
            None,
            "CC BY-SA 3.0",
            "native",
            {"train": 31_748, "validation": 3_939},
            "So et al. 2022, JaQuAD: Japanese Question Answering "
            "Dataset for Machine Reading Comprehension (arXiv:2202.01764)",
            squad_rows("SkelterLabsInc/JaQuAD"),
            squad_local,
        ),
        NativeSpec(
            "jsquad",
            "span",
            "squad_v2",
            ("ja",),
            None,
            None,
            "CC BY-SA 4.0",
            "native",
            {"train": 62_859, "validation": 4_442},
            "Kurihara et al. 2022, JGLUE: Japanese General Language Understanding Evaluation (LREC)",
            None,
            squad_local,
            notes="JGLUE's JSQuAD (jsquad-{train,valid}-v1.3.json, SQuAD layout); read from the release files.",
        ),
        NativeSpec(
            "tydiqa-goldp",
            "span",
            "squad_v2",
            tuple(v for v in TYDIQA_GOLDP_LANGS if v != "en"),  # GoldP has no Japanese or Thai
            "google-research-datasets/tydiqa",
            "secondary_task",
            "Apache-2.0",
            "native",
            {"train": 49_881, "validation": 5_077},
            "Clark et al. 2020, TyDi QA: A Benchmark for Information-"
            "Seeking Question Answering in Typologically Diverse Languages (TACL)",
            tydiqa_adapter,
            squad_local,
            notes="Train counts all languages (English included); rows are kept per language by id prefix.",
        ),
        NativeSpec(
            "fquad",
            "span",
            "squad_v2",
            ("fr",),
            None,
            None,
            "CC BY-NC-SA 3.0",
            "native",
            {"train": 20_731, "validation": 3_188},
            "d'Hoffschmidt et al. 2020, FQuAD: French Question Answering Dataset (Findings of EMNLP)",
            None,
            squad_local,
            notes="Manual download after a request form: local files only.",
        ),
    ]


SPECS = _specs()
