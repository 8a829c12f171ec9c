"""The shipped attacks: each names its goal (by task kind), transformations, constraints and search.

What each models and what it does not is written next to it (the docs repeat it):

- ``codemix``: word-level code-mixing with bilingual lexicons, searched left to right with a beam over the
  embedded languages (PolyGloss, Tan & Joty 2021). Models a bilingual speaker's word choices; does not model
  phrase-level code-mixing (their phrase attack), grammatical agreement, or which languages a real speaker mixes;
  lexicon translations are out of context (a polysemous word may get the wrong sense).
- ``charflip``: character edits (typos, homoglyphs, zero-width spaces, stripped diacritics), greedy by word
  importance (the search of TextFooler/DeepWordBug-style attacks). Models noisy typing and visual spoofing;
  does not model what a human would still read effortlessly (no perceptual constraint beyond max-change).
- ``qa-question``: character edits, and code-mixing where lexicons are given, on question words only, greedy;
  the context and the answers are never touched. Does not model AddSent-style distractors (``qa-distractor``).
- ``qa-distractor``: a sentence from another context appended after the context, the most damaging one kept
  (one step). Models irrelevant but plausible text; unlike AddSent (Jia & Liang 2017) the sentence is not built
  to resemble the question.
- ``ner-context``: character edits, and code-mixing where lexicons are given, on the non-entity tokens of
  PAN-X/UD-POS sentences (entity, PROPN and NUM tokens protected), greedy. Models context noise around
  entities; does not change the entities themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from xprep.registry import Registry


@dataclass(frozen=True)
class AttackRecipe:
    name: str
    description: str
    kinds: tuple[str, ...]
    transformations: tuple[str, ...]
    constraints: tuple[str, ...]
    search: str
    width: int = 1
    max_change: float = 1.0
    lexicon: str = "optional"  # required, optional (used when given) or unused
    distractor: bool = False


ATTACKS: Registry[AttackRecipe] = Registry("attack")
for _r in (
    AttackRecipe(
        "codemix",
        "word-level code-mixing from bilingual lexicons, PolyGloss beam left to right",
        ("pair", "choice", "span", "tagging"),
        ("codemix",),
        ("label-rules", "entities", "max-change"),
        "polygloss",
        width=2,
        max_change=0.5,
        lexicon="required",
    ),
    AttackRecipe(
        "charflip",
        "character edits (typos, homoglyphs, zero-width, diacritics), greedy by word importance",
        ("pair", "choice", "span", "tagging"),
        ("char",),
        ("label-rules", "entities", "stopwords", "max-change"),
        "greedy-wir",
        max_change=0.25,
        lexicon="unused",
    ),
    AttackRecipe(
        "qa-question",
        "question edits only (character edits; code-mixing with --lexicon), greedy; answers untouched",
        ("span",),
        ("char", "codemix"),
        ("label-rules", "stopwords", "max-change"),
        "greedy-wir",
        max_change=0.3,
    ),
    AttackRecipe(
        "qa-distractor",
        "a sentence from another context appended after the context; answers untouched",
        ("span",),
        ("distractor",),
        ("label-rules",),
        "greedy-wir",
        lexicon="unused",
        distractor=True,
    ),
    AttackRecipe(
        "ner-context",
        "PAN-X/UD-POS: non-entity tokens only (character edits; code-mixing with --lexicon), greedy",
        ("tagging",),
        ("char", "codemix"),
        ("label-rules", "entities", "stopwords", "max-change"),
        "greedy-wir",
        max_change=0.3,
    ),
):
    ATTACKS.add(_r.name, _r)
