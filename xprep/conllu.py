"""CoNLL-U reading: sentences with ids, word forms and UPOS tags (multiword-token and empty-node lines skipped)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from xprep.errors import InputError
from xprep.io import open_text


@dataclass
class Sentence:
    sent_id: str
    text: str
    forms: list[str]
    upos: list[str]


def read_conllu(path: str | Path) -> Iterator[Sentence]:
    """Sentences of a CoNLL-U file; malformed lines raise :class:`InputError` naming file and line."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", where=str(path))
    sent_id, text, forms, upos = "", "", [], []
    n = 0
    with open_text(path) as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line.strip():
                if forms:
                    n += 1
                    yield Sentence(sent_id or f"{path.stem}-{n}", text, forms, upos)
                sent_id, text, forms, upos = "", "", [], []
                continue
            if line.startswith("#"):
                key, _, value = line[1:].partition("=")
                if key.strip() == "sent_id":
                    sent_id = value.strip()
                elif key.strip() == "text":
                    text = value.strip()
                continue
            cols = line.split("\t")
            if len(cols) != 10:
                raise InputError(f"expected 10 tab-separated columns, got {len(cols)}", where=f"{path}:{lineno}")
            if "-" in cols[0] or "." in cols[0]:
                continue
            forms.append(cols[1])
            upos.append(cols[3])
    if forms:
        yield Sentence(sent_id or f"{path.stem}-{n + 1}", text, forms, upos)
