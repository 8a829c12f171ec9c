"""Bilingual lexicons for code-switching: MUSE ``word<TAB>translation`` files, read directly or routed by
language the way the attacks route them (:mod:`xprep.attack.lexicon`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from xprep.errors import InputError


def read_lexicons(paths: Sequence[Any]) -> dict[str, list[str]]:
    """``word<TAB>translation`` (MUSE) files merged into word -> translations; bad lines raise InputError."""
    from xprep.io import read_text

    out: dict[str, list[str]] = {}
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise InputError("lexicon not found", where=str(path))
        for lineno, line in enumerate(read_text(path).splitlines(), 1):
            if not line.strip():
                continue
            parts = line.split("\t") if "\t" in line else line.split(" ", 1)
            if len(parts) != 2 or not parts[1].strip():
                raise InputError("expected 'word<TAB>translation'", where=f"{path}:{lineno}")
            out.setdefault(parts[0].strip().lower(), []).append(parts[1].strip())
    return out


def lexicon_for(specs: Sequence[Any], lang: str, vocab: Iterable[str]) -> dict[str, list[str]]:
    """Word -> translations for a ``lang`` test set. Files named ``SRC-TGT.txt`` (MUSE's ``en-de.txt``), or
    folders of them, are routed as the attacks route them (direct, inverted, or pivoted through English,
    :mod:`xprep.attack.lexicon`) into every language they reach; other files are read as ``word translation``
    lines whose first word is a test-set word."""
    from xprep.attack.lexicon import LEXICON_FILE_NAME, load_lexicon

    def routed(spec: Any) -> bool:
        path = Path(str(spec).split("=", 1)[-1])
        return path.is_dir() or "=" in str(spec) or bool(LEXICON_FILE_NAME.match(path.name))

    if not all(routed(s) for s in specs):
        return read_lexicons(specs)
    merged: dict[str, list[str]] = {}
    for table in load_lexicon(specs, lang, vocab=vocab).tables.values():
        for word, translations in table.items():
            merged.setdefault(word, []).extend(translations)
    return merged
