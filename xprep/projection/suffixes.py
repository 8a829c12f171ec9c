"""A projected Turkish answer ends before the suffix an apostrophe sets off.

Turkish writes the case and possessive suffixes of a proper name, a number or an abbreviation after an
apostrophe (Türk Dil Kurumu, Yazım Kılavuzu, "Kesme işareti"): ``İngiltere'ye`` (to England), ``1911'de``
(in 1911), ``Stuttgart'taki`` (the one in Stuttgart). Word units keep such a word whole (an inner apostrophe
joins, as in English ``don't``), so a projected answer would carry the suffix, which is the sentence's
grammar, not the answer: *Where did tea arrive?* -> ``İngiltere``, not ``İngiltere'ye``. SQuAD's
normalisation does not remove it (``İngiltere'ye`` reads ``ingiltereye``), so exact match is lost. A span
whose last word ends in such a suffix (an apostrophe after a letter or digit, then lower-case letters only)
is cut before the apostrophe, unless the source answer itself ends in a word with an apostrophe (``Levi's``).
Other methods' spans (``exact``, ``fuzzy``, ``markers``) are cut the same way. Measured on the hand-written
Turkish set (docs/projection.md).
"""

from __future__ import annotations

import regex

from xprep.mt.langcodes import base_language

APOSTROPHE_SUFFIX_LANGS = frozenset({"tr"})
_SUFFIX = regex.compile(r"(?<=[\p{L}\p{N}])['’]\p{Ll}+\Z")
_APOSTROPHE_WORD = regex.compile(r"['’]\w*\Z")


def trim_suffix(text: str, start: int, end: int, source_answer: str, lang: str | None) -> int:
    """The end of the span ``text[start:end]``, cut before a trailing apostrophe suffix where ``lang``
    writes its suffixes so (see the module doc); ``end`` unchanged otherwise."""
    if lang is None or base_language(lang) not in APOSTROPHE_SUFFIX_LANGS:
        return end
    if _APOSTROPHE_WORD.search(source_answer.strip()):
        return end
    found = _SUFFIX.search(text[start:end])
    return start + found.start() if found is not None and found.start() > 0 else end
