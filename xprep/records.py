"""Canonical records: one dataclass per task *kind*, never per task.

Every record has ``id`` (stable, from the source), ``lang`` and ``meta`` (typed sections:
``source``, ``translation``, ``projection``, ``quality``). Each kind names its translatable
fields through :meth:`Record.segments`, addressed by a *field path* such as ``"text_a"``,
``"choices.2"`` or ``"answers.0.text"``; :meth:`Record.translated` builds the target-language
record from a path -> text mapping.

A record whose labels could not be carried into the translation keeps
``meta["projection"]["status"] == "failed"`` with a reason and empty labels; it is never dropped here.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from xprep.errors import InputError

KINDS = ("pair", "choice", "span", "tagging")


def _where(rec_id: str, source: str | None, fld: str) -> str:
    prefix = f"{source}: " if source else ""
    return f"{prefix}record {rec_id!r} field '{fld}'"


@dataclass
class Record(ABC):
    """Fields every record shares. Subclasses add the kind's fields."""

    id: str
    lang: str
    meta: dict[str, Any] = field(default_factory=dict)

    KIND: ClassVar[str] = ""

    # --- contract -------------------------------------------------------------------------
    @abstractmethod
    def segments(self) -> list[tuple[str, str]]:
        """The translatable texts as ``(field path, text)`` pairs, in a fixed order."""

    def check(self) -> list[tuple[str, str]]:
        """Problems as ``(field, message)`` pairs; empty when the record is valid."""
        problems: list[tuple[str, str]] = []
        if not isinstance(self.id, str) or not self.id:
            problems.append(("id", "must be a non-empty string"))
        if not isinstance(self.lang, str) or not self.lang:
            problems.append(("lang", "must be a language code"))
        return problems

    def validate(self, source: str | None = None) -> None:
        """Raise :class:`InputError` naming the source, record id and field of the first problem."""
        problems = self.check()
        if problems:
            fld, msg = problems[0]
            raise InputError(msg, where=_where(str(self.id), source, fld))

    def labels_failed(self) -> bool:
        return self.meta.get("projection", {}).get("status") == "failed"

    # --- (de)serialisation ------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The record for serialisation: ``kind`` plus every field. Nested values are shared, not copied
        (``dataclasses.asdict`` deep-copied them and was a fifth of a fast build's time); copy before
        changing them."""
        data: dict[str, Any] = {"kind": self.KIND}
        for f in dataclasses.fields(self):
            data[f.name] = getattr(self, f.name)
        return data

    @abstractmethod
    def translated(self, texts: dict[str, str], lang: str) -> Record:
        """A copy in ``lang`` whose translatable fields are replaced from ``texts`` (path -> text)."""


@dataclass
class PairRecord(Record):
    """Sentence-pair classification (ANLI+, MNLI, QQP; XNLI, PAWS-X)."""

    text_a: str = ""
    text_b: str = ""
    label: int = -1
    num_labels: int = 3

    KIND: ClassVar[str] = "pair"

    def segments(self) -> list[tuple[str, str]]:
        return [("text_a", self.text_a), ("text_b", self.text_b)]

    def check(self) -> list[tuple[str, str]]:
        problems = super().check()
        for name in ("text_a", "text_b"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name).strip():
                problems.append((name, "must be non-empty text"))
        if not isinstance(self.label, int) or not 0 <= self.label < self.num_labels:
            problems.append(("label", f"must be an int in [0, {self.num_labels}), got {self.label!r}"))
        return problems

    def translated(self, texts: dict[str, str], lang: str) -> PairRecord:
        return dataclasses.replace(
            self, lang=lang, text_a=texts["text_a"], text_b=texts["text_b"], meta=dict(self.meta)
        )


@dataclass
class ChoiceRecord(Record):
    """Multiple choice (HellaSwag, Cosmos QA, SocialIQA, CommonsenseQA)."""

    context: str = ""
    question: str = ""
    choices: list[str] = field(default_factory=list)
    label: int = -1

    KIND: ClassVar[str] = "choice"

    def segments(self) -> list[tuple[str, str]]:
        out = []
        if self.context:
            out.append(("context", self.context))
        if self.question:
            out.append(("question", self.question))
        out.extend((f"choices.{i}", c) for i, c in enumerate(self.choices))
        return out

    def check(self) -> list[tuple[str, str]]:
        problems = super().check()
        if not self.context.strip() and not self.question.strip():
            problems.append(("context", "context and question are both empty"))
        if len(self.choices) < 2:
            problems.append(("choices", f"needs at least 2 choices, got {len(self.choices)}"))
        elif any(not isinstance(c, str) or not c.strip() for c in self.choices):
            problems.append(("choices", "every choice must be non-empty text"))
        if not isinstance(self.label, int) or not 0 <= self.label < max(len(self.choices), 1):
            problems.append(("label", f"must index a choice (0..{len(self.choices) - 1}), got {self.label!r}"))
        return problems

    def translated(self, texts: dict[str, str], lang: str) -> ChoiceRecord:
        return dataclasses.replace(
            self,
            lang=lang,
            context=texts.get("context", ""),
            question=texts.get("question", ""),
            choices=[texts[f"choices.{i}"] for i in range(len(self.choices))],
            meta=dict(self.meta),
        )


@dataclass
class SpanRecord(Record):
    """Extractive QA (SQuAD v1.1/v2.0; XQuAD, MLQA, TyDiQA-GoldP).

    ``answers`` is a list of ``{"text": str, "start": int}``; ``[]`` means unanswerable.
    """

    context: str = ""
    question: str = ""
    answers: list[dict[str, Any]] = field(default_factory=list)
    title: str = ""

    KIND: ClassVar[str] = "span"

    def segments(self) -> list[tuple[str, str]]:
        out = [("context", self.context), ("question", self.question)]
        out.extend((f"answers.{i}.text", a["text"]) for i, a in enumerate(self.answers))
        return out

    def check(self) -> list[tuple[str, str]]:
        problems = super().check()
        if not self.context.strip():
            problems.append(("context", "must be non-empty text"))
        if not self.question.strip():
            problems.append(("question", "must be non-empty text"))
        if self.labels_failed():
            return problems
        for i, ans in enumerate(self.answers):
            text, start = ans.get("text"), ans.get("start")
            if not isinstance(text, str) or not text:
                problems.append((f"answers.{i}.text", "must be non-empty text"))
            elif not isinstance(start, int) or start < 0:
                problems.append((f"answers.{i}.start", f"must be a char offset >= 0, got {start!r}"))
            elif self.context[start : start + len(text)] != text:
                found = self.context[start : start + len(text)]
                problems.append(
                    (f"answers.{i}.start", f"context[{start}:{start + len(text)}] is {found!r}, not {text!r}")
                )
        return problems

    def translated(self, texts: dict[str, str], lang: str) -> SpanRecord:
        """Answers keep their translated text with ``start=-1`` until the projection stage sets it."""
        answers = [{"text": texts[f"answers.{i}.text"], "start": -1} for i in range(len(self.answers))]
        return dataclasses.replace(
            self,
            lang=lang,
            context=texts["context"],
            question=texts["question"],
            answers=answers,
            meta=dict(self.meta),
        )


@dataclass
class TaggingRecord(Record):
    """Token labels (CCG supertags; UD-POS, PAN-X). One tag per token."""

    tokens: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    KIND: ClassVar[str] = "tagging"

    def segments(self) -> list[tuple[str, str]]:
        return [("tokens", " ".join(self.tokens))]

    def check(self) -> list[tuple[str, str]]:
        problems = super().check()
        if not self.tokens:
            problems.append(("tokens", "must have at least one token"))
        elif any(not isinstance(t, str) or not t.strip() or "\t" in t or "\n" in t for t in self.tokens):
            # UD allows spaces inside a form (French "20 000"), so only tabs and newlines are refused
            problems.append(("tokens", "every token must be non-empty text without tabs or newlines"))
        if not self.labels_failed() and len(self.tags) != len(self.tokens):
            problems.append(("tags", f"{len(self.tags)} tags for {len(self.tokens)} tokens"))
        return problems

    def translated(self, texts: dict[str, str], lang: str) -> TaggingRecord:
        """Target tokens are the whitespace tokens of the translation; tags await projection."""
        return dataclasses.replace(self, lang=lang, tokens=texts["tokens"].split(), tags=[], meta=dict(self.meta))


RECORD_TYPES: dict[str, type[Record]] = {cls.KIND: cls for cls in (PairRecord, ChoiceRecord, SpanRecord, TaggingRecord)}


def record_from_dict(data: dict[str, Any], source: str | None = None) -> Record:
    """Build a record from its dict form (as written to JSONL); bad fields raise :class:`InputError`."""
    kind = data.get("kind")
    rec_id = str(data.get("id", "?"))
    if not isinstance(kind, str) or kind not in RECORD_TYPES:
        raise InputError(f"unknown record kind {kind!r}", where=_where(rec_id, source, "kind"), hint=f"one of {KINDS}")
    cls = RECORD_TYPES[kind]
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(data) - names - {"kind"}
    if unknown:
        raise InputError(f"unknown fields {sorted(unknown)}", where=_where(rec_id, source, sorted(unknown)[0]))
    try:
        return cls(**{k: v for k, v in data.items() if k != "kind"})
    except TypeError as exc:
        raise InputError(str(exc), where=_where(rec_id, source, "?")) from None
