"""Script-aware text units with character offsets: grapheme clusters and words.

One place for the splitters that alignment, span and tag projection and the projection metrics share.

- **Grapheme clusters** (Unicode's extended grapheme clusters, the ``regex`` module's ``\\X``): a base
  character with every combining mark, virama, vowel sign, harakah, niqqud or joiner that belongs to it.
  No unit of this module ever splits one.
- **Words** in spaced scripts: runs of clusters that start with a letter, digit or mark (Devanagari,
  Bengali, Tamil, Arabic with harakat, Hebrew with niqqud, Vietnamese, Hangul words stay whole), joined
  across an inner hyphen or apostrophe; every other visible cluster (punctuation, symbols) on its own.
- **Words in scripts written without spaces** (Chinese, Japanese, Thai, Lao, Khmer, Myanmar): ICU's
  dictionary word break iterator (the ``icu4py`` package) where it is installed, else grapheme clusters
  (``unspaced="graphemes"`` asks for clusters anyway, the character units CJK scoring uses). Latin or
  digit runs inside such text stay whole.

Two helpers keep offsets true across a change of the text: :func:`fold_case` (lower case, one character
for one) and :func:`nfc_at` (NFC, with where given offsets land).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from functools import lru_cache

import regex

Spans = list[tuple[int, int]]

_CLUSTER = regex.compile(r"\X")
# (ー and the halfwidth ｰ ﾞ ﾟ are script Common but belong to the kana around them)
_UNSPACED_CHAR = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\u3005\u30fc\uff70\uff9e\uff9f"
_UNSPACED = regex.compile(f"[{_UNSPACED_CHAR}]")
_UNSPACED_RUN = regex.compile(f"(?:[{_UNSPACED_CHAR}]\\p{{M}}*)+")
# a word: clusters starting with a letter, digit, mark or joiner; inner - ' ’ join two such runs
_PIECE = r"(?:(?=[\p{L}\p{N}\p{M}\u200c\u200d])\X)+"
_WORD = regex.compile(f"{_PIECE}(?:(?:[-'’]|(?<=\\p{{N}})[.,٫٬](?=\\p{{N}})){_PIECE})*|(?!\\s)\\X")
UNSPACED_MODES = ("words", "graphemes")
_NUMBER = regex.compile(r"\p{Nd}+(?:[.,٫٬]\p{Nd}+)*")
_HAN = regex.compile(r"\p{Han}")
_NUMBER_LINKS = frozenset("至到比乘的和与與及或对對対而减減加除于於在为為是")
_KATAKANA_RUN = regex.compile(r"[\p{Katakana}\u30fc\uff70\uff9e\uff9f]+")
# small kana (full and halfwidth), the long-vowel marks and the halfwidth voicing marks: never a word's start
_SMALL_KANA = "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ"
_KANA_CONTINUES = regex.compile(f"[{_SMALL_KANA}\\u31f0-\\u31ff\\u30fc\\uff67-\\uff70\\uff9e\\uff9f]")


def graphemes(text: str) -> Spans:
    """``(start, end)`` of every extended grapheme cluster of ``text`` (spaces included), in order."""
    return [m.span() for m in _CLUSTER.finditer(text)]


def is_unspaced(text: str) -> bool:
    """Whether ``text`` starts with a character of a script written without spaces (Hangul is spaced)."""
    return bool(_UNSPACED.match(text))


@lru_cache(maxsize=1)
def _icu_words() -> type | None:
    try:
        from icu4py.breakers import WordBreaker
    except ImportError:
        warnings.warn(
            "icu4py is not installed: Thai, Lao, Khmer, Myanmar and CJK text is split into grapheme "
            "clusters instead of dictionary words (pip install icu4py)",
            stacklevel=3,
        )
        return None
    return WordBreaker


def _break_unspaced(text: str, start: int, end: int, mode: str) -> Spans:
    """Units of the unspaced run ``text[start:end]``: ICU dictionary words, else grapheme clusters."""
    breaker = _icu_words() if mode == "words" else None
    run = text[start:end]
    if breaker is None:
        return [(start + a, start + b) for a, b in graphemes(run)]
    bounds = {0, len(run)} | {b for _, b in graphemes(run)}
    out: Spans = []
    last = 0
    for _, b in _code_point_segments(breaker(run, "root").segments(), run):
        if b in bounds and b > last:  # a break inside a cluster (never expected from ICU) is ignored
            if out and _joins_previous(text, out[-1], start + last, start + b):
                out[-1] = (out[-1][0], start + b)
            else:
                out.append((start + last, start + b))
            last = b
    return out


def _code_point_segments(segments: Iterable[tuple[int, int]], run: str) -> Iterable[tuple[int, int]]:
    """ICU's segments in code points: ICU counts UTF-16 units, two for a character beyond the BMP (``𠮷``)."""
    if all(ord(ch) <= 0xFFFF for ch in run):
        yield from segments
        return
    at = [0]  # code points before each UTF-16 offset
    for k, ch in enumerate(run):
        at.extend([k + 1] * (2 if ord(ch) > 0xFFFF else 1))
    for a, b in segments:
        yield at[a], at[b]


def _joins_previous(text: str, previous: tuple[int, int], a: int, b: int) -> bool:
    """Japanese kana ICU splits that are one word: a small kana or the long-vowel mark never starts a word
    (``シ|ュ``, ``下が|っ``), and a katakana run is one word (``シュトゥットガルト``, a loanword or a name, which
    ICU's dictionary splits into characters)."""
    if _KANA_CONTINUES.match(text, a):
        return True
    return bool(_KATAKANA_RUN.fullmatch(text, *previous)) and bool(_KATAKANA_RUN.fullmatch(text, a, b))


def _counted(text: str, pos: int, run_start: int, units: Spans, unspaced: str) -> bool:
    """Whether the digits ``text[pos:run_start]`` are a number counted by the one Han character after them
    (``1605年``, ``3月``, ``8,500万``): one word, as Chinese and Japanese QA gold marks them (JaQuAD, CMRC 2018;
    docs/projection.md). Not a character that links two numbers or marks a modifier (``2至4``, ``1比3``,
    ``87的``), and not a word of two or more characters (``公里`` has an English word of its own)."""
    return (
        unspaced == "words"
        and pos < run_start
        and bool(units)
        and bool(_NUMBER.fullmatch(text, pos, run_start))
        and units[0][1] - units[0][0] == 1
        and bool(_HAN.match(text, units[0][0]))
        and text[units[0][0]] not in _NUMBER_LINKS
    )


def word_spans(text: str, unspaced: str = "words") -> Spans:
    """``(start, end)`` of each word unit of ``text``, in order, never overlapping, never inside a
    grapheme cluster. ``unspaced``: ``words`` (ICU dictionary words) or ``graphemes`` for the runs of
    scripts written without spaces."""
    if unspaced not in UNSPACED_MODES:
        raise ValueError(f"unspaced must be one of {UNSPACED_MODES}, not {unspaced!r}")
    spans: Spans = []
    for m in _WORD.finditer(text):
        start, end = m.span()
        if not _UNSPACED.search(text, start, end):
            spans.append((start, end))
            continue
        pos = start
        for run in _UNSPACED_RUN.finditer(text, start, end):
            units = _break_unspaced(text, run.start(), run.end(), unspaced)
            if _counted(text, pos, run.start(), units, unspaced):  # 1605年, 8,500万: a number and its counter
                units[0] = (pos, units[0][1])
                pos = run.start()
            if run.start() > pos:
                spans.append((pos, run.start()))
            spans.extend(units)
            pos = run.end()
        if pos < end:
            spans.append((pos, end))
    return spans


def words(text: str, unspaced: str = "words") -> list[str]:
    """The word units of ``text`` as strings (see :func:`word_spans`)."""
    return [text[a:b] for a, b in word_spans(text, unspaced)]


def fold_case(text: str) -> str:
    """``text`` in lower case, one character for one, so an offset found in the result holds in ``text``.
    ``str.lower`` writes Turkish and Azerbaijani ``İ`` as two characters (``i`` and a combining dot above)
    and would shift every later offset; here it is ``i``. Greek final ``ς`` is folded to ``σ`` (``str.lower``
    chooses between them by position), so ``ΟΔΟΣ`` and ``οδος`` match."""
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(ch.lower()[:1] for ch in text)
    return lowered.replace("ς", "σ")


def nfc_at(text: str, cuts: Iterable[int]) -> tuple[str, dict[int, int]]:
    """``text`` in NFC and where each offset of ``cuts`` lands in it. The pieces between cuts are normalised
    apart, so a span between two cuts is still one span of the result (its NFC form); a cut inside a grapheme
    cluster may keep a mark NFC would have composed."""
    import unicodedata

    points = sorted({0, len(text), *(c for c in cuts if 0 <= c <= len(text))})
    where = {0: 0}
    out: list[str] = []
    size = 0
    for a, b in zip(points, points[1:], strict=False):
        piece = unicodedata.normalize("NFC", text[a:b])
        out.append(piece)
        size += len(piece)
        where[b] = size
    return "".join(out), where
