"""A word edit applied to a record of each kind, under that kind's label-preservation rules.

- pair: negation words, numbers and capitalised non-initial words (names) are never changed; a word gets
  the same decision and replacement in both sentences. Capitalisation as the name test over-protects German,
  whose nouns are all capitalised: conservative (labels never break), but fewer words are perturbable there;
- choice: the context and the question; the choices (what the label indexes) stay as they are;
- span: the question only by default; with ``fields=("context",)`` the answers are protected and their
  ``start`` recomputed from an offset map, so ``context[start:start+len(text)] == text`` still holds (the
  context and its answers come out in NFC, answer edges mapped through the normalisation);
- tagging: one-to-one token edits only (no split, merge or insertion of tokens), so tags keep their positions;
- retrieval: one sentence at a time, every word perturbable, seeded by the sentence's id.

Text is NFC-normalised first; edits work on grapheme clusters, never inside a protected span.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Callable, Sequence

from xprep.perturb.edits import Edited, edit_text, example_rng
from xprep.perturb.spec import Perturbation, Request, Stats
from xprep.records import ChoiceRecord, PairRecord, Record, SpanRecord, TaggingRecord
from xprep.text import nfc_at


class _FieldEditor:
    """One word edit over the fields of one record: a generator per field, changed and perturbable units
    counted across fields."""

    def __init__(self, spec: Perturbation, rec: Record, req: Request) -> None:
        self.edit = spec.bound_edit(rec.lang, req.lexicon)
        self.rec, self.req = rec, req
        self.stats: Stats = {"changed": 0, "units": 0}

    def __call__(
        self,
        text: str,
        field: str,
        protect: Sequence[tuple[int, int]] = (),
        memo: dict[str, str] | None = None,
        pair_rules: bool = False,
        nfc: bool = True,
    ) -> Edited:
        """``text`` edited (NFC first unless ``nfc`` is False: the caller normalised it and mapped ``protect``)."""
        rng = self.req.rng(self.rec, field)
        text = unicodedata.normalize("NFC", text) if nfc else text
        ed = edit_text(text, rng, self.req.rate, protect, self.edit, pair_rules, memo)
        self.stats["changed"] += ed.changed
        self.stats["units"] += ed.units
        return ed


def _pair(run: _FieldEditor, rec: PairRecord) -> Record:
    memo: dict[str, str] = {}  # the same word gets the same replacement in both sentences
    return dataclasses.replace(
        rec,
        text_a=run(rec.text_a, "text_a", memo=memo, pair_rules=True).text,
        text_b=run(rec.text_b, "text_b", memo=memo, pair_rules=True).text,
    )


def _choice(run: _FieldEditor, rec: ChoiceRecord) -> Record:
    return dataclasses.replace(
        rec,
        context=run(rec.context, "context").text if rec.context else "",
        question=run(rec.question, "question").text if rec.question else "",
    )


def _span(run: _FieldEditor, rec: SpanRecord) -> Record:
    chosen = tuple(run.req.fields or ("question",))
    question = run(rec.question, "question").text if "question" in chosen else rec.question
    context, answers = rec.context, rec.answers
    if "context" in chosen:
        rec.validate()  # answers that do not point at their text: one clear error, not a wrong offset later
        # NFC first, the answer edges mapped with it: a decomposed (NFD) context keeps its answers in place
        bounds = [(a["start"], a["start"] + len(a["text"])) for a in rec.answers]
        nfc, where = nfc_at(rec.context, [x for ab in bounds for x in ab])
        protect = [(where[a], where[b]) for a, b in bounds]
        ed = run(nfc, "context", protect, nfc=False)
        context = ed.text
        answers = [{"text": nfc[a:b], "start": ed.offset_map[a]} for a, b in protect]
    return dataclasses.replace(rec, question=question, context=context, answers=answers)


def _tagging(run: _FieldEditor, rec: TaggingRecord) -> Record:
    rng = run.req.rng(rec, "tokens")
    tokens = []
    for tok in rec.tokens:  # one token in, one token out: tags keep their positions
        out = run.edit(tok, rng) if tok[:1].isalpha() and rng.random() < run.req.rate else tok
        run.stats["units"] += tok[:1].isalpha()
        run.stats["changed"] += out != tok
        tokens.append(out if out.strip() and not any(c.isspace() for c in out) else tok)
    return dataclasses.replace(rec, tokens=tokens)


KIND_RULES: dict[str, Callable[..., Record]] = {"pair": _pair, "choice": _choice, "span": _span, "tagging": _tagging}
WORD_KINDS = (*KIND_RULES, "retrieval")  # every kind a word edit applies to (retrieval: see edit_sentence)


def edit_words(spec: Perturbation, rec: Record, req: Request) -> tuple[Record, Stats]:
    """The word-edit transform: ``spec.edit`` on a ``req.rate`` share of the perturbable words of ``rec``,
    under the rules of its kind; returns the copy and the units changed / perturbable."""
    run = _FieldEditor(spec, rec, req)
    return KIND_RULES[rec.KIND](run, rec), run.stats


def edit_sentence(spec: Perturbation, req: Request, text: str, lang: str, sid: str) -> Edited:
    """One retrieval sentence under ``spec.edit``: every word perturbable, seeded by the sentence id ``sid``."""
    rng = example_rng(req.seed, req.name, req.task, lang, sid, "text")
    return edit_text(
        unicodedata.normalize("NFC", text), rng, req.rate, (), spec.bound_edit(lang, req.lexicon), False, None
    )
