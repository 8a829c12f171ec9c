"""A projected Korean or Japanese answer ends before its particles.

Japanese writes its particles after the noun as words of their own (``トンネルを``, "the tunnel" + object;
``東京には``), which a word-unit projection's edge takes in with the noun they follow; Japanese QA gold leaves
them out (of JaQuAD dev's 3,939 answers, 8 end in a particle word, while 2,865 are followed directly by one).
A Japanese span's trailing particle words (:data:`JAPANESE_PARTICLES`) are cut, as long as a word is left
(:func:`trim_japanese_particles`).

Korean, below, is harder: its particles are inside the word.

Korean writes its case and auxiliary particles (josa) and the copula onto the noun, inside the space-
separated word (eojeol): ``임수경을`` (Im Su-kyung + object), ``서울에서는`` (Seoul + in + topic), ``발표이다``
(announcement + is). Word units keep the eojeol whole, so a projected answer would carry the particles, which
are the sentence's grammar, not the answer; Korean QA gold marks the noun alone (in KorQuAD 1.0 dev, 3,574 of
5,774 answers end inside their last eojeol, nearly all before a particle: docs/projection.md), and SQuAD's
normalisation keeps them (``임수경을`` is one token, F1 0 against ``임수경``).

The rule reads the span's last word as ``stem + particles``: one particle or copula form (:data:`_FIRST`) and
one more where Korean grammar allows a second (:data:`_NEXT`: an adverbial case particle takes an auxiliary,
``에서`` + ``는``, ``와`` + ``의``; an auxiliary such as ``까지`` or ``뿐`` also takes a case particle or the copula;
the structural case particles and the copula end the word, so ``결과를`` is ``결과`` + ``를``), longest first. It
cuts them off when all of these hold:

- the particle agrees with the stem's last sound, as Korean particles alternate: ``이 을 은 과 으로 이다`` after a
  final consonant (``으로`` not after ``ㄹ``), ``가 를 는 와 로 다`` after a vowel (``로`` also after ``ㄹ``), so
  ``국가`` ("country": ``가`` after ``국``), ``마을`` ("village") and ``효과`` ("effect") are never read as particles.
  The copula is the exception: after a vowel it is written contracted (``하나다``) or in full (``발표이다``,
  ``하나이다``), so its full forms (:data:`_COPULA`) follow either sound, unless the stem with ``이`` occurs
  elsewhere in the context (``아이다`` where ``아이``, "child", occurs is ``아이`` + ``다``). After a digit or a
  Latin letter the sound is not written and either form is taken;
- a particle that is also a frequent last syllable of nouns and names (:data:`_AMBIGUOUS`: ``도 만 다 라 ...``, as
  in ``속도`` "speed", ``캐나다``, ``청나라``) is cut when it stands alone only if the stem itself occurs elsewhere in
  the context, bare or with particles not beginning with it (``청나라는`` is no evidence for ``청나`` + ``라``); it
  and ``로`` are never read as the first of two (``제주도에`` is ``제주도`` + ``에``, ``도로를`` is ``도로`` + ``를``);
- the whole word does not occur elsewhere with particles of its own, read longest first (``결과`` where
  ``결과를`` occurs is a noun; ``서울에`` where ``서울에는`` occurs is not, as that reads ``서울`` + ``에`` + ``는``);
- a stem is left (at least one syllable, digit or letter) and it is inside the span.

A bare noun ending in a particle's syllable that occurs once (``도로`` "road" alone) is cut: the rule has no
lexicon. A closing quotation mark before the particles goes with them (``‘임수경’을`` -> ``‘임수경``); after a
closing mark that is not a word character the particle alone is cut (``“임수경”을`` -> ``“임수경”``). Every
method's span is cut the same way. The particle classes were set reading KorQuAD 1.0 dev, where the rule takes
the answers' last words (as a word-unit projection finds them) from 38.10% to 96.14% exact; measured also on
the hand-written Korean set (docs/projection.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import regex

from xprep.text import word_spans

_CONSONANT, _NOT_L, _VOWEL, _VOWEL_OR_L, _ANY = "C", "C-not-L", "V", "VL", "*"
# the first particle after the stem, with the sound it follows (a declarative table); the 으로 family follows
# a consonant but not ㄹ, after which Korean writes 로 (서울로, not 서울으로)
_FIRST: dict[str, str] = {
    **dict.fromkeys(
        "이 을 은 과 이다 이라는 이라고 이라고도 이란 이라 이었다 이며 이나 이랑 이야 이든지 이라도 이고".split(),
        _CONSONANT,
    ),
    **dict.fromkeys("으로 으로서 으로써 으로부터".split(), _NOT_L),
    **dict.fromkeys("가 를 는 와 다 라는 라고 라고도 란 라 였다 며 랑 야 든지 라도".split(), _VOWEL),
    **dict.fromkeys("로 로서 로써 로부터".split(), _VOWEL_OR_L),
    **dict.fromkeys(
        "의 에 에서 에게 에게서 께 께서 한테 한테서 까지 부터 도 만 조차 마저 마다 처럼 보다 같이 밖에 뿐 엔 에선 "
        "만큼 대로".split(),
        _ANY,
    ),
}
# the copula's full forms, written after a vowel too (발표이다, beside the contracted 하나다): in KorQuAD 1.0 dev,
# 12 gold answers end at a vowel before one and none ends in 이 before a contracted 다 (docs/projection.md)
_COPULA = frozenset("이다 이며 이고 이었다 이라는 이라고 이라고도 이란 이라".split())
# particles that are also frequent last syllables of nouns: alone, cut only when the stem is seen elsewhere
# (속도 "speed", 캐나다, 청나라); never read as the first of two (제주도에 is 제주도 + 에, 민주주의를 is 민주주의 + 를)
_AMBIGUOUS = frozenset("도 만 다 라 란 랑 야 대로 만큼".split())
# which particles take a second one, and which: an adverbial case particle takes an auxiliary (에서 + 는, 와 +
# 의, 에 + 야); an auxiliary such as 까지 or 뿐 also takes a case particle or the copula (까지 + 를, 뿐 + 이다).
# Korean's structural case particles 이/가, 을/를, 은/는, 의 and the copula end the word, so 결과를 is 결과 + 를,
# never 결 + 과 + 를; 로 alone is left out as too often the last syllable of a noun (도로를 is 도로 + 를)
_AUXILIARY_NEXT = tuple("는 은 도 만 의 야".split())
_ADVERBIAL = "에 에서 에게 에게서 께 께서 한테 한테서 으로 로서 으로서 로써 으로써 로부터 으로부터 와 과 처럼 "
_ADVERBIAL += "보다 마다 조차 마저 이랑"
_NEXT: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(_ADVERBIAL.split(), _AUXILIARY_NEXT),
    "에서": (*_AUXILIARY_NEXT, "부터"),
    **dict.fromkeys("까지 부터 뿐 밖에".split(), (*_AUXILIARY_NEXT, *"을 를 이 가 이다 이라는 라는 으로 로".split())),
}
_WORD_CHAR = regex.compile(r"[\p{L}\p{N}\p{M}'’-]")
_EOJEOL = regex.compile(r"[\p{L}\p{N}\p{M}'’-]+")
_QUOTES = "'’-"  # word characters a stem may end in before its particles (‘임수경’을); not kept on the span
_CLOSING = "”\"」』)]»›"  # a closing mark that ends a word before a particle written after it (“임수경”을)


def _sound(syllable: str) -> str | None:
    """``C`` after a final consonant, ``L`` after ``ㄹ``, ``V`` after a vowel; None if not a Hangul syllable."""
    code = ord(syllable) - 0xAC00
    if not 0 <= code < 11172:
        return None
    final = code % 28
    return "V" if final == 0 else "L" if final == 8 else "C"


def _agrees(stem: str, particle: str) -> bool:
    need = _ANY if particle in _COPULA else _FIRST.get(particle, _ANY)
    sound = _sound(stem[-1])
    if need == _ANY or sound is None:  # a digit, a Latin letter, a quotation mark: the sound is not written
        return True
    if need == _VOWEL_OR_L:
        return sound in "VL"
    if need == _NOT_L:
        return sound == "C"
    return sound == "V" if need == _VOWEL else sound in "CL"


@lru_cache(maxsize=65536)
def _splits(word: str) -> tuple[tuple[str, str, str], ...]:
    """``(stem, first, second)`` readings of ``word`` as a stem and one or two particles, longest particles first."""
    found = []
    for first in _FIRST:
        for second in ("", *_NEXT.get(first, ())) if first not in _AMBIGUOUS else ("",):
            tail = first + second
            if len(tail) < len(word) and word.endswith(tail):
                stem = word[: -len(tail)]
                if _agrees(stem, first) and (not second or (second != first and _agrees(first, second))):
                    found.append((stem, first, second))
    return tuple(sorted(found, key=lambda s: -len(s[1] + s[2])))


@lru_cache(maxsize=16)
def _context_words(text: str) -> tuple[str, ...]:
    return tuple(_EOJEOL.findall(text))


def _seen_without(stem: str, particle: str, words: Sequence[str], besides: str) -> bool:
    """Whether a word of the context other than ``besides`` is ``stem`` alone or ``stem`` with particles that do
    not begin with ``particle`` (청나라는 is no evidence for 청나 + 라): evidence that ``stem`` is a word."""
    for w in words:
        if w == besides or not w.startswith(stem):
            continue
        w = w.rstrip(_QUOTES)
        if w == stem or any(s[0].rstrip(_QUOTES) == stem and not s[1].startswith(particle) for s in _splits(w)):
            return True
    return False


def _is_a_noun_elsewhere(word: str, words: Sequence[str]) -> bool:
    """Whether another word of the context is ``word`` with particles, read longest first (결과를 when the span
    ends in 결과; 서울에는 is 서울 + 에 + 는, so no evidence that 서울에 is a noun)."""
    for w in words:
        if w != word and w.startswith(word):
            readings = _splits(w.rstrip(_QUOTES))
            if readings and readings[0][0].rstrip(_QUOTES) == word:
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
    if word in _FIRST and begin > start and text[begin - 1] in _CLOSING:
        return begin  # “임수경”을: the particle after a closing mark
    readings = _splits(word)
    if not readings:
        return end
    words = _context_words(text)
    if _is_a_noun_elsewhere(word, words):
        return end
    for stem, first, second in readings:
        bare = stem.rstrip(_QUOTES)
        if not bare or begin + len(bare) <= start:
            continue
        if first in _AMBIGUOUS and not second and not _seen_without(bare, first, words, besides=word):
            continue
        if first in _COPULA and _sound(bare[-1]) == "V" and _seen_without(bare + "이", first[1:], words, word):
            continue  # 아이다 where 아이 ("child") occurs: the noun 아이 + a contracted copula, not 아 + 이다
        return begin + len(bare)
    return end


# the written copula after a noun, as ICU splits it (である: で|ある; であり; であった: で|あっ|た), which Japanese QA
# gold leaves out as it leaves out particles: JaQuAD dev 96 answers followed by it, 1 ending in it; JSQuAD 133 / 7
JAPANESE_COPULAS = (("で", "ある"), ("で", "あり"), ("で", "あっ", "た"))
# case, binding and compound particles and the copula, as ICU writes them (に|は, から|の are two words)
JAPANESE_PARTICLES = frozenset(
    "が を に へ で と から より まで の は も や など では には とは にも でも への からの までの との での "
    "によって により による として という について にかけて だ です".split()
)


_KANA = regex.compile(r"[\p{Hiragana}\p{Katakana}]")
# punctuation a particle leaves behind it; percent, per-mille and prime signs belong to their number (3.5%で)
_PUNCT = regex.compile(r"[[\p{P}\p{Z}]--[%％٪﹪‰‱′″]]+", flags=regex.V1)
_STEM_END = regex.compile(r"[\p{Han}\p{Nd}]")
# kana that end the word of the Han character or digit before them: the nominalising suffixes of 低さ, 深み, 悲しげ
# and the counter of 3つ (a kana after Han is otherwise left to the guard: 松葉かに, "snow crab", is one word)
_SUFFIX_KANA = frozenset("さみげつ")
_CLOSES = regex.compile(r"[\p{Pe}\p{Pf}]")
_OPENS = regex.compile(r"[\p{Ps}\p{Pi}]")


def _lone_kana_word(text: str, units: list[tuple[int, int]]) -> bool:
    """Whether the last of ``units`` is a lone kana that is a word's character, not a particle of its own: not
    a particle, or a particle with nothing or another lone kana before it (``か|に``, ``も|も``; ``東京|に``
    is a word and a particle). A suffix kana after a Han character or a digit ends that word (``低|さ``,
    the counter of ``3|つ``: :data:`_SUFFIX_KANA`), so what follows it is a particle again."""
    lone = [_lone_kana(text[a:b]) for a, b in units[-2:]]
    word = text[units[-1][0] : units[-1][1]]
    if word in _SUFFIX_KANA and len(units) > 1 and _STEM_END.match(text, units[-2][1] - 1):
        return False
    return lone[-1] and (word not in JAPANESE_PARTICLES or len(units) == 1 or lone[0])


def _lone_kana(word: str) -> bool:
    return len(word) == 1 and bool(_KANA.match(word))


@lru_cache(maxsize=16)
def _japanese_units(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(word_spans(text))


def _copula_at_end(text: str, units: list[tuple[int, int]]) -> int:
    """How many of the last ``units`` are a written copula (:data:`JAPANESE_COPULAS`) with a word before it."""
    words = [text[a:b] for a, b in units[-3:]]
    for form in JAPANESE_COPULAS:
        if len(units) > len(form) and tuple(words[-len(form) :]) == form:
            return len(form)
    return 0


def trim_japanese_particles(text: str, start: int, end: int) -> int:
    """The end of the Japanese span ``text[start:end]``, before the particle words that end it (and the
    punctuation they leave at the end). A lone kana before a particle is read as one word with it, not a
    word and a particle: ICU splits hiragana words it does not know into characters (``か|に``, "crab")."""
    inside = [(a, b) for a, b in _japanese_units(text) if a < end and b > start]
    if not inside or inside[-1][1] != end:
        return end  # the span ends inside a unit
    cut = False
    while len(inside) > 1:
        last = text[inside[-1][0] : inside[-1][1]]
        copula = _copula_at_end(text, inside)
        if copula:
            del inside[len(inside) - copula + 1 :]  # the loop pops the copula's first unit
            cut = True
        elif last in JAPANESE_PARTICLES and not _lone_kana_word(text, inside[:-1]):
            cut = True
        elif not (cut and _PUNCT.fullmatch(last) and not _CLOSES.search(last)):
            break  # a closing mark stays: 「ハムレット」を is 「ハムレット」
        inside.pop()
    return max(inside[-1][1], start + 1) if cut else end


def skip_japanese_particles(text: str, start: int, end: int) -> int:
    """The start of the Japanese span ``text[start:end]``, after particle words that begin it (and the
    punctuation after them): a particle follows its noun, so one at a span's start is the previous phrase's
    (``に花のある場所`` is ``花のある場所``). Not when the next unit is a lone kana that is no particle and reads as
    one word with it (ICU's ``は|つ``, "first"), and at least one unit stays."""
    inside = [(a, b) for a, b in _japanese_units(text) if a < end and b > start]
    if not inside or inside[0][0] != start:
        return start  # the span starts inside a unit
    cut = False
    while len(inside) > 1:
        first, after = text[inside[0][0] : inside[0][1]], text[inside[1][0] : inside[1][1]]
        if first in JAPANESE_PARTICLES and (after in JAPANESE_PARTICLES or not _lone_kana(after)):
            cut = True
        elif not (cut and _PUNCT.fullmatch(first) and not _OPENS.search(first)):
            break  # an opening mark stays: に「ハムレット」 is 「ハムレット」
        inside.pop(0)
    if not cut or all(_PUNCT.fullmatch(text[a:b]) for a, b in inside):
        return start  # nothing cut, or only punctuation would be left: the span stays
    return inside[0][0]
