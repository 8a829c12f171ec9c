"""Bilingual lexicons for code-mixing: read, invert, and pivot through English, with the route recorded.

Files are MUSE-style (``word translation`` per line, a tab where the translation has spaces) and named
``SRC-TGT.txt`` (``en-de.txt``), or given as ``SRC-TGT=PATH``. A German or Hindi test set needs ``de->xx`` or
``hi->xx`` pairs, but MUSE ships ``en->xx``: for every embedded language the route is, in order of preference,

- ``direct``: a ``SRC-TGT`` file;
- ``inverted``: a ``TGT-SRC`` file read backwards;
- ``pivot:en``: ``SRC->en`` (direct or inverted) composed with ``en->TGT`` (direct or inverted).

Only the words a test set holds are kept (``vocab``), so reading all 17 MUSE files costs one pass over them.
MUSE names Japanese ``jp``; it is read as ``ja``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from xprep.errors import InputError

_NAME = re.compile(r"^([a-z]{2,3})-([a-z]{2,3})(?:\.[a-z0-9]+)*$")
LEXICON_FILE_NAME = _NAME  # SRC-TGT[.ext]: the file names routed lexicons are recognised by
ALIASES = {"jp": "ja"}
PIVOT = "en"


@dataclass(frozen=True)
class LexiconFile:
    src: str
    tgt: str
    path: Path


@dataclass
class Lexicon:
    """Translations of a test language's words into embedded languages: ``tables[lang][word] -> [translations]``."""

    src: str
    tables: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    routes: dict[str, str] = field(default_factory=dict)  # embedded language -> direct | inverted | pivot:en
    files: dict[str, list[str]] = field(default_factory=dict)  # embedded language -> the files its route read

    def translations(self, word: str, lang: str) -> list[str]:
        return self.tables.get(lang, {}).get(word.lower(), [])

    def languages(self) -> list[str]:
        return [lang for lang in self.tables if self.tables[lang]]

    def describe(self) -> dict[str, dict[str, object]]:
        """Per embedded language: the route, the files and how many test-set words it covers (for manifests)."""
        return {
            lang: {"route": self.routes[lang], "files": self.files[lang], "words": len(self.tables[lang])}
            for lang in self.tables
        }


def lexicon_files(specs: Sequence[str | Path]) -> list[LexiconFile]:
    """Lexicon files from ``SRC-TGT=PATH`` items, ``SRC-TGT.txt`` files or folders of them."""
    out: list[LexiconFile] = []
    for spec in specs:
        text = str(spec)
        pair, sep, rest = text.partition("=")
        if sep and _NAME.match(pair):
            src, tgt = pair.split("-")
            path = Path(rest)
            if not path.is_file():
                raise InputError("lexicon not found", where=rest)
            out.append(LexiconFile(ALIASES.get(src, src), ALIASES.get(tgt, tgt), path))
            continue
        path = Path(text)
        if path.is_dir():
            found = [p for p in sorted(path.iterdir()) if p.is_file() and _NAME.match(p.name)]
            if not found:
                raise InputError("no SRC-TGT.txt lexicons in this folder", where=text)
            out += [_named(p) for p in found]
        elif path.is_file():
            if not _NAME.match(path.name):
                raise InputError(
                    "cannot tell the languages of this lexicon",
                    where=text,
                    hint="name it SRC-TGT.txt or pass SRC-TGT=PATH",
                )
            out.append(_named(path))
        else:
            raise InputError("lexicon not found", where=text)
    return out


def _named(path: Path) -> LexiconFile:
    src, tgt = path.name.split(".")[0].split("-")  # the caller matched _NAME
    return LexiconFile(ALIASES.get(src, src), ALIASES.get(tgt, tgt), path)


def _read(file: LexiconFile, keep: set[str] | None, invert: bool) -> dict[str, list[str]]:
    """word -> translations (lower-cased keys, file order, no identity pairs), only for words in ``keep``."""
    out: dict[str, list[str]] = {}
    with file.path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            parts = line.split("\t") if "\t" in line else line.split(" ", 1)
            if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
                raise InputError("expected 'word translation'", where=f"{file.path}:{lineno}")
            a, b = parts[0].strip(), parts[1].strip()
            if invert:
                a, b = b, a
            key = a.lower()
            if (keep is not None and key not in keep) or key == b.lower():
                continue
            bucket = out.setdefault(key, [])
            if b not in bucket:
                bucket.append(b)
    return out


def _leg(files: Sequence[LexiconFile], src: str, tgt: str) -> tuple[LexiconFile, bool] | None:
    """A file that translates src -> tgt, read as is (False) or inverted (True)."""
    for f in files:
        if (f.src, f.tgt) == (src, tgt):
            return f, False
    for f in files:
        if (f.src, f.tgt) == (tgt, src):
            return f, True
    return None


def load_lexicon(
    specs: Sequence[str | Path], src: str, embed: Sequence[str] | None = None, vocab: Iterable[str] | None = None
) -> Lexicon:
    """The lexicon from ``src`` into every embedded language the files reach (or those in ``embed``).

    ``vocab`` (words of the test set) limits what is kept. An embedded language no route reaches is an error
    when it was asked for by name, and left out otherwise.
    """
    files = lexicon_files(specs)
    keep = {w.lower() for w in vocab} if vocab is not None else None
    reachable = sorted({lang for f in files for lang in (f.src, f.tgt)} - {src})
    wanted = list(embed) if embed else reachable
    lex = Lexicon(src)
    pivot_leg: dict[str, list[str]] | None = None
    for lang in wanted:
        if lang == src:
            continue
        leg = _leg(files, src, lang)
        if leg is not None:
            lex.tables[lang] = _read(leg[0], keep, leg[1])
            lex.routes[lang] = "inverted" if leg[1] else "direct"
            lex.files[lang] = [str(leg[0].path)]
            continue
        first, second = _leg(files, src, PIVOT), _leg(files, PIVOT, lang)
        if first is None or second is None or PIVOT in (src, lang):
            if embed:
                raise InputError(
                    f"no lexicon route {src} -> {lang}",
                    hint=f"give {src}-{lang}, {lang}-{src}, or {src}-{PIVOT} and {PIVOT}-{lang} lexicons",
                )
            continue
        if pivot_leg is None:
            pivot_leg = _read(first[0], keep, first[1])
        english = {t.lower() for ts in pivot_leg.values() for t in ts}
        onward = _read(second[0], english, second[1])
        table: dict[str, list[str]] = {}
        for word, via in pivot_leg.items():
            got = [t for e in via for t in onward.get(e.lower(), [])]
            got = [t for i, t in enumerate(got) if t not in got[:i] and t.lower() != word]
            if got:
                table[word] = got
        lex.tables[lang] = table
        lex.routes[lang] = f"pivot:{PIVOT}"
        lex.files[lang] = [str(first[0].path), str(second[0].path)]
    return lex
