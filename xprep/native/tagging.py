"""Native tagging: Universal Dependencies UPOS (the open substitute for CCG) and CCG corpora users hold."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from xprep.records import TaggingRecord
from xprep.tasks.tagging import tags_from_conll, ud_conllu


def ud_row(row: dict[str, Any], lang: str, names: list[str] | None) -> TaggingRecord:
    """``universal_dependencies`` hub rows: ``idx``, ``tokens``, ``upos`` (ClassLabel ints or names)."""
    upos = [names[t] if names and isinstance(t, int) else str(t) for t in row["upos"]]
    return TaggingRecord(
        id=str(row["idx"]),
        lang=lang,
        tokens=list(row["tokens"]),
        tags=upos,
        meta={"source": {"dataset": "universal_dependencies"}},
    )


def ccg_conll(path: Path, split: str, lang: str) -> Iterator[TaggingRecord]:
    """``token<TAB>supertag`` lines, blank line between sentences (export German CCGbank or PMB to it)."""
    for rec in tags_from_conll(path, split):
        rec.lang = lang
        yield rec


def _specs() -> list:
    from xprep.native import NativeSpec

    return [
        NativeSpec(
            "ud-upos",
            "tagging",
            "ccg",
            ("*",),
            "universal_dependencies",
            None,
            "per treebank (mostly CC BY-SA 4.0)",
            "native",
            {},
            "de Marneffe et al. 2021, Universal Dependencies (Computational Linguistics 47(2))",
            ud_row,
            {"conllu": ud_conllu},
            notes="Any language: pass --lang and a CoNLL-U file, or the hub config (e.g. de_gsd) via --config.",
        ),
        NativeSpec(
            "german-ccgbank",
            "tagging",
            "ccg",
            ("de",),
            None,
            None,
            "LDC/ELRA terms (licensed)",
            "native",
            {},
            "Hockenmaier 2006, Creating a CCGbank and a wide-coverage CCG lexicon for German (ACL)",
            None,
            {"conll": ccg_conll},
            notes="Bring your copy, exported as token<TAB>supertag lines.",
        ),
        NativeSpec(
            "pmb-ccg",
            "tagging",
            "ccg",
            ("de", "it", "nl"),
            None,
            None,
            "CC BY-SA 4.0 (PMB)",
            "mixed",
            {},
            "Abzianidze et al. 2017, The Parallel Meaning Bank (EACL)",
            None,
            {"conll": ccg_conll},
            notes="PMB CCG derivations are projected from English for many documents: origin 'mixed'.",
        ),
    ]


SPECS = _specs()
