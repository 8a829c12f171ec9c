"""What a perturbation is (:class:`Perturbation`: the kinds it applies to, the tasks it refuses and why, its
behaviour) and what it is asked to do to one record (:class:`Request`)."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from xprep.errors import InputError
from xprep.perturb.edits import example_rng
from xprep.records import Record

WordEdit = Callable[[str, random.Random, dict[str, Any]], str]  # (word, generator, {"lang", "lexicon"}) -> word
Stats = dict[str, int]  # {"changed": units changed, "units": units that could change}


@dataclass(frozen=True)
class Request:
    """One perturbation asked of one test set: ``fields`` chooses span fields (default: the question),
    ``lexicon`` feeds code-switching, ``pool`` holds other contexts of the language for distractors."""

    name: str
    rate: float
    seed: int
    task: str
    fields: Sequence[str] | None = None
    lexicon: Mapping[str, list[str]] | None = None
    pool: Sequence[str] = ()

    def rng(self, rec: Record, field: str) -> random.Random:
        """The generator of one field of one record (SHA-256 of everything that names it)."""
        return example_rng(self.seed, self.name, self.task, rec.lang, rec.id, field)


Transform = Callable[["Perturbation", Record, Request], tuple[Record, Stats]]


@dataclass(frozen=True)
class Refusal:
    """A target task a perturbation never runs on, and why (its label would no longer hold)."""

    task: str
    reason: str


def check_rate(rate: float) -> None:
    """A rate in [0, 1], else InputError."""
    if not 0 <= rate <= 1:
        raise InputError(f"rate must be in [0, 1], got {rate}")


@dataclass(frozen=True)
class Perturbation:
    """One registered perturbation.

    ``kinds``: the record kinds it applies to (``retrieval``: the sentences of a retrieval folder);
    ``off_kind``: the error for any other kind (``{name}`` and ``{kind}`` are filled in); ``refuses``: target
    tasks it never runs on, each with its reason; ``transform``: its behaviour on one record of a declared kind,
    returning the perturbed copy and what changed; ``edit``: the word edit of a word-level perturbation (which
    the attacks and retrieval sets reuse), None for whole-record transforms; ``no_lexicon``: the error when it
    needs a lexicon and got none (None: it needs none); ``uses_rate``: False when the transform ignores the rate
    (the record then says 1.0).
    """

    name: str
    description: str
    kinds: tuple[str, ...]
    transform: Transform
    edit: WordEdit | None = None
    refuses: tuple[Refusal, ...] = ()
    off_kind: str = "'{name}' does not apply to {kind}"
    no_lexicon: str | None = None
    uses_rate: bool = True

    def refusal(self, kind: str, task: str) -> str | None:
        """Why this perturbation must not run on ``task`` (a ``kind`` task), or None when it may."""
        for refused in self.refuses:
            if refused.task == task:
                return refused.reason
        if kind not in self.kinds:
            return self.off_kind.format(name=self.name, kind=kind)
        return None

    def check_request(self, rate: float, lexicon: Mapping[str, list[str]] | None) -> None:
        """A request that can run: a lexicon where one is needed, a rate in [0, 1]; else InputError."""
        if self.no_lexicon is not None and not lexicon:
            raise InputError(self.no_lexicon, hint="--lexicon FILE (xprep dict import writes one)")
        check_rate(rate)

    def bound_edit(self, lang: str, lexicon: Mapping[str, list[str]] | None) -> Callable[[str, random.Random], str]:
        """The word edit with its language and lexicon bound: ``(word, generator) -> word``."""
        if self.edit is None:
            raise TypeError(f"{self.name} is not a word edit")
        edit, ctx = self.edit, {"lang": lang, "lexicon": lexicon or {}}
        return lambda word, rng: edit(word, rng, ctx)
