"""Where CTranslate2 runs: device options, worker arithmetic, opening a translator and warming it up.

Facts that shape it (CTranslate2 4.8): ``inter_threads`` is the number of workers *per device*, so a
translator on ``device_index=[0, 1]`` with ``inter_threads=1`` has two workers, one per GPU (with
``inter_threads=2`` it would have four). ``compute_type="auto"`` picks the fastest type the device
supports (``int8_float16`` on most GPUs), so what runs is read back from ``translator.compute_type``,
never assumed from the request. The PyPI wheels' CUDA kernels are built for sm_53-86; on newer GPUs
(sm_90: H100/H200) they are JIT-compiled at first use, and cuBLAS (``libcublas.so.12``) is opened only
at the first matrix product, so a tiny warm-up translation at load time moves both costs and both
failures to a timed, one-line start.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from xprep.errors import ModelError


@dataclass(frozen=True)
class DeviceOptions:
    """Where and how CTranslate2 runs. ``batch_tokens`` is the token budget of one batch.

    ``inter_threads``: workers per device (CUDA; default 1) or in all (CPU; default cores / intra).
    ``warmup``: translate a few tokens when loading (None: on CUDA only).
    """

    device: str = "cpu"
    device_index: tuple[int, ...] = (0,)
    compute_type: str = "auto"
    inter_threads: int | None = None
    intra_threads: int | None = None
    batch_tokens: int | None = None
    batches_per_chunk: int = 2
    inflight: int = 2
    warmup: bool | None = None

    def torch_device(self) -> str:
        """The device as torch names it, for the encoders a build runs beside MT (the first GPU)."""
        return f"cuda:{self.device_index[0]}" if self.device == "cuda" else self.device

    def threads(self) -> tuple[int, int]:
        """(inter, intra) as passed to CTranslate2. On CUDA ``inter`` is per device: one worker per GPU.
        On CPU many single-thread workers beat one wide worker for small batches."""
        if self.device == "cuda":
            return self.inter_threads or 1, self.intra_threads or 1
        cores = os.cpu_count() or 1
        intra = self.intra_threads or (1 if cores <= 4 else 2)
        return self.inter_threads or max(1, cores // intra), intra

    def workers(self) -> int:
        """How many batches CTranslate2 runs at once: per-device workers times devices on CUDA."""
        inter, _ = self.threads()
        return inter * len(self.device_index) if self.device == "cuda" else inter

    def budget(self) -> int:
        return self.batch_tokens or (8192 if self.device == "cuda" else 2048)

    def warms_up(self) -> bool:
        return self.warmup if self.warmup is not None else self.device == "cuda"

    def label(self) -> str:
        """``cpu`` or ``cuda:0,1``."""
        return "cpu" if self.device == "cpu" else f"{self.device}:{','.join(map(str, self.device_index))}"


def open_translator(path: str, options: DeviceOptions) -> Any:
    """A ``ctranslate2.Translator`` on ``options``; raises :class:`ModelError` (one line) when it cannot load."""
    import ctranslate2

    inter, intra = options.threads()
    try:
        return ctranslate2.Translator(
            path,
            device=options.device,
            device_index=list(options.device_index),
            compute_type=options.compute_type,
            inter_threads=inter,
            intra_threads=intra,
        )
    except (RuntimeError, ValueError) as exc:
        raise ModelError(
            f"CTranslate2 cannot load the model on {options.label()}: {_first_line(exc)}",
            where=path,
            hint=cuda_hint(str(exc)) if options.device == "cuda" else None,
        ) from None


def actual_compute_type(translator: Any, options: DeviceOptions) -> str:
    """The compute type the translator really uses (``auto`` and ``default`` resolved)."""
    value = getattr(translator, "compute_type", None)
    return str(value) if value else options.compute_type


def warm_up(translator: Any, tokens: list[str], where: str) -> float:
    """Translate ``tokens`` once (JIT compilation, cuBLAS loading, allocator); returns the seconds it took.

    Raises :class:`ModelError` with one line (and a hint for missing CUDA libraries) when it fails.
    """
    t0 = time.perf_counter()
    try:
        translator.translate_batch([tokens], beam_size=1, max_decoding_length=4, return_scores=False)
    except (RuntimeError, ValueError) as exc:
        raise ModelError(
            f"the warm-up translation failed: {_first_line(exc)}", where=where, hint=cuda_hint(str(exc))
        ) from None
    return time.perf_counter() - t0


def translation_error(exc: BaseException, model: Any) -> ModelError:
    """A CTranslate2 failure in the middle of a run as one line (out of memory: a smaller token budget)."""
    text = _first_line(exc)
    if "out of memory" in text.lower():
        hint = "lower --batch-tokens (the token budget of one batch)"
    else:
        hint = cuda_hint(text) if getattr(model, "device", "cpu") == "cuda" else None
    device = getattr(model, "device", "cpu")
    return ModelError(f"translation failed on {device}: {text}", where=str(model.path), hint=hint)


def cuda_hint(message: str) -> str:
    """What to try for a CUDA failure of CTranslate2 (a missing cuBLAS 12 most of all)."""
    if "libcublas" in message:
        return (
            "CTranslate2 4.x wheels need CUDA 12's libcublas.so.12; install nvidia-cublas-cu12 and put its lib folder "
            "on LD_LIBRARY_PATH, or run scripts/gpu_preflight.py --cublas-link DIR (CUDA 13 only: float16)"
        )
    return "run scripts/gpu_preflight.py to check the CUDA libraries and devices"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
