"""A translate build's request: :class:`TranslateJob` (every option of ``xprep translate``) and the declared
part of the manifest it gives every cell.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xprep import __version__
from xprep.errors import InputError
from xprep.io import source_sha256
from xprep.mt.device import DeviceOptions
from xprep.mt.engine import DecodingSettings, MTModel
from xprep.projection.aligners import AlignerSettings, resolve_aligner
from xprep.projection.methods import DEFAULT_CHAIN, LABELLED_KINDS, needs_aligner
from xprep.projection.tags import TagPolicy
from xprep.projection.tune import tuning_record
from xprep.quality.filter import Thresholds
from xprep.settings import CHUNK_RECORDS, DEFAULT_CHECKS
from xprep.tasks import TASKS, TaskSpec


@dataclass
class TranslateJob:
    """Everything a translate build needs; every field is an option of ``xprep translate``."""

    task: str
    langs: list[str]
    model: Path
    out: Path
    split: str = "train"
    source: Path | None = None
    fmt: str | None = None
    limit: int | None = None
    src_lang: str = "en"
    decoding: DecodingSettings = field(default_factory=DecodingSettings)
    device: DeviceOptions = field(default_factory=DeviceOptions)
    cache: Path | None = None
    segment: bool = True
    checks: tuple[str, ...] = DEFAULT_CHECKS
    thresholds: Thresholds = field(default_factory=Thresholds)
    drop_flagged: bool = False
    chunk_records: int = CHUNK_RECORDS
    projection: tuple[str, ...] = DEFAULT_CHAIN
    aligner: str = AlignerSettings.name  # auto: the encoder aligner where an offline encoder is available, else eflomal
    align_model: str | None = AlignerSettings.model
    align_bitext: Path | None = AlignerSettings.bitext
    tag_policy: TagPolicy = field(default_factory=TagPolicy)
    command: str = ""
    progress: bool = True
    check_workers: int = 0  # >0: score quality checks in that many processes, overlapped with translation
    qe_model: str | None = None  # the meaning check's encoder folder (None: multilingual-e5-small)
    overlap_mt: bool | None = None  # translate chunk k+1 in a thread while chunk k is finished (None: on CUDA)

    def aligner_settings(self) -> AlignerSettings:
        """The word aligner this job asks for, on the job's device (the first GPU)."""
        return AlignerSettings(self.aligner, self.align_model, self.align_bitext, self.device.torch_device())

    def needs_aligner(self) -> bool:
        return needs_aligner(TASKS.get(self.task).kind, self.projection)

    def with_resolved_aligner(self, echo: Callable[[str], None] | None = None) -> TranslateJob:
        """``--aligner auto`` made concrete (the manifest names the real aligner)."""
        found = resolve_aligner(self.aligner_settings(), echo)
        if self.tag_policy.refine == "probe" and found.name != "encoder" and self.needs_aligner():
            raise InputError(
                f"--tag-refine probe reads the encoder aligner's word vectors; the aligner here is {found.name}",
                hint="--aligner encoder, or --tag-refine types",
            )
        return dataclasses.replace(self, aligner=found.name, align_model=found.model)


def declared_part(job: TranslateJob, spec: TaskSpec, model: MTModel) -> dict[str, Any]:
    """The declared part of a translate cell's manifest (languages added per cell): what decides the output."""
    if job.source is not None:
        source = {"path": Path(job.source).name, "sha256": source_sha256(job.source), "format": job.fmt}
    else:
        source = {
            "hub": [
                {"id": s.hub_id, "config": s.config, "split": s.split, "revision": s.revision}
                for s in spec.hub.get(job.split, ())
            ]
        }
    return {
        "xprep_version": __version__,
        "command": job.command,
        "task": {"name": spec.name, "kind": spec.kind, "split": job.split, "limit": job.limit},
        "source": source,
        "model": {
            "path": Path(str(model.path)).name,  # named by asset: no path of this machine
            "family": model.family.name,
            "checksum": model.checksum,
            "quantization": model.info.get("quantization"),
            "source": model.info.get("source"),
            "restricted_to": list(getattr(model, "restricted_to", ())) or None,
        },
        "decoding": job.decoding.as_dict(),
        "device": {
            "device": job.device.device,
            "device_index": list(job.device.device_index),
            "compute_type": getattr(model, "compute_type", "") or job.device.compute_type,  # as resolved
            "compute_type_requested": job.device.compute_type,
            "batch_tokens": job.device.budget(),
        },
        "segmentation": "sentences" if job.segment else "none",
        "projection": list(job.projection) if spec.kind in LABELLED_KINDS else [],
        "aligner": {
            "name": job.aligner,
            "model": _asset_name(job.align_model),
            "tuning": tuning_record(job.align_model),
            "bitext": Path(job.align_bitext).name if job.align_bitext else None,
            "tag_policy": {
                "unaligned": job.tag_policy.unaligned,
                "fallback": job.tag_policy.fallback_tag,
                "refine": job.tag_policy.refine,
                "articles": job.tag_policy.articles,
            },
        }
        if job.needs_aligner()
        else None,
        "checks": list(job.checks),
        "thresholds": job.thresholds.as_dict(),
        "filter": job.drop_flagged,
        **({"qe_model": _asset_name(job.qe_model)} if "meaning" in job.checks else {}),
    }


def _asset_name(model: str | None) -> str | None:
    """A local encoder folder by its name (no path of this machine in a manifest); a hub id as it is."""
    return Path(model).name if model and Path(model).exists() else model
