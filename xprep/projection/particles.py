"""A projected Korean answer ends before the particles written onto its last word.

Korean writes its case and auxiliary particles (josa) and the copula onto the noun, inside the space-
separated word (eojeol): ``임수경을`` (Im Su-kyung + object), ``서울에서는`` (Seoul + in + topic), ``발표이다``
(announcement + is). Word units keep the eojeol whole, so a projected answer would carry the particles, which
are the sentence's grammar, not the answer; Korean QA gold marks the noun alone (in KorQuAD 1.0 dev, 3,574 of
5,774 answers end inside their last eojeol, nearly all before a particle: docs/projection.md), and SQuAD's
normalisation keeps them (``임수경을`` is one token, F1 0 against ``임수경``).

The rule reads the span's last word as ``stem + particles``, where the particles are one particle or copula
form (:data:`_FIRST`) and, after an adverbial case particle or some auxiliaries (:data:`_CHAINING`), at most
one more (:data:`_NEXT`: ``에서`` + ``는``, ``와`` + ``의``), longest first, and cuts them off when all of these
hold:

- the particle agrees with the stem's last sound, as Korean particles alternate: ``이 을 은 과 으로 이다`` after a
  final consonant, ``가 를 는 와 로 다`` after a vowel (``로`` also after ``ㄹ``), so ``국가`` ("country": ``가``
  after ``국``), ``마을`` ("village") and ``효과`` ("effect") are never read as particles. After a digit or a Latin
  letter the sound is not written and either form is taken;
- a particle that is also a frequent last syllable of nouns and names (:data:`_AMBIGUOUS`: ``도 만 다 라 ...``, as
  in ``속도`` "speed", ``캐나다``, ``청나라``) is cut when it stands alone only if the stem itself occurs elsewhere in
  the context, bare or with another particle; it and ``의``, ``로`` are never read as the first of two
  (``제주도에`` is ``제주도`` + ``에``, ``민주주의를`` is ``민주주의`` + ``를``, ``도로를`` is ``도로`` + ``를``);
- a stem is left (at least one syllable, digit or letter) and it is inside the span.

A closing quotation mark before the particles goes with them (``‘임수경’을`` -> ``‘임수경``; the span's own
opening mark is the span's). Every method's span is cut the same way. The particle classes were set reading
KorQuAD 1.0 dev, where the rule takes the answers' last words (as a word-unit projection finds them) from
38.10% to 95.91% exact; measured also on the hand-written Korean set (docs/projection.md).
"""

from __future__ import annotations

import regex

_CONSONANT, _VOWEL, _VOWEL_OR_L, _ANY = "C", "V", "VL", "*"
# the first particle after the stem, with the sound it follows (a declarative table)
_FIRST: dict[str, str] = {
    **dict.fromkeys(
        "이 을 은 과 으로 으로서 으로써 으로부터 이다 이라는 이라고 이라고도 이란 "
        "이라 이었다 이며 이나 이랑 이야 이든지 이라도 이고".split(),
        _CONSONANT,
    ),
    **dict.fromkeys("가 를 는 와 다 라는 라고 라고도 란 라 였다 며 랑 야 든지 라도".split(), _VOWEL),
    **dict.fromkeys("로 로서 로써 로부터".split(), _VOWEL_OR_L),
    **dict.fromkeys(
        "의 에 에서 에게 에게서 께 께서 한테 한테서 까지 부터 도 만 조차 마저 마다 처럼 보다 같이 밖에 뿐 엔 에선 "
        "만큼 대로".split(),
        _ANY,
    ),
}
# a second particle after the first (에서 + 는, 와 + 의, 만 + 을, 뿐 + 이다); its sound is the first's
_NEXT = tuple("는 은 도 만 의 을 를 이 가 이다 이라는 라는 야 부터 까지 으로 로".split())
# particles that are also frequent last syllables of nouns: alone, cut only when the stem is seen elsewhere
# (속도 "speed", 캐나다, 청나라); never read as the first of two (제주도에 is 제주도 + 에, 민주주의를 is 민주주의 + 를)
_AMBIGUOUS = frozenset("도 만 다 라 란 랑 야 대로 만큼".split())
# the particles that take another after them: the adverbial case particles and some auxiliaries (Korean's
# structural case particles 이/가, 을/를, 은/는, 의 and the copula end the word; 로 alone is left out as too often
# the last syllable of a noun: 도로를 is 도로 + 를)
_CHAINING = frozenset(
    "에 에서 에게 에게서 께 께서 한테 한테서 으로 로서 으로서 로써 으로써 로부터 으로부터 와 과 까지 부터 뿐 처럼 보다 "
    "마다 조차 마저 밖에 이랑".split()
) - _AMBIGUOUS
_WORD_CHAR = regex.compile(r"[\p{L}\p{N}\p{M}'’-]")
_EOJEOL = regex.compile(r"[\p{L}\p{N}\p{M}'’-]+")
_QUOTES = "'’\"”」』"


def _sound(syllable: str) -> str | None:
    """``C`` after a final consonant, ``L`` after ``ㄹ``, ``V`` after a vowel; None if not a Hangul syllable."""
    code = ord(syllable) - 0xAC00
    if not 0 <= code < 11172:
        return None
    final = code % 28
    return "V" if final == 0 else "L" if final == 8 else "C"


def _agrees(stem: str, particle: str) -> bool:
    need = _FIRST.get(particle, _ANY)
    sound = _sound(stem[-1])
    if need == _ANY or sound is None:  # a digit, a Latin letter, a quotation mark: the sound is not written
        return True
    if need == _VOWEL_OR_L:
        return sound in "VL"
    return sound == "V" if need == _VOWEL else sound in "CL"


def _splits(word: str) -> list[tuple[str, str, str]]:
    """``(stem, first, second)`` readings of ``word`` as a stem and one or two particles, longest particles first."""
    found = []
    for first in _FIRST:
        for second in ("", *_NEXT) if first in _CHAINING else ("",):
            tail = first + second
            if len(tail) < len(word) and word.endswith(tail):
                stem = word[: -len(tail)]
                if _agrees(stem, first) and (not second or (second != first and _agrees(first, second))):
                    found.append((stem, first, second))
    return sorted(found, key=lambda s: -len(s[1] + s[2]))


def _seen_without(stem: str, particle: str, words: list[str], besides: str) -> bool:
    """Whether a word of the context other than ``besides`` is ``stem`` alone or ``stem`` with particles that do
    not begin with ``particle``: evidence that ``stem`` is a word of its own."""
    for w in words:
        if w == besides or not w.startswith(stem):
            continue
        w = w.rstrip(_QUOTES)
        if w == stem or any(s[0].rstrip(_QUOTES) == stem and s[1] != particle for s in _splits(w)):
            return True
    return False


def trim_particles(text: str, start: int, end: int) -> int:
    """The end of the Korean span ``text[start:end]``, cut before its last word's particles (module doc)."""
    begin = end  # the whole last word, even where the span starts inside it
    while begin > 0 and _WORD_CHAR.match(text[begin - 1]):
        begin -= 1
    word = text[begin:end]
    if not word or (end < len(text) and _WORD_CHAR.match(text[end])):
        return end  # no word ends the span, or the span ends inside one
    words = _EOJEOL.findall(text)
    for stem, first, second in _splits(word):
        bare = stem.rstrip(_QUOTES)
        if not bare or begin + len(bare) <= start:
            continue
        if first in _AMBIGUOUS and not second and not _seen_without(bare, first, words, besides=word):
            continue
        return begin + len(bare)
    return end
