"""Perturb one record: the registry entry's refusals and request checks, then its behaviour, then the
record's own validation (a perturbation that broke a label fails here, never silently)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from xprep.errors import InputError
from xprep.perturb.registry import PERTURBATIONS
from xprep.perturb.spec import Request
from xprep.records import Record


def perturb_record(
    rec: Record,
    name: str,
    rate: float,
    seed: int,
    task: str,
    fields: Sequence[str] | None = None,
    lexicon: Mapping[str, list[str]] | None = None,
    pool: Sequence[str] = (),
) -> tuple[Record, dict[str, Any]]:
    """A perturbed copy of ``rec`` and what was done (units changed / possible), also recorded in its
    ``meta.perturbation``.

    ``fields`` chooses span fields (default: the question); ``lexicon`` feeds code-switching; ``pool`` holds
    other contexts of the language for distractors. An unknown name, a task or kind the perturbation refuses,
    a missing lexicon or a rate outside [0, 1] raise InputError (UnknownNameError for the name).
    """
    spec = PERTURBATIONS.get(name)
    reason = spec.refusal(rec.KIND, task)
    if reason is not None:
        raise InputError(reason)
    spec.check_request(rate, lexicon)
    new, stats = spec.transform(spec, rec, Request(name, rate, seed, task, fields, lexicon, pool))
    recorded = rate if spec.uses_rate else 1.0
    new.meta = {**rec.meta, "perturbation": {"name": name, "rate": recorded, "seed": seed, **stats}}
    new.validate()
    return new, stats
