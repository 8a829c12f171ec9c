"""Seeded, label-preserving perturbations of target-language test sets (a registry like the others).

Every example's random generator comes from SHA-256 of (seed, perturbation, task, language, example id,
field), so a perturbed set is reproducible item by item. Text is NFC-normalised first; edits work on
grapheme clusters (``regex``'s ``\\X``), never inside a protected span. The share of words (or characters)
actually changed is measured and returned with every record.

Label-preservation rules enforced here:
- pair: negation words, numbers and capitalised non-initial words (names) are never changed; a word gets
  the same decision and replacement in both sentences; order-changing perturbations are refused for
  PAWS-X (order is its label). Capitalisation as the name test over-protects German, whose nouns are
  all capitalised: conservative (labels never break), but fewer words are perturbable there;
- span: the question only by default; with ``fields=("context",)`` the answers are protected and their
  ``start`` recomputed from an offset map, so ``context[start:start+len(text)] == text`` still holds;
- tagging: one-to-one token edits only (no split, merge or insertion of tokens);
- script-aware: diacritics are stripped only where marks are optional (Latin, Greek, Cyrillic, Arabic,
  Hebrew); casing only for cased scripts, with Turkish dotted/dotless i.

The edits themselves live in :mod:`xprep.evaluate.perturb_edits` (shared with :mod:`xprep.attack`).
"""

from __future__ import annotations

import dataclasses
import random
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from xprep.errors import InputError
from xprep.evaluate.perturb_edits import (  # noqa: F401 - re-exported: callers import them from here
    _WORD,
    HOMOGLYPHS,
    KEYBOARD_NEIGHBOURS,
    NEGATIONS,
    OPTIONAL_MARK_SCRIPTS,
    Edited,
    _casing,
    _code_switch,
    _fullwidth,
    _homoglyph,
    _punctuation,
    _strip_marks,
    _typo,
    _word_edit,
    _zero_width,
    example_rng,
    protected_word,
    read_lexicons,
)
from xprep.records import ChoiceRecord, PairRecord, Record, SpanRecord, TaggingRecord
from xprep.registry import Registry


def lexicon_for(specs: Sequence[Any], lang: str, vocab: Iterable[str]) -> dict[str, list[str]]:
    """Word -> translations for a ``lang`` test set. Files named ``SRC-TGT.txt`` (MUSE's ``en-de.txt``), or
    folders of them, are routed as the attacks route them (direct, inverted, or pivoted through English,
    :mod:`xprep.attack.lexicon`) into every language they reach; other files are read as ``word translation``
    lines whose first word is a test-set word."""
    from pathlib import Path

    from xprep.attack.lexicon import LEXICON_FILE_NAME, load_lexicon

    def routed(spec: Any) -> bool:
        path = Path(str(spec).split("=", 1)[-1])
        return path.is_dir() or "=" in str(spec) or bool(LEXICON_FILE_NAME.match(path.name))

    if not all(routed(s) for s in specs):
        return read_lexicons(specs)
    merged: dict[str, list[str]] = {}
    for table in load_lexicon(specs, lang, vocab=vocab).tables.values():
        for word, translations in table.items():
            merged.setdefault(word, []).extend(translations)
    return merged


@dataclass(frozen=True)
class Perturbation:
    name: str
    description: str
    edit: Callable[..., str]
    reorders: bool = False


PERTURBATIONS: Registry[Perturbation] = Registry("perturbation")
PERTURBATIONS.add("typos", Perturbation("typos", "keyboard typos, swaps, deletions, insertions", _typo))
PERTURBATIONS.add(
    "diacritics",
    Perturbation("diacritics", "strip optional diacritics (Latin, Greek, Cyrillic, Arabic, Hebrew)", _strip_marks),
)
PERTURBATIONS.add("casing", Perturbation("casing", "flip case of words (cased scripts; Turkish i)", _casing))
PERTURBATIONS.add("punctuation", Perturbation("punctuation", "stray punctuation after words", _punctuation))
PERTURBATIONS.add(
    "code-switch",
    Perturbation(
        "code-switch",
        "words replaced by their translation from bilingual lexicons (--lexicon, MUSE format)",
        _code_switch,
    ),
)
PERTURBATIONS.add(
    "word-order",
    Perturbation(
        "word-order", "local swaps of neighbouring words (pair and choice only; never PAWS-X)", _typo, reorders=True
    ),
)
PERTURBATIONS.add(
    "distractor",
    Perturbation("distractor", "a sentence from another context of the same language appended to a QA context", _typo),
)
PERTURBATIONS.add(
    "fullwidth", Perturbation("fullwidth", "ASCII letters and digits as full-width forms (U+FF01..)", _fullwidth)
)
PERTURBATIONS.add("zero-width", Perturbation("zero-width", "a zero-width space (U+200B) inside words", _zero_width))
PERTURBATIONS.add(
    "homoglyphs",
    Perturbation(
        "homoglyphs",
        "Latin letters swapped for Cyrillic look-alikes",
        _homoglyph,
    ),
)


def check_request(name: str, rate: float, lexicon: dict | None) -> None:
    """A word-level perturbation request that can run: a rate in [0, 1], a lexicon for code-switching."""
    if name == "code-switch" and not lexicon:
        raise InputError("code-switching needs a lexicon", hint="--lexicon FILE (xprep dict import writes one)")
    if not 0 <= rate <= 1:
        raise InputError(f"rate must be in [0, 1], got {rate}")


def perturb_record(
    rec: Record,
    name: str,
    rate: float,
    seed: int,
    task: str,
    fields: Sequence[str] | None = None,
    lexicon: dict[str, list[str]] | None = None,
    pool: Sequence[str] = (),
) -> tuple[Record, dict[str, Any]]:
    """A perturbed copy of ``rec`` and what was done (units changed / possible).

    ``lexicon`` feeds code-switching; ``pool`` holds other contexts of the language for distractors.
    """
    spec = PERTURBATIONS.get(name)
    if name == "word-order":
        return _reorder(rec, rate, seed, task)
    if name == "distractor":
        return _distractor(rec, seed, task, pool)
    check_request(name, rate, lexicon)
    if spec.reorders and task == "pawsx":
        raise InputError("order-changing perturbations are refused for PAWS-X (word order decides its label)")

    ctx = {"lang": rec.lang, "lexicon": lexicon or {}}

    def edit_fn(word: str, rng: random.Random) -> str:
        return spec.edit(word, rng, ctx)

    stats = {"changed": 0, "units": 0}

    def run(
        text: str,
        field: str,
        protect: Sequence[tuple[int, int]] = (),
        memo: dict | None = None,
        pair_rules: bool = False,
    ) -> Edited:
        rng = example_rng(seed, name, task, rec.lang, rec.id, field)
        ed = _word_edit(unicodedata.normalize("NFC", text), rng, rate, protect, edit_fn, pair_rules, memo)
        stats["changed"] += ed.changed
        stats["units"] += ed.units
        return ed

    if isinstance(rec, PairRecord):
        memo: dict[str, str] = {}  # the same word gets the same replacement in both sentences
        new: Record = dataclasses.replace(
            rec,
            text_a=run(rec.text_a, "text_a", memo=memo, pair_rules=True).text,
            text_b=run(rec.text_b, "text_b", memo=memo, pair_rules=True).text,
        )
    elif isinstance(rec, ChoiceRecord):
        new = dataclasses.replace(
            rec,
            context=run(rec.context, "context").text if rec.context else "",
            question=run(rec.question, "question").text if rec.question else "",
        )
    elif isinstance(rec, SpanRecord):
        chosen = tuple(fields or ("question",))
        question = run(rec.question, "question").text if "question" in chosen else rec.question
        context, answers = rec.context, rec.answers
        if "context" in chosen:
            protect = [(a["start"], a["start"] + len(a["text"])) for a in rec.answers]
            ed = run(rec.context, "context", protect)
            context = ed.text
            answers = [{"text": a["text"], "start": ed.offset_map[a["start"]]} for a in rec.answers]
        new = dataclasses.replace(rec, question=question, context=context, answers=answers)
    elif isinstance(rec, TaggingRecord):
        rng = example_rng(seed, name, task, rec.lang, rec.id, "tokens")
        tokens = []
        for tok in rec.tokens:  # one token in, one token out: tags keep their positions
            out = edit_fn(tok, rng) if tok[:1].isalpha() and rng.random() < rate else tok
            stats["units"] += tok[:1].isalpha()
            stats["changed"] += out != tok
            tokens.append(out if out.strip() and not any(c.isspace() for c in out) else tok)
        new = dataclasses.replace(rec, tokens=tokens)
    else:  # pragma: no cover - every kind is handled above
        raise InputError(f"no perturbation for kind {rec.KIND}")
    new.meta = {**rec.meta, "perturbation": {"name": name, "rate": rate, "seed": seed, **stats}}
    new.validate()
    return new, stats


def perturb_file(
    source: Any,
    out: Any,
    name: str,
    rate: float,
    seed: int,
    task: str,
    fields: Sequence[str] | None = None,
    lexicons: Sequence[Any] = (),
    lang: str | None = None,
) -> dict[str, Any]:
    """Perturb a ``records.jsonl``, a build folder, or a test file in the task's own release format (XQuAD
    JSON, XNLI TSV, CoNLL-U...; ``lang`` needed) into ``out/`` with records, HF dataset and manifest.

    The manifest records the requested and the applied rate (changed units over perturbable units).
    """
    from pathlib import Path

    from xprep import __version__
    from xprep.io import atomic_dir, read_records, sha256_file, write_hf_dataset, write_jsonl
    from xprep.manifest import RECORDS, Manifest
    from xprep.owned import check_output_dir
    from xprep.tasks.targets import TARGETS

    kind = TARGETS.get(task).kind  # an unknown task is refused, not perturbed under default rules
    if not 0 <= rate <= 1:
        raise InputError(f"rate must be in [0, 1], got {rate}")
    check_output_dir(Path(out))
    src = Path(source)
    src = src / RECORDS if src.is_dir() else src
    if src.is_file() and not src.name.endswith(".jsonl"):  # the task's own format, as `xprep evaluate` reads it
        from xprep.tasks.targets import load_target

        if lang is None:
            raise InputError(f"a {task} file in its release format needs --lang", where=str(src))
        records = load_target(task, lang, src)
    else:
        records = list(read_records(src))
    if not records:
        raise InputError("no records to perturb", where=str(src))
    if kind != records[0].KIND:
        raise InputError(f"these are {records[0].KIND} records; {task} is a {kind} task", where=str(src))
    vocab = {w for r in records for _, text in r.segments() for w in text.split()}
    lexicon = lexicon_for(lexicons, records[0].lang, vocab) if lexicons else None
    pool = sorted({r.context for r in records if isinstance(r, SpanRecord)})
    perturbed, changed, units = [], 0, 0
    for rec in records:
        new, stats = perturb_record(rec, name, rate, seed, task, fields, lexicon, pool)
        perturbed.append(new)
        changed += stats["changed"]
        units += stats["units"]
    man = Manifest(
        declared={
            "xprep_version": __version__,
            "task": {"name": task, "kind": records[0].KIND, "split": "test", "limit": None},
            "languages": {"source": records[0].lang, "target": records[0].lang},
            "projection": [],
            "source": {"path": src.name, "sha256": sha256_file(src)},  # by file name: no path of this machine
            "perturbation": {
                "name": name,
                "rate": rate,
                "seed": seed,
                "fields": list(fields or []),
                "description": PERTURBATIONS.get(name).description,
            },
        }
    )
    with atomic_dir(Path(out)) as tmp:
        write_jsonl(tmp / RECORDS, (r.to_dict() for r in perturbed))
        write_hf_dataset(tmp / RECORDS, tmp, records[0].KIND)
        man.computed = {
            "counts": {"in": len(records), "out": len(perturbed), "dropped": 0, "dropped_by_reason": {}},
            "applied": {"changed": changed, "units": units, "rate": round(changed / units, 4) if units else 0.0},
            "records_sha256": sha256_file(tmp / RECORDS),
        }
        man.write(tmp)
    return man.to_dict()


def _reorder(rec: Record, rate: float, seed: int, task: str) -> tuple[Record, dict[str, Any]]:
    """Swap neighbouring words with probability ``rate``; protected words (pair rules) never move."""
    if task == "pawsx":
        raise InputError("order-changing perturbations are refused for PAWS-X (word order decides its label)")
    if not isinstance(rec, (PairRecord, ChoiceRecord)):
        raise InputError(f"word-order perturbations apply to pair and choice tasks, not {rec.KIND}")
    stats = {"changed": 0, "units": 0}

    def shuffle(text: str, field: str) -> str:
        rng = example_rng(seed, "word-order", task, rec.lang, rec.id, field)
        words = text.split(" ")
        stats["units"] += len(words)
        i = 0
        while i + 1 < len(words):
            a, b = words[i], words[i + 1]
            movable = not any(protected_word(w.strip(".,;:!?"), j == 0) for j, w in ((i, a), (i + 1, b)))
            if movable and rng.random() < rate:
                words[i], words[i + 1] = b, a
                stats["changed"] += 2
                i += 2
            else:
                i += 1
        return " ".join(words)

    if isinstance(rec, PairRecord):
        new: Record = dataclasses.replace(
            rec, text_a=shuffle(rec.text_a, "text_a"), text_b=shuffle(rec.text_b, "text_b")
        )
    else:
        new = dataclasses.replace(
            rec,
            context=shuffle(rec.context, "context") if rec.context else "",
            question=shuffle(rec.question, "question") if rec.question else "",
        )
    new.meta = {**rec.meta, "perturbation": {"name": "word-order", "rate": rate, "seed": seed, **stats}}
    new.validate()
    return new, stats


def _distractor(rec: Record, seed: int, task: str, pool: Sequence[str]) -> tuple[Record, dict[str, Any]]:
    """Append one sentence taken from another context: answers and their offsets are untouched."""
    from xprep.mt.langcodes import joiner
    from xprep.mt.segment import split_sentences

    if not isinstance(rec, SpanRecord):
        raise InputError(f"distractor sentences apply to QA (span) tasks, not {rec.KIND}")
    others = [c for c in pool if c != rec.context]
    if not others:
        raise InputError("no other context to take a distractor sentence from")
    rng = example_rng(seed, "distractor", task, rec.lang, rec.id, "context")
    ctx = rng.choice(others)
    sents = [ctx[x.start : x.end] for x in split_sentences(ctx)] or [ctx]
    new = dataclasses.replace(rec, context=rec.context + joiner(rec.lang) + rng.choice(sents))
    stats = {"changed": 1, "units": 1}
    new.meta = {**rec.meta, "perturbation": {"name": "distractor", "rate": 1.0, "seed": seed, **stats}}
    new.validate()
    return new, stats
