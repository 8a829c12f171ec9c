"""The word-level edits of the perturbations and of the attacks: one primitive over a text with protected
ranges (:func:`edit_text`), the edits themselves (typos, diacritics, casing, homoglyphs, punctuation, full-width,
zero-width, code-switching), the per-example generator and the words a pair perturbation never touches.
:mod:`xprep.perturb.registry` registers the edits, :mod:`xprep.perturb.records` applies them under the
label-preservation rules of each kind; :mod:`xprep.attack` searches over them.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import regex

from xprep.hashing import stable_hash

NEGATIONS = frozenset(
    "not no never none nobody nothing n't nicht kein keine nie ne pas jamais non ningún nunca ни не нет 不 没 没有 لا "
    "ليس لم لن değil yok hapana si".split()
)
OPTIONAL_MARK_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC", "ARABIC", "HEBREW")
WORD = regex.compile(r"\p{L}[\p{L}\p{M}'’-]*|\p{N}+|\S", regex.UNICODE)


def example_rng(seed: int, perturbation: str, task: str, lang: str, rec_id: str, field: str) -> random.Random:
    """The generator of one field of one example: SHA-256 of everything that names it."""
    return random.Random(int(stable_hash(seed, perturbation, task, lang, rec_id, field, length=16), 16))


def protected_word(word: str, first: bool) -> bool:
    """Words a pair perturbation must never touch: negations, numbers, capitalised non-initial words (names)."""
    return word.lower() in NEGATIONS or any(ch.isdigit() for ch in word) or (not first and word[:1].isupper())


# --- edit primitives on one text with protected character ranges ------------------------------------
@dataclass
class Edited:
    """A text after :func:`edit_text`, with what changed and where every old character went."""

    text: str
    changed: int  # units changed
    units: int  # units that could have changed
    offset_map: list[int]  # old character index -> new character index (len(old) + 1 entries)


def edit_text(
    text: str,
    rng: random.Random,
    rate: float,
    protect: Sequence[tuple[int, int]],
    edit: Callable[[str, random.Random], str],
    pair_rules: bool,
    memo: dict[str, str] | None,
) -> Edited:
    """Apply ``edit`` to a ``rate`` share of the words outside ``protect``; keeps an offset map."""
    out: list[str] = []
    omap: list[int] = []
    pos = changed = units = cur = 0
    words = list(WORD.finditer(text))
    for k, m in enumerate(words):
        a, b = m.span()
        gap = text[pos:a]  # text between words is copied
        omap.extend(range(cur, cur + len(gap)))
        out.append(gap)
        cur += len(gap)
        word = m.group()
        blocked = any(a < pe and b > ps for ps, pe in protect) or not word[0].isalpha()
        if pair_rules and protected_word(word, k == 0):
            blocked = True
        new = word
        if not blocked:
            units += 1
            if memo is not None and word in memo:
                new = memo[word]  # the same word gets the same decision and replacement everywhere
            else:
                new = edit(word, rng) if rng.random() < rate else word
                if memo is not None:
                    memo[word] = new
            changed += new != word
        # characters of an unchanged word map one to one; those of a changed word onto its start
        omap.extend(range(cur, cur + len(word)) if new == word else [cur] * len(word))
        out.append(new)
        cur += len(new)
        pos = b
    tail = text[pos:]
    omap.extend(range(cur, cur + len(tail)))
    out.append(tail)
    result = "".join(out)
    omap.append(len(result))
    return Edited(result, changed, units, omap)


# --- word-level edits --------------------------------------------------------------------------------
KEYBOARD_NEIGHBOURS = {
    "a": "qwsz",
    "b": "vghn",
    "c": "xdfv",
    "d": "serfcx",
    "e": "wsdr",
    "f": "drtgvc",
    "g": "ftyhbv",
    "h": "gyujnb",
    "i": "ujko",
    "j": "huikmn",
    "k": "jiolm",
    "l": "kop",
    "m": "njk",
    "n": "bhjm",
    "o": "iklp",
    "p": "ol",
    "q": "wa",
    "r": "edft",
    "s": "awedxz",
    "t": "rfgy",
    "u": "yhji",
    "v": "cfgb",
    "w": "qase",
    "x": "zsdc",
    "y": "tghu",
    "z": "asx",
}


def typo(word: str, rng: random.Random, ctx: dict[str, Any]) -> str:
    """One keyboard typo, swap, deletion or insertion on grapheme clusters."""
    g = regex.findall(r"\X", word)
    if len(g) < 2:
        return word
    i = rng.randrange(len(g))
    op = rng.choice(("neighbour", "swap", "delete", "insert"))
    near = KEYBOARD_NEIGHBOURS.get(g[i].lower())
    if op == "neighbour" and near:
        g[i] = rng.choice(near)
    elif op == "swap" and i + 1 < len(g):
        g[i], g[i + 1] = g[i + 1], g[i]
    elif op == "delete" and len(g) > 2:
        del g[i]
    else:
        g.insert(i, g[i])
    return "".join(g)


def strip_marks(word: str, rng: random.Random, ctx: dict[str, Any]) -> str:
    """The word without the combining marks of scripts where marks are optional (Hindi's vowel signs stay)."""
    out = []
    for ch in unicodedata.normalize("NFD", word):
        if unicodedata.combining(ch):
            base = out[-1] if out else ""
            name = unicodedata.name(base, "") if base else ""
            if any(name.startswith(s) for s in OPTIONAL_MARK_SCRIPTS):
                continue  # an optional mark of a script that allows dropping it
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def flip_case(word: str, rng: random.Random, ctx: dict[str, Any]) -> str:
    """A lower-case word upper-cased, any other lower-cased; uncased scripts unchanged; Turkish dotted/dotless i."""
    if word.lower() == word.upper():
        return word  # uncased script
    if ctx.get("lang") == "tr":
        word = word.replace("i", "İ").replace("ı", "I") if rng.random() < 0.5 else word
    return word.upper() if word.islower() else word.lower()


HOMOGLYPHS = {
    "a": "а",
    "e": "е",
    "o": "о",
    "p": "р",
    "c": "с",
    "x": "х",
    "y": "у",
    "i": "і",
    "A": "А",
    "E": "Е",
    "O": "О",
    "P": "Р",
    "C": "С",
    "T": "Т",
    "H": "Н",
    "K": "К",
    "M": "М",
    "B": "В",
}


def swap_homoglyph(word: str, rng: random.Random, ctx: dict[str, Any]) -> str:
    """One Latin letter of the word swapped for its Cyrillic look-alike (the word unchanged when it has none)."""
    idx = [i for i, ch in enumerate(word) if ch in HOMOGLYPHS]
    if not idx:
        return word
    i = rng.choice(idx)
    return word[:i] + HOMOGLYPHS[word[i]] + word[i + 1 :]


def stray_punctuation(word: str, rng: random.Random, ctx: dict[str, Any]) -> str:
    """Punctuation noise: a stray mark after the word."""
    return word + rng.choice([",", ";", ":", "!", "?", "..."])


def to_fullwidth(word: str, rng: random.Random, ctx: dict[str, Any]) -> str:
    """ASCII letters and digits as their full-width forms (U+FF01..U+FF5E): a visual attack."""
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in word)


def insert_zero_width(word: str, rng: random.Random, ctx: dict[str, Any]) -> str:
    """A zero-width space (U+200B) between two grapheme clusters of the word: invisible when rendered."""
    g = regex.findall(r"\X", word)
    if len(g) < 2:
        return word
    i = rng.randrange(1, len(g))
    return "".join(g[:i]) + "\u200b" + "".join(g[i:])


def code_switch(word: str, rng: random.Random, ctx: dict[str, Any]) -> str:
    """The word's translation from a bilingual lexicon (another language), case kept; unknown words stay."""
    options = ctx.get("lexicon", {}).get(word.lower())
    if not options:
        return word
    new = rng.choice(options)
    return new[:1].upper() + new[1:] if word[:1].isupper() else new
