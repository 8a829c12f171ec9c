"""Perturbed test-set cells: a target task's test records perturbed one by one into ``out/`` with records,
HF dataset and a manifest that declares the perturbation and computes the rate actually applied."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from xprep.errors import InputError
from xprep.perturb.apply import perturb_record
from xprep.perturb.lexicons import lexicon_for
from xprep.perturb.registry import PERTURBATIONS
from xprep.perturb.spec import check_rate
from xprep.records import Record, SpanRecord


def _read_test_set(source: Any, task: str, kind: str, lang: str | None) -> tuple[Path, list[Record]]:
    """The records file read and its records: ``records.jsonl``, a build folder, or a file in the task's
    release format (``lang`` needed); empty sets and records of another kind raise InputError."""
    from xprep.io import read_records
    from xprep.manifest import RECORDS

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
    return src, records


def _declared(
    src: Path, first: Record, task: str, name: str, rate: float, seed: int, fields: Sequence[str] | None
) -> dict[str, Any]:
    """The manifest's declared part: task, language, source file (by name and hash) and the perturbation."""
    from xprep import __version__
    from xprep.io import sha256_file

    return {
        "xprep_version": __version__,
        "task": {"name": task, "kind": first.KIND, "split": "test", "limit": None},
        "languages": {"source": first.lang, "target": first.lang},
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
    from xprep.cell import open_cell
    from xprep.manifest import Manifest
    from xprep.owned import check_output_dir
    from xprep.tasks.targets import TARGETS

    kind = TARGETS.get(task).kind  # an unknown task is refused, not perturbed under default rules
    check_rate(rate)
    check_output_dir(Path(out))
    src, records = _read_test_set(source, task, kind, lang)
    vocab = {w for r in records for _, text in r.segments() for w in text.split()}
    lexicon = lexicon_for(lexicons, records[0].lang, vocab) if lexicons else None
    pool = sorted({r.context for r in records if isinstance(r, SpanRecord)})
    perturbed, changed, units = [], 0, 0
    for rec in records:
        new, stats = perturb_record(rec, name, rate, seed, task, fields, lexicon, pool)
        perturbed.append(new)
        changed += stats["changed"]
        units += stats["units"]
    man = Manifest(declared=_declared(src, records[0], task, name, rate, seed, fields))
    with open_cell(Path(out), man, records[0].KIND) as cell:
        for rec in perturbed:
            cell.write(rec)
        cell.finish({
            "counts": {"in": len(records), "out": len(perturbed), "dropped": 0, "dropped_by_reason": {}},
            "applied": {"changed": changed, "units": units, "rate": round(changed / units, 4) if units else 0.0},
        })  # fmt: skip
    return man.to_dict()
