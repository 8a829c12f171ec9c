"""Checks score a translated record against its source; they never decide or drop.

Each check is registered in CHECKS and writes one value into ``meta["quality"][name]``:

- ``langid``: the language langdetect finds in the translated text and its probability;
- ``length_ratio``: target/source characters, divided by the target script's expected ratio;
- ``copy``: share of translated fields that are an untranslated copy of their source (>= 3 words);
- ``repetition``: the longest run of a repeated 1-4-gram in any translated field (a known NLLB failure);
- ``meaning`` (off by default): cross-lingual cosine similarity of each field and its source
  (:mod:`xprep.quality.meaning`), a *batch* check: one embedding pass per chunk, not one per record.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from xprep.records import Record
from xprep.registry import Registry

# Characters of the target per character of English source, roughly, for scripts far from 1.0.
EXPECTED_CHAR_RATIO = {"zh": 0.3, "zh-Hant": 0.3, "ja": 0.4, "ko": 0.45, "th": 0.9, "ar": 0.85, "he": 0.8}


@dataclass(frozen=True)
class CheckOptions:
    """What a check needs beyond the two records: the meaning check's encoder folder (None: e5-small)
    and device. Plain data, so that it travels to a pool's or Ray's workers."""

    qe_model: str | None = None
    device: str = "cpu"


Pairs = list[tuple[Record, Record]]


@dataclass(frozen=True)
class Check:
    """``score`` scores one pair; a batch check has ``score_batch`` instead, called once per chunk."""

    name: str
    description: str
    score: Callable[[Record, Record], Any] | None = None
    score_batch: Callable[[Pairs, CheckOptions], list[Any]] | None = None
    default: bool = True  # scored unless the caller picks checks (the meaning check is not)

    @property
    def batched(self) -> bool:
        return self.score_batch is not None


CHECKS: Registry[Check] = Registry("check")


def _texts(rec: Record) -> list[str]:
    return [t for _, t in rec.segments() if t]


# --- langid ------------------------------------------------------------------------------------
_LANGDETECT_ALIASES = {"zh-cn": "zh", "zh-tw": "zh-Hant"}


def detect_language(text: str) -> tuple[str, float]:
    """(language, probability) by langdetect, seeded so results repeat; ('unknown', 0) for no letters."""
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    try:
        best = detect_langs(text)[0]
    except LangDetectException:
        return "unknown", 0.0
    return _LANGDETECT_ALIASES.get(best.lang, best.lang), round(best.prob, 4)


def langdetect_supports(lang: str) -> bool:
    """Whether langdetect has a profile for ``lang`` (55 languages)."""
    import os

    import langdetect

    profiles = os.path.join(os.path.dirname(langdetect.__file__), "profiles")
    names = {_LANGDETECT_ALIASES.get(n, n) for n in os.listdir(profiles)}
    return lang in names


def _langid(src: Record, tgt: Record) -> dict[str, Any]:
    lang, prob = detect_language(" ".join(_texts(tgt)))
    return {"lang": lang, "prob": prob}


_LINGUA: dict[str, Any] = {}


def detect_language_lingua(text: str) -> tuple[str, float]:
    """(language, relative confidence) by lingua (75 languages, offline; better on short text).

    The detector is built once per process; its first call loads every language model (~1 GB, seconds).
    """
    from xprep.errors import require

    lingua = require("lingua", "lingua")
    if "detector" not in _LINGUA:
        _LINGUA["detector"] = lingua.LanguageDetectorBuilder.from_all_languages().build()
    detector = _LINGUA["detector"]
    found = detector.detect_language_of(text)
    if found is None:
        return "unknown", 0.0
    conf = detector.compute_language_confidence_values(text)[0].value
    return found.iso_code_639_1.name.lower(), round(conf, 4)


def lingua_supports(lang: str) -> bool:
    """Whether lingua knows ``lang`` (ISO 639-1)."""
    from xprep.errors import require

    lingua = require("lingua", "lingua")
    return any(x.iso_code_639_1.name.lower() == lang for x in lingua.Language.all())


def _lingua(src: Record, tgt: Record) -> dict[str, Any]:
    lang, prob = detect_language_lingua(" ".join(_texts(tgt)))
    return {"lang": lang, "prob": prob, "backend": "lingua"}


# --- length ratio ------------------------------------------------------------------------------
def _length_ratio(src: Record, tgt: Record) -> float:
    s = sum(len(t) for t in _texts(src)) or 1
    t = sum(len(x) for x in _texts(tgt))
    return round(t / s / EXPECTED_CHAR_RATIO.get(tgt.lang, 1.0), 4)


# --- copies ------------------------------------------------------------------------------------
_NON_WORD = re.compile(r"\W+", re.UNICODE)


def _norm(text: str) -> str:
    return _NON_WORD.sub(" ", text.lower()).strip()


def _copy(src: Record, tgt: Record) -> float:
    pairs = [(a, b) for (_, a), (_, b) in zip(src.segments(), tgt.segments(), strict=False) if len(a.split()) >= 3]
    if not pairs:
        return 0.0
    return round(sum(_norm(a) == _norm(b) for a, b in pairs) / len(pairs), 4)


# --- repetition --------------------------------------------------------------------------------
def longest_repeat(tokens: list[str], max_n: int = 4) -> int:
    """The most consecutive repetitions of any n-gram (n <= ``max_n``); 1 means nothing repeats."""
    best = 1
    for n in range(1, max_n + 1):
        i = 0
        while i + 2 * n <= len(tokens):
            run = 1
            while i + (run + 1) * n <= len(tokens) and tokens[i + run * n : i + (run + 1) * n] == tokens[i : i + n]:
                run += 1
            best = max(best, run)
            i += max(1, (run - 1) * n) if run > 1 else 1
    return best


def _repetition(src: Record, tgt: Record) -> int:
    def toks(text: str) -> list[str]:
        words = text.split()
        return words if len(words) > 1 else list(text)  # unspaced scripts: characters

    return max((longest_repeat(toks(t)) for t in _texts(tgt)), default=1)


CHECKS.add("langid", Check("langid", "detected language of the translation (langdetect) and its probability", _langid))
CHECKS.add("lingua", Check("lingua", "detected language by lingua (75 languages; instead of langid)", _lingua))
CHECKS.add(
    "length_ratio", Check("length_ratio", "target/source characters over the script's expected ratio", _length_ratio)
)
CHECKS.add("copy", Check("copy", "share of fields (>= 3 words) copied untranslated", _copy))
CHECKS.add("repetition", Check("repetition", "longest run of a repeated 1-4-gram", _repetition))


def _meaning(pairs: Pairs, options: CheckOptions) -> list[Any]:
    from xprep.quality import meaning

    return meaning.score_pairs(pairs, meaning.resolve_qe_model(options.qe_model), options.device)


CHECKS.add(
    "meaning",
    Check(
        "meaning",
        "cross-lingual cosine similarity of each field and its source (multilingual-e5-small or --qe-model)",
        score_batch=_meaning,
        default=False,
    ),
)


def default_checks() -> list[str]:
    """The checks a build scores when none are picked (every check but the opt-in ones)."""
    return [n for n in CHECKS.names() if CHECKS.get(n).default]


def score(src: Record, tgt: Record, names: list[str] | None = None, options: CheckOptions | None = None) -> dict:
    """Run the named checks (the default ones when None) and return ``{name: value}``."""
    return score_many([(src, tgt)], names or default_checks(), options)[0]


def score_many(pairs: Pairs, names: list[str], options: CheckOptions | None = None) -> list[dict[str, Any]]:
    """The named checks over (source, translation) pairs, in order (inline, or in a pool's worker):
    per-pair checks record by record, batch checks once over all of ``pairs``."""
    options = options or CheckOptions()
    found = [CHECKS.get(n) for n in names]
    batched = {c.name: c.score_batch(pairs, options) for c in found if c.score_batch is not None and pairs}
    out = []
    for i, (src, tgt) in enumerate(pairs):
        out.append({c.name: batched[c.name][i] if c.batched else c.score(src, tgt) for c in found})  # type: ignore[misc]
    return out


DEFAULT_CHECKS = ("langid", "length_ratio", "copy", "repetition")  # what a build scores unless told


def select_checks(value: str | None, langid: str = "langdetect", qe_model: str | None = None) -> tuple[str, ...]:
    """``--checks``: a comma list that replaces the default checks (``langid,length_ratio,copy,repetition``,
    with ``lingua`` for ``--langid lingua``), or ``+NAME`` / ``-NAME`` items that add to or take from it.
    ``--qe-model`` turns the meaning check on. Unknown names are a one-line error."""
    chosen = ["lingua" if c == "langid" and langid == "lingua" else c for c in DEFAULT_CHECKS]
    items = [x.strip() for x in (value or "").split(",") if x.strip()]
    if items and not all(x[0] in "+-" for x in items):
        chosen = []
    for item in items:
        name = item.lstrip("+-")
        CHECKS.get(name)  # UnknownNameError naming the known checks
        if item.startswith("-"):
            chosen = [n for n in chosen if n != name]
        elif name not in chosen:
            chosen.append(name)
    if qe_model is not None and "meaning" not in chosen:
        chosen.append("meaning")
    return tuple(chosen)
