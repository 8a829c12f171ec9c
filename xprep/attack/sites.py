"""Where an attack may edit a record: *sites* (words) of the attacked fields, and applying edits to them.

A :class:`View` splits the attacked fields of a record into words with the perturbation module's word pattern
(letters with their marks, numbers, other characters one by one; NFC first). A site is one editable word:

- pair: one site per *word type* over both sentences, so the same word gets the same replacement in
  ``text_a`` and ``text_b`` (the perturbations' pair rule);
- choice, span: one site per word position of the attacked fields (span: the question; context edits are
  not offered because answer offsets would move, except the distractor sentence appended after the context);
- tagging: one site per token (one token in, one token out: tags keep their positions).

Edits are ``{site key: new text}``; :meth:`View.apply` rebuilds the record from them. Only words that start
with a letter are sites; the constraints (:mod:`xprep.attack.constraints`) decide which of them may change.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from xprep.perturb.edits import WORD as _WORD
from xprep.records import ChoiceRecord, PairRecord, Record, SpanRecord, TaggingRecord

APPEND = "+append"  # the site key of a sentence appended after a QA context (distractors)


@dataclass(frozen=True)
class Site:
    key: str
    word: str  # the original word ("" for the appended sentence)
    places: tuple[tuple[str, int], ...]  # (field, word index) occurrences it replaces
    order: int  # left-to-right position over the attacked fields
    field: str

    @property
    def size(self) -> int:
        """Words this site changes when edited."""
        return max(1, len(self.places))


def default_fields(rec: Record) -> tuple[str, ...]:
    """The fields an attack edits unless told otherwise."""
    if isinstance(rec, PairRecord):
        return ("text_a", "text_b")
    if isinstance(rec, ChoiceRecord):
        return tuple(f for f in ("context", "question") if getattr(rec, f))
    if isinstance(rec, SpanRecord):
        return ("question",)
    return ("tokens",)


class View:
    """The words of a record's attacked fields, its sites and how to apply edits."""

    def __init__(self, rec: Record, fields: Sequence[str] | None = None) -> None:
        self.rec = rec
        self.fields = tuple(fields or default_fields(rec))
        self.texts: dict[str, str] = {}
        self.spans: dict[str, list[tuple[int, int]]] = {}
        if isinstance(rec, TaggingRecord):
            self.words: dict[str, list[str]] = {"tokens": list(rec.tokens)}
        else:
            self.words = {}
            for f in self.fields:
                text = unicodedata.normalize("NFC", getattr(rec, f))
                self.texts[f] = text
                matches = list(_WORD.finditer(text))
                self.spans[f] = [m.span() for m in matches]
                self.words[f] = [m.group() for m in matches]

    @property
    def n_words(self) -> int:
        """Words of the attacked fields that start with a letter (the denominator of the perturbed-word share)."""
        return sum(1 for ws in self.words.values() for w in ws if w[:1].isalpha())

    def sites(self, distractor: bool = False) -> list[Site]:
        """Every word site (letter-initial words), in left-to-right order; plus the append site for QA."""
        out: list[Site] = []
        order = 0
        if isinstance(self.rec, PairRecord):
            by_type: dict[str, list[tuple[str, int]]] = {}
            for f in self.fields:
                for i, w in enumerate(self.words[f]):
                    if w[:1].isalpha():
                        by_type.setdefault(w, []).append((f, i))
            for w, places in by_type.items():  # dict order: first occurrence first
                out.append(Site(f"w:{w}", w, tuple(places), len(out), places[0][0]))
            return out
        for f in self.fields:
            for i, w in enumerate(self.words[f]):
                if w[:1].isalpha():
                    out.append(Site(f"{f}:{i}", w, ((f, i),), order, f))
                    order += 1
        if distractor and isinstance(self.rec, SpanRecord):
            out.append(Site(APPEND, "", (), order, "context"))
        return out

    def changed_words(self, edits: Mapping[str, str], sites: Mapping[str, Site]) -> int:
        """Words the edits change (a pair word type counts once per occurrence; an appended sentence by its words)."""
        n = 0
        for key, new in edits.items():
            n += len(_WORD.findall(new)) if key == APPEND else sites[key].size
        return n

    def apply(self, edits: Mapping[str, str], sites: Mapping[str, Site], validate: bool = True) -> Record:
        """The record with ``edits`` applied; ``validate`` checks the result (deletions for word importance skip it)."""
        if not edits:
            return self.rec
        repl: dict[str, dict[int, str]] = {}
        for key, new in edits.items():
            if key == APPEND:
                continue
            for f, i in sites[key].places:
                repl.setdefault(f, {})[i] = new
        rec = self.rec
        if isinstance(rec, TaggingRecord):
            tokens = [repl.get("tokens", {}).get(i, t) for i, t in enumerate(rec.tokens)]
            new_rec: Record = dataclasses.replace(rec, tokens=tokens)
        else:
            changes = {f: self._rebuild(f, repl[f]) for f in repl}
            if APPEND in edits and isinstance(rec, SpanRecord):
                from xprep.mt.langcodes import joiner

                changes["context"] = rec.context + joiner(rec.lang) + edits[APPEND]
            new_rec = dataclasses.replace(rec, **changes)
        new_rec.meta = dict(rec.meta)
        if validate:
            new_rec.validate()
        return new_rec

    def _rebuild(self, f: str, repl: Mapping[int, str]) -> str:
        text, spans = self.texts[f], self.spans[f]
        out, pos = [], 0
        for i, (a, b) in enumerate(spans):
            if i in repl:
                out.append(text[pos:a])
                new = repl[i]
                if not new and a > 0 and text[a - 1 : a].isspace():
                    out[-1] = out[-1][:-1]  # a deleted word takes one space with it
                out.append(new)
                pos = b
        out.append(text[pos:])
        return "".join(out)
