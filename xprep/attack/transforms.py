"""Transformations: the candidate replacements of one site (a registry, reusing the perturbation edits).

- ``char``: character edits from the perturbation registry, each a few seeded variants: keyboard typos,
  swaps, deletions and insertions on grapheme clusters (``typos``), Cyrillic look-alikes (``homoglyphs``),
  a zero-width space inside the word (``zero-width``), optional diacritics stripped (``diacritics``);
- ``codemix``: the word's translations into the embedded languages of a bilingual lexicon (direct, inverted
  or pivoted through English, see :mod:`xprep.attack.lexicon`), case kept: word-level code-mixing;
- ``distractor``: for QA, a sentence taken from another context of the same language, appended after the
  context (answers and their offsets untouched), in the spirit of Jia & Liang's (2017) AddAny/AddSent
  without their question-aware sentence construction.

Every random choice comes from the perturbations' per-example SHA-256 generator, so candidates are the same
for the same seed, example and site.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from xprep.attack.lexicon import Lexicon
from xprep.attack.sites import APPEND, Site
from xprep.perturb.edits import example_rng
from xprep.perturb.registry import PERTURBATIONS
from xprep.records import Record
from xprep.registry import Registry


@dataclass(frozen=True)
class Candidate:
    text: str
    transformation: str
    detail: str = ""  # the edit (typos, homoglyphs, ...) or the embedded language and route


@dataclass
class TransformContext:
    seed: int
    task: str
    lang: str
    lexicon: Lexicon | None = None
    per_language: int = 1  # codemix: translations tried per embedded language
    variants: int = 3  # char: seeded variants of each random edit
    pool: Sequence[str] = field(default_factory=list)  # distractor: other contexts of the language


@dataclass(frozen=True)
class Transformation:
    name: str
    description: str
    generate: Callable[[Site, Record, TransformContext], list[Candidate]]
    needs_lexicon: bool = False


CHAR_EDITS = ("typos", "homoglyphs", "zero-width", "diacritics")
_RANDOM_EDITS = ("typos", "zero-width")  # the others are (nearly) deterministic: one variant is enough


def _char(site: Site, rec: Record, ctx: TransformContext) -> list[Candidate]:
    if site.key == APPEND:
        return []
    out: list[Candidate] = []
    for name in CHAR_EDITS:
        edit = PERTURBATIONS.get(name).edit
        for k in range(ctx.variants if name in _RANDOM_EDITS else 1):
            rng = example_rng(ctx.seed, f"attack-{name}", ctx.task, rec.lang, rec.id, f"{site.key}#{k}")
            out.append(Candidate(edit(site.word, rng, {"lang": ctx.lang}), "char", name))
    return out


def _case_like(word: str, new: str) -> str:
    return new[:1].upper() + new[1:] if word[:1].isupper() else new


def _codemix(site: Site, rec: Record, ctx: TransformContext) -> list[Candidate]:
    if site.key == APPEND or ctx.lexicon is None:
        return []
    out = []
    for lang in ctx.lexicon.languages():
        for t in ctx.lexicon.translations(site.word, lang)[: ctx.per_language]:
            out.append(Candidate(_case_like(site.word, t), "codemix", f"{lang}:{ctx.lexicon.routes[lang]}"))
    return out


def _distractor(site: Site, rec: Record, ctx: TransformContext) -> list[Candidate]:
    if site.key != APPEND:
        return []
    from xprep.mt.segment import split_sentences

    context = getattr(rec, "context", "")
    others = [c for c in ctx.pool if c != context]
    if not others:
        return []
    rng = example_rng(ctx.seed, "attack-distractor", ctx.task, rec.lang, rec.id, "context")
    picked = rng.sample(others, min(len(others), ctx.variants * 2))
    out = []
    for other in picked:
        sents = [other[s.start : s.end].strip() for s in split_sentences(other)] or [other]
        out.append(Candidate(rng.choice([s for s in sents if s] or [other]), "distractor", "another context"))
    return out


TRANSFORMATIONS: Registry[Transformation] = Registry("attack transformation")
TRANSFORMATIONS.add(
    "char",
    Transformation("char", "typos, homoglyphs, zero-width spaces, stripped diacritics (seeded variants)", _char),
)
TRANSFORMATIONS.add(
    "codemix",
    Transformation("codemix", "word translations into embedded languages (bilingual lexicons)", _codemix, True),
)
TRANSFORMATIONS.add(
    "distractor", Transformation("distractor", "QA: a sentence of another context appended", _distractor)
)


def candidates(site: Site, rec: Record, names: Sequence[str], ctx: TransformContext) -> list[Candidate]:
    """Every transformation's candidates for ``site``, in order, without duplicates or no-op edits."""
    seen: set[str] = {site.word}
    out = []
    for name in names:
        for cand in TRANSFORMATIONS.get(name).generate(site, rec, ctx):
            if cand.text not in seen:
                seen.add(cand.text)
                out.append(cand)
    return out
