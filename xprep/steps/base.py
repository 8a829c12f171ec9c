"""The step protocol: a name, a folder, typed inputs, a config that goes into its hash, and ``run(ctx)``.

A step's ``hash`` covers its stage, its ``config`` and the hashes of its ``deps`` (the inputs whose content
it depends on), so a step is redone exactly when something it depends on changed. ``inputs`` are every step
whose output it reads (``deps`` and any it only reads, such as the evaluation sets a tagging target takes its
tag set from): an executor runs a step after its inputs.
"""

from __future__ import annotations

import abc
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from xprep.errors import InputError
from xprep.hashing import stable_hash
from xprep.io import read_records, write_jsonl
from xprep.records import Record

STARTED = ".step.started.json"
STAGES = ("model", "data", "build", "perturb", "intermediate", "target", "evaluate", "retrieval-perturb",
          "retrieve", "attack")  # fmt: skip  # what plan.json's steps may name (its schema's enum)


@dataclasses.dataclass
class RunContext:
    """What a running step gets besides its inputs: the run folder, where to print, progress bars, and the
    trained model last loaded (run folder -> (model, tokenizer, labels); one at a time)."""

    root: Path
    echo: Callable[[str], None] = print
    progress: bool = True
    loaded: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(eq=False, kw_only=True)
class Step(abc.ABC):
    """One unit of work; done when its marker holds its hash."""

    stage: ClassVar[str]  # model, data, build, perturb, intermediate, target, evaluate, retrieve, ...
    shares_folder: ClassVar[bool] = False  # its folder is its run's: never cleared, its marker a file of its own
    name: str
    folder: Path

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.stage not in STAGES:  # a bug here, not the user's
            raise TypeError(f"{cls.__name__}: unknown stage {cls.stage!r}")

    @property
    @abc.abstractmethod
    def config(self) -> dict[str, Any]:
        """The settings that go into the hash (and the marker)."""

    @property
    def deps(self) -> list[Step]:
        """The inputs whose hashes go into this step's hash, in a fixed order."""
        return []

    @property
    def inputs(self) -> list[Step]:
        """Every step whose output this one reads (an executor runs it after them)."""
        return self.deps

    @property
    def hash(self) -> str:
        return stable_hash(self.stage, self.config, [d.hash for d in self.deps], length=16)

    @property
    def marker(self) -> Path:
        return self.folder / ".step.json"

    def status(self) -> str:
        """done, to do, or stale (made with other settings: redone)."""
        if not self.marker.is_file():
            return "to do"
        try:
            done = json.loads(self.marker.read_text(encoding="utf-8")).get("hash") == self.hash
        except ValueError:
            return "stale"
        return "done" if done else "stale"

    @abc.abstractmethod
    def run(self, ctx: RunContext) -> dict[str, Any] | None:
        """Do the work (the folder is prepared); returns what it made, for the marker."""

    def mark(self, made: dict[str, Any]) -> None:
        """Write the marker: the hash, the config and what the step made."""
        body = {"hash": self.hash, "stage": self.stage, "name": self.name, "config": self.config, **made}
        self.marker.write_text(json.dumps(body, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")

    def made(self) -> dict[str, Any]:
        """What a finished step wrote in its marker."""
        return json.loads(self.marker.read_text(encoding="utf-8"))

    def records(self) -> list[Record]:
        """Records a finished data/build/perturb step wrote (records whose labels failed to project left out)."""
        return [r for r in read_records(Path(self.made()["records"])) if not r.labels_failed()]


def write_records(step: Step, records: list[Record]) -> dict[str, Any]:
    """``records.jsonl`` in the step's folder; an :class:`InputError` when there are none."""
    if not records:
        raise InputError("no records", where=step.name)
    path = step.folder / "records.jsonl"
    write_jsonl(path, (r.to_dict() for r in records))
    return {"records": str(path), "n": len(records)}


def note_started(step: Step) -> None:
    """The started note (its hash): a rerun with the same hash resumes instead of clearing the folder."""
    (step.folder / STARTED).write_text(json.dumps({"hash": step.hash}) + "\n", encoding="utf-8")
