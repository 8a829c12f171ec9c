"""The TASKS registry: the study's nine intermediate tasks (+ SQuAD v1.1) as frozen specs.

A task is data, not a class: name, kind, hub id/config/revision, splits with sizes, an adapter
from hub rows to records, and loaders for the source's own file formats. Languages are parameters
of a build, never part of a spec.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xprep.drops import Dropped
from xprep.errors import InputError
from xprep.records import Record
from xprep.registry import Registry

HubAdapter = Callable[[dict[str, Any], str], Record | None]
LocalLoader = Callable[[Path, str], Iterator[Record]]


@dataclass(frozen=True)
class HubSource:
    """One ``datasets.load_dataset`` call: id, config, and the hub split feeding a task split."""

    hub_id: str
    config: str | None = None
    split: str | None = None
    revision: str | None = None


@dataclass(frozen=True)
class TaskSpec:
    """An intermediate task.

    ``splits`` maps a split name to its size (as documented by the source) ; ``hub`` maps a split name
    to the hub sources concatenated for it (ANLI+ joins several). ``local`` maps a file format
    (``squad-json``, ``jsonl``, ``tsv``, ``auto``, ...) to a loader; ``sample`` names the embedded
    sample file (in that task's own format) used by the demo and the tests.
    """

    name: str
    kind: str
    description: str
    splits: dict[str, int]
    hub: dict[str, tuple[HubSource, ...]]
    adapter: HubAdapter | None
    local: dict[str, LocalLoader]
    sample: str
    licence: str
    citation: str
    num_labels: int | None = None
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def hub_ids(self) -> str:
        ids = sorted({src.hub_id + (f"/{src.config}" if src.config else "") for s in self.hub.values() for src in s})
        return ", ".join(ids) if ids else "(local files only)"


TASKS: Registry[TaskSpec] = Registry("task")

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "samples"


def sample_path(spec: TaskSpec) -> Path:
    """The embedded sample file of a task (written in that task's own release format)."""
    return SAMPLES_DIR / spec.sample


def detect_format(spec: TaskSpec, path: Path) -> str:
    """The local format of ``path`` for ``spec``, from its name; unknown formats raise InputError."""
    name = path.name.lower()
    for fmt in spec.local:
        for ext in _FORMAT_EXTS.get(fmt, (fmt,)):
            if name.endswith(ext):
                return fmt
    raise InputError(
        f"cannot tell the format of this file for task '{spec.name}'",
        where=str(path),
        hint=f"formats: {', '.join(spec.local)}; pass --format",
    )


_FORMAT_EXTS = {
    "squad-json": (".json",),
    "jsonl": (".jsonl", ".json"),
    "tsv": (".tsv", ".txt"),
    "csv": (".csv",),
    "auto": (".auto",),
    "conll": (".conll", ".tsv", ".txt", ".tags"),
    "siqa-jsonl": (".jsonl",),
}


def load_task(
    name: str,
    split: str,
    source: str | Path | None = None,
    fmt: str | None = None,
    limit: int | None = None,
    drops: Counter | None = None,
) -> Iterator[Record]:
    """Records of one split of task ``name``, from local ``source`` (any supported format) or the hub;
    rows left out or repaired on the way are counted by reason into ``drops``.

    With no ``source`` the hub is used (``datasets.load_dataset``); rows that the adapter rejects
    (e.g. SNLI's label -1) are skipped. Records are validated; a bad one raises InputError naming it.
    """
    from itertools import islice

    from xprep.io import parsed, source_files

    spec = TASKS.get(name)
    if source is not None:
        path = Path(source)
        files = source_files(path)  # a file, or a folder of shards (the three ANLI rounds) read as one split
        fmt = fmt or detect_format(spec, files[0])
        if fmt not in spec.local:
            raise InputError(f"task '{name}' has no '{fmt}' loader", hint=f"formats: {', '.join(spec.local)}")
        records = (rec for file in files for rec in spec.local[fmt](file, split))
        where = str(path)
    else:
        records = _load_hub(spec, split)
        where = f"hub:{spec.name}/{split}"
    if limit is not None and limit < 0:
        raise InputError(f"limit must be 0 or more, got {limit}")
    for rec in islice(parsed(records, where, drops), limit):
        rec.validate(source=where)
        yield rec


def _load_hub(spec: TaskSpec, split: str) -> Iterator[Record]:
    if split not in spec.hub or spec.adapter is None:
        raise InputError(
            f"task '{spec.name}' has no hub split '{split}'",
            hint=f"hub splits: {', '.join(spec.hub) or 'none (pass --source FILE)'}",
        )
    import datasets

    for src in spec.hub[split]:
        ds = datasets.load_dataset(src.hub_id, src.config, split=src.split or split, revision=src.revision)
        for row in ds:
            rec = spec.adapter(row, src.hub_id)
            yield rec if rec is not None else Dropped("no_gold_label")  # adapters reject rows without one


def _register_all() -> None:
    from xprep.tasks import choice, pair, span, tagging

    for module in (pair, choice, span, tagging):
        for spec in module.SPECS:
            TASKS.add(spec.name, spec)


_register_all()
