"""The PERTURBATIONS registry: every perturbation with the kinds it applies to, the tasks it refuses (and
why) and its behaviour, a word edit or a whole-record transform. Whether a perturbation may run on a task is
asked here (:func:`applies`) and nowhere else."""

from __future__ import annotations

from xprep.perturb import edits
from xprep.perturb.records import WORD_KINDS, edit_words
from xprep.perturb.spec import Perturbation, Refusal, WordEdit
from xprep.perturb.transforms import append_distractor, swap_neighbours
from xprep.registry import Registry

PAWSX_ORDER = Refusal("pawsx", "order-changing perturbations are refused for PAWS-X (word order decides its label)")


def _word(name: str, description: str, edit: WordEdit, no_lexicon: str | None = None) -> Perturbation:
    """A word-level perturbation: ``edit`` on words of every kind, under each kind's label rules."""
    return Perturbation(name, description, WORD_KINDS, edit_words, edit=edit, no_lexicon=no_lexicon)


PERTURBATIONS: Registry[Perturbation] = Registry("perturbation")
PERTURBATIONS.add("typos", _word("typos", "keyboard typos, swaps, deletions, insertions", edits.typo))
PERTURBATIONS.add(
    "diacritics",
    _word("diacritics", "strip optional diacritics (Latin, Greek, Cyrillic, Arabic, Hebrew)", edits.strip_marks),
)
PERTURBATIONS.add("casing", _word("casing", "flip case of words (cased scripts; Turkish i)", edits.flip_case))
PERTURBATIONS.add("punctuation", _word("punctuation", "stray punctuation after words", edits.stray_punctuation))
PERTURBATIONS.add(
    "code-switch",
    _word(
        "code-switch",
        "words replaced by their translation from bilingual lexicons (--lexicon, MUSE format)",
        edits.code_switch,
        no_lexicon="code-switching needs a lexicon",
    ),
)
PERTURBATIONS.add(
    "word-order",
    Perturbation(
        "word-order",
        "local swaps of neighbouring words (pair and choice only; never PAWS-X)",
        ("pair", "choice"),
        swap_neighbours,
        refuses=(PAWSX_ORDER,),
        off_kind="word-order perturbations apply to pair and choice tasks, not {kind}",
    ),
)
PERTURBATIONS.add(
    "distractor",
    Perturbation(
        "distractor",
        "a sentence from another context of the same language appended to a QA context",
        ("span",),
        append_distractor,
        off_kind="distractor sentences apply to QA (span) tasks, not {kind}",
        uses_rate=False,
    ),
)
PERTURBATIONS.add(
    "fullwidth", _word("fullwidth", "ASCII letters and digits as full-width forms (U+FF01..)", edits.to_fullwidth)
)
PERTURBATIONS.add(
    "zero-width", _word("zero-width", "a zero-width space (U+200B) inside words", edits.insert_zero_width)
)
PERTURBATIONS.add(
    "homoglyphs", _word("homoglyphs", "Latin letters swapped for Cyrillic look-alikes", edits.swap_homoglyph)
)


def applies(name: str, kind: str, task: str) -> bool:
    """Whether perturbation ``name`` can run on ``task`` (a ``kind`` task) without breaking its labels."""
    return PERTURBATIONS.get(name).refusal(kind, task) is None
