"""FreeDict bilingual dictionaries (Debian ``dict-freedict-*``, GPL) -> clean MUSE-format lexicons.

A dictd database is ``NAME.index`` (``headword<TAB>offset<TAB>length``, numbers in dictd's base64)
and ``NAME.dict.dz`` (dictzip, readable as gzip). A FreeDict entry's first line is the headword with
its IPA; the lines that follow hold translations (numbered senses, comma- or semicolon-separated,
with ``<gender>`` tags, ``[domain]`` labels and parenthesised notes) and, indented, examples, notes,
synonyms and cross-references. The importer keeps translations only and writes
``word<TAB>translation`` lines, the format the code-switching perturbation reads.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from xprep.errors import InputError

DICTD_DIR = Path("/usr/share/dictd")
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_TAGS = re.compile(r"<[^>]*>|\[[^\]]*\]|\([^)]*\)|\{[^}]*\}")
_NUMBER = re.compile(r"^\s*\d+\.\s*")
_META = ("Synonym:", "see:", "Note:", "Antonym:", "Example:")


def dictd_number(text: str) -> int:
    """A dictd base64 number (``"A"`` = 0, ``"BA"`` = 64)."""
    value = 0
    for ch in text:
        value = value * 64 + _B64.index(ch)
    return value


@dataclass
class Lexicon:
    pairs: list[tuple[str, str]]
    counts: Counter


def parse_entry(entry: str) -> tuple[str, list[str]]:
    """(headword, translations) of one FreeDict entry; translations cleaned, in order, unique."""
    lines = entry.split("\n")
    head = lines[0].split(" /", 1)[0].strip()
    out: list[str] = []
    for line in lines[1:]:
        if not line.strip() or line[:1].isspace() or line.strip().startswith(_META):
            continue  # examples, notes and cross-references are indented or labelled
        body = _TAGS.sub("", _NUMBER.sub("", line))
        for part in re.split(r"[,;]", body):
            word = " ".join(part.split()).strip(" .")
            # an abbreviation line carries its own IPA (/.../): not a translation
            if word and word not in out and not any(c in word for c in '{}"=/') and len(word) <= 60:
                out.append(word)
    return head, out


def read_freedict(name: str, directory: Path = DICTD_DIR, multiword: bool = False, max_per_word: int = 5) -> Lexicon:
    """Pairs from the dictd database ``name`` (e.g. ``freedict-eng-deu``), with counts of what was kept.

    ``multiword``: keep phrases on either side (default: single words only, as MUSE lexicons are).
    """
    index, data_file = directory / f"{name}.index", directory / f"{name}.dict.dz"
    for path in (index, data_file):
        if not path.is_file():
            pkg = "dict-" + name if name.startswith("freedict-") else name
            raise InputError("dictionary file not found", where=str(path), hint=f"apt-get install {pkg}")
    with gzip.open(data_file) as fh:
        data = fh.read()
    counts: Counter = Counter()
    pairs: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    seen_offsets: set[int] = set()
    with index.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3:
                raise InputError("expected 'headword<TAB>offset<TAB>length'", where=f"{index}:{lineno}")
            offset, length = dictd_number(parts[1]), dictd_number(parts[2])
            if parts[0].startswith("00database") or offset in seen_offsets:
                counts["skipped_metadata_or_repeat"] += 1
                continue
            seen_offsets.add(offset)
            counts["entries"] += 1
            head, translations = parse_entry(data[offset : offset + length].decode("utf-8", errors="replace"))
            if not head or not translations:
                counts["skipped_no_translation"] += 1
                continue
            if "/" in head:  # spelling variants ("born/borne") or abbreviations ("AC/DC"): ambiguous as a word
                counts["skipped_variant_headword"] += 1
                continue
            if not multiword and " " in head:
                counts["skipped_multiword_headword"] += 1
                continue
            kept = 0
            for tr in translations:
                if not multiword and " " in tr:
                    counts["skipped_multiword_translation"] += 1
                    continue
                if kept >= max_per_word or (head, tr) in seen:
                    continue
                seen.add((head, tr))
                pairs.append((head, tr))
                kept += 1
    counts["pairs"] = len(pairs)
    counts["headwords"] = len({h for h, _ in pairs})
    return Lexicon(pairs, counts)


def import_freedict(
    spec: str, out: Path, multiword: bool = False, max_per_word: int = 5, directory: Path = DICTD_DIR
) -> tuple[Path, dict]:
    """``freedict:eng-deu`` -> ``OUT/en-de.txt`` (MUSE format) and ``OUT/en-de.manifest.json``."""
    from xprep.mt.langcodes import ISO3, normalise

    if not spec.startswith("freedict:") or "-" not in spec:
        raise InputError(f"unknown dictionary '{spec}'", hint="freedict:eng-deu, freedict:eng-fra, ...")
    pair = spec.split(":", 1)[1]
    name = f"freedict-{pair}"
    to_iso = {v: k for k, v in ISO3.items()}
    src, tgt = (to_iso.get(x, x) for x in pair.split("-", 1))
    from xprep.owned import check_output_dir

    path = check_output_dir(out) / f"{normalise(src)}-{normalise(tgt)}.txt"
    if path.exists() and not (out / f"{path.stem}.manifest.json").is_file():
        raise InputError(
            "exists and was not written by xprep dict import (no manifest beside it): refusing to replace it",
            where=str(path),
            hint="give a new --out folder",
        )
    lex = read_freedict(name, directory, multiword, max_per_word)
    out.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{a}\t{b}\n" for a, b in lex.pairs), encoding="utf-8")
    manifest = {
        "source": {"package": f"dict-{name}", "files": [str(directory / f"{name}.index")], "licence": "GPL (FreeDict)"},
        "options": {"multiword": multiword, "max_per_word": max_per_word},
        "counts": dict(lex.counts),
        "output": str(path),
    }
    (out / f"{path.stem}.manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return path, manifest
