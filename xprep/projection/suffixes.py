"""Language rules on a projected answer's edges: Turkish apostrophe suffixes (here), Korean and Japanese
particles (:mod:`xprep.projection.particles`), the Thai nominalisers (here), and the quotation marks Chinese
and Japanese answers keep; :func:`span_edges` is the one entry point every method's span passes.

Thai makes a noun of a verb or an adjective with a prefix written onto it, ``การ`` (action: ``การค้า``,
"trade", from ``ค้า``, "to trade") or ``ความ`` (state: ``ความรู้``, "knowledge"), and the word break
dictionaries often cut it off as a word of its own (ICU: ``การ|ค้า``). English has one word for the noun, which
the aligner links to the stem, so the projection starts after the prefix and the answer loses it
(``ค้าและการเดินเรือ`` for ``การค้าและการเดินเรือ``, "trade and shipping"). A Thai span that starts right after
a word unit that is exactly ``การ`` or ``ความ`` starts at that unit instead (:func:`take_nominaliser`); a longer
word ending in the same letters (``ต้องการ``, "to want"; ``อาการ``, "symptom") is a word of its own and stays out.

Hindi and Thai introduce an embedded question or clause with a complementiser English leaves out (``उसने पूछा
कि फूल कहाँ मिलेंगे``, "she asked where to find flowers"; Thai ``ว่า``), which the aligner links to the clause's
first English word. A Hindi or Thai span that starts with one starts after it (:func:`skip_complementiser`),
unless the English answer starts with a word of its own for it (``that``, ``whether``, ``if``).

Turkish writes the case and possessive suffixes of a proper name, a number or an abbreviation after an
apostrophe (Türk Dil Kurumu, Yazım Kılavuzu, "Kesme işareti"): ``İngiltere'ye`` (to England), ``1911'de``
(in 1911), ``Stuttgart'taki`` (the one in Stuttgart). Word units keep such a word whole (an inner apostrophe
joins, as in English ``don't``), so a projected answer would carry the suffix, which is the sentence's
grammar, not the answer: *Where did tea arrive?* -> ``İngiltere``, not ``İngiltere'ye``. SQuAD's
normalisation does not remove it (``İngiltere'ye`` reads ``ingiltereye``), so exact match is lost.

A span is cut before its last apostrophe when all of these hold: the target language is Turkish; what
precedes the apostrophe is a name, number or abbreviation (it starts with a capital letter or holds a digit);
what follows is a sequence of Turkish inflectional suffixes (plural, possessive, case, ``-ki``, the copula;
:data:`_SUFFIXES`), so the apostrophe of a word such as ``Kur'an`` or ``kıt'a`` stays; and the span's last
word has more apostrophes than the source answer's last word (``O'Brien'ın`` for ``O'Brien`` is cut,
``Levi's`` for ``Levi's`` is not). After a number, a plural stays (``1990'larda`` -> ``1990'lar``, "the
1990s"). Every method's span is cut the same way (``exact``, ``fuzzy``,
``markers``, ``align``). Measured on the hand-written Turkish set (docs/projection.md).
"""

from __future__ import annotations

import regex

from xprep.mt.langcodes import base_language
from xprep.projection.particles import skip_japanese_particles, trim_japanese_particles, trim_particles
from xprep.text import word_spans

APOSTROPHE_SUFFIX_LANGS = frozenset({"tr"})
THAI_NOMINALISERS = ("การ", "ความ")
_CONTEXT = 24  # characters before a Thai span segmented to find the unit that ends at its start
_H = "[ıiuü]"  # the high vowels of four-way harmony
_SUFFIXES = regex.compile(
    rf"(?:l[ae]r)?"  # plural
    rf"(?:{_H}|s{_H}|m|m{_H}z|n{_H}z|{_H}m|{_H}m{_H}z|{_H}n{_H}z)?"  # possessive
    rf"(?:[ny]?(?:{_H}n|{_H}|[ae]|[dt][ae]|[dt][ae]n|l[ae])|y?l[ae])?"  # case (n/y: the buffer consonant)
    rf"(?:ki|k{_H}n)?"  # -ki (Stuttgart'taki, Ahmet'inki)
    rf"(?:y?[dt]{_H}r|y?[dt]{_H}|y?m{_H}ş|y?s[ae])?"  # copula and tense (Ankara'dır, Ankara'ydı)
    rf"(?:l[ae]r)?"  # the plural of the copula (Türk'türler)
)
_LAST_WORD = regex.compile(r"[\p{L}\p{N}\p{M}'’]+\Z")


def _last_word(text: str) -> str:
    found = _LAST_WORD.search(text.strip())
    return found.group() if found else ""


def trim_suffix(text: str, start: int, end: int, source_answer: str, lang: str | None) -> int:
    """The end of the span ``text[start:end]``, cut before a trailing apostrophe suffix where ``lang``
    writes its suffixes so (the conditions are in the module doc), before the particles of a Korean span's last
    word or a Japanese span's last words (:mod:`xprep.projection.particles`); ``end`` unchanged otherwise."""
    base = base_language(lang) if lang is not None else None
    if base == "ko":
        return trim_particles(text, start, end)
    if base == "ja":
        return trim_japanese_particles(text, start, end)
    if base not in APOSTROPHE_SUFFIX_LANGS:
        return end
    word = _last_word(text[start:end])
    if not word or not text[start:end].endswith(word):
        return end
    marks = [k for k, ch in enumerate(word) if ch in "'’"]
    src_marks = sum(ch in "'’" for ch in _last_word(source_answer))
    if not marks or len(marks) <= src_marks:
        return end
    stem, suffix = word[: marks[-1]], word[marks[-1] + 1 :]
    name = stem[max([0, *[k + 1 for k in marks[:-1]]]) :]  # after any earlier apostrophe (O'Brien)
    number = any(ch.isdigit() for ch in stem)
    if not suffix or not (name[:1].isupper() or number) or not _SUFFIXES.fullmatch(suffix):
        return end
    if number and suffix[:3] in ("lar", "ler"):  # a decade (1990'lar, "the 1990s"): the plural is the answer's
        return end - len(suffix) + 3
    return end - len(suffix) - 1


def take_nominaliser(text: str, start: int) -> int:
    """The start of a Thai span moved back over a nominaliser unit that ends exactly at ``start`` (module doc)."""
    lo = max(0, start - _CONTEXT)
    units = word_spans(text[lo:start])
    if not units or units[-1][1] != start - lo or (units[-1][0] == 0 and lo > 0):  # (a unit cut by the window)
        return start
    return lo + units[-1][0] if text[lo + units[-1][0] : start] in THAI_NOMINALISERS else start


# clause-introducing words with no English counterpart before an embedded question (Hindi PUD tags कि SCONJ
# 205 of 211 times; Thai PUD tags ว่า ADP, its complementiser use, 231 of 254)
COMPLEMENTISERS = {"hi": frozenset({"कि"}), "th": frozenset({"ว่า"})}
ENGLISH_COMPLEMENTISERS = frozenset({"that", "whether", "if"})


def skip_complementiser(text: str, start: int, end: int, source_answer: str, lang: str | None) -> int:
    """The start of a Hindi or Thai span moved past a leading complementiser (module doc); never empties it."""
    words = COMPLEMENTISERS.get(base_language(lang) if lang is not None else "")
    first = source_answer.split()[:1]
    if words is None or (first and first[0].lower() in ENGLISH_COMPLEMENTISERS):
        return start
    units = word_spans(text[start:end])
    if len(units) < 2 or text[start + units[0][0] : start + units[0][1]] not in words:
        return start
    return start + units[1][0]


# the quotation and title marks Chinese and Japanese QA gold keeps around a quoted answer
QUOTE_PAIRS = {"《": "》", "「": "」", "『": "』", "“": "”", "〈": "〉", "【": "】", "〔": "〕"}
QUOTE_KEEPING_LANGS = frozenset({"zh", "ja"})


def span_edges(text: str, start: int, end: int, source_answer: str, lang: str | None) -> tuple[int, int]:
    """The span ``text[start:end]`` after the language rules on its edges: :func:`trim_suffix`, a Japanese span's
    leading particle words (:func:`xprep.projection.particles.skip_japanese_particles`), a Thai span's
    nominaliser (:func:`take_nominaliser`), a Hindi or Thai span's leading complementiser
    (:func:`skip_complementiser`), and for Chinese
    and Japanese the quotation or title marks that enclose it exactly (``《哈姆雷特》``, ``「ハムレット」``), which
    native gold keeps with the answer (CMRC 2018 dev 160 of 208 quoted answers, DRCD 98 of 150, JaQuAD 204 of
    218) while a projection drops them as punctuation the English answer does not have."""
    end = trim_suffix(text, start, end, source_answer, lang)
    base = base_language(lang) if lang is not None else None
    if base == "ja":
        start = skip_japanese_particles(text, start, end)
    if base == "th":
        start = take_nominaliser(text, start)
    start = skip_complementiser(text, start, end, source_answer, lang)
    if base not in QUOTE_KEEPING_LANGS or start == 0 or end >= len(text):
        return start, end
    close = QUOTE_PAIRS.get(text[start - 1])
    inner = text[start:end]
    if close is not None and text[end] == close and text[start - 1] not in inner and close not in inner:
        return start - 1, end + 1
    return start, end
