"""Token tagging: CCG supertagging from CCGbank (licensed by the LDC: users bring their copy).

Formats: CCGbank ``.auto`` derivations (``ID=`` header line, then a tree whose leaves are
``(<L supertag POS POS word predarg>)``) and one-token-per-line files (``token<TAB>tag``, blank line
between sentences, ``#`` comment lines ignored). Universal Dependencies CoNLL-U treebanks (:func:`ud_conllu`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from xprep.conllu import read_conllu
from xprep.errors import InputError
from xprep.io import open_text
from xprep.records import TaggingRecord

_LEAF = re.compile(r"\(<L (\S+) (\S+) (\S+) (\S+) (\S+)>\)")
_HEADER = re.compile(r"^ID=(\S+)")


def _tagged(rec_id: str, tokens: list[str], tags: list[str], source: str) -> TaggingRecord:
    return TaggingRecord(id=rec_id, lang="en", tokens=tokens, tags=tags, meta={"source": {"dataset": source}})


def ccg_from_auto(path: Path, split: str) -> Iterator[TaggingRecord]:
    """Sentences of a CCGbank AUTO file: word and supertag of every leaf, in order."""
    rec_id: str | None = None
    with open_text(path) as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            header = _HEADER.match(line)
            if header:
                rec_id = header.group(1)
                continue
            leaves = _LEAF.findall(line)
            if not leaves:
                raise InputError(
                    "no (<L ...>) leaves in a derivation line",
                    where=f"{path}:{lineno}",
                    hint="expected CCGbank AUTO format",
                )
            if rec_id is None:
                raise InputError("derivation without an ID= header line", where=f"{path}:{lineno}")
            yield _tagged(rec_id, [leaf[3] for leaf in leaves], [leaf[0] for leaf in leaves], str(path))
            rec_id = None


def tags_from_conll(path: Path, split: str) -> Iterator[TaggingRecord]:
    """One token per line, ``token<TAB>tag`` (extra columns ignored), sentences split by blank lines."""
    tokens: list[str] = []
    tags: list[str] = []
    n = 0
    with open_text(path) as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if line.startswith("#"):
                continue
            if not line.strip():
                if tokens:
                    n += 1
                    yield _tagged(f"{path.stem}-{n}", tokens, tags, str(path))
                    tokens, tags = [], []
                continue
            cols = line.split("\t")
            if len(cols) < 2:
                raise InputError("expected 'token<TAB>tag'", where=f"{path}:{lineno}")
            tokens.append(cols[0])
            tags.append(cols[1])
    if tokens:
        yield _tagged(f"{path.stem}-{n + 1}", tokens, tags, str(path))


def ud_conllu(path: Path, split: str, lang: str) -> Iterator[TaggingRecord]:
    """A Universal Dependencies CoNLL-U treebank file: word forms and UPOS (multiword tokens and empty nodes
    skipped). UD-POS (an XTREME target) and the native UD datasets read it."""
    for sent in read_conllu(path):
        yield TaggingRecord(
            id=sent.sent_id, lang=lang, tokens=sent.forms, tags=sent.upos, meta={"source": {"dataset": str(path)}}
        )


def _specs() -> list:
    from xprep.tasks import TaskSpec

    return [
        TaskSpec(
            name="ccg",
            kind="tagging",
            description="CCG supertagging on CCGbank (WSJ sections 02-21 train), ~1,363 supertags",
            splits={"train": 38_015, "validation": 1_913, "test": 2_407},
            hub={},
            adapter=None,
            local={"auto": ccg_from_auto, "conll": tags_from_conll},
            sample="ccg.auto",
            licence="LDC User Agreement (LDC2005T13); bring your own copy",
            citation="Hockenmaier and Steedman 2007, CCGbank (Computational Linguistics 33(3))",
            notes="No public hub copy: pass --source with AUTO files or token<TAB>tag files.",
        ),
    ]


SPECS = _specs()
