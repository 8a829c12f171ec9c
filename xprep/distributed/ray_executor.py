"""Run the chunk stages on Ray Data: ``map_batches`` over chunks with a pool of actors.

Each actor holds one model (one CTranslate2 translator, or Apertium), one engine and one aligner, and
runs :func:`xprep.stages.process_chunk` on whole chunks; the driver receives results in any order
(Ray Data does not keep it), puts them back in input order by chunk index and then counts, decides
and writes exactly as the local executor does, so both write the same records.

The translation cache and the alignment cache beside it are shared: every actor opens the same SQLite
files (WAL mode, one writer at a time), which needs a filesystem all workers see (one machine, or a
shared mount across nodes).
Facts checked with Ray 2.60: ``compute=ActorPoolStrategy(size=n)`` (``concurrency=`` is deprecated);
with ``num_gpus`` set, ``batch_size`` must be an explicit integer; inside an actor the GPU is
``device_index=0`` because Ray sets ``CUDA_VISIBLE_DEVICES`` (and hides every GPU from an actor that
asked for none, so ``--device cuda`` gives each actor one GPU unless told otherwise). The driver's own
model has served its purpose (language checks, the resolved compute type for the manifest) once the
actors start, so its translator is released first: no device memory is held for a model nobody uses.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from xprep.chunk import ChunkResult
from xprep.errors import InputError, require
from xprep.records import Record, record_from_dict


class _ChunkActor:
    """A Ray Data actor: loads the model once, then translates one chunk per call."""

    def __init__(self, job: Any, langs: list[str]) -> None:
        from xprep.mt.cache import TranslationCache
        from xprep.mt.engine import TranslationEngine, load_model
        from xprep.preflight import alignment_cache_path, cache_path
        from xprep.projection.aligners import make_aligner

        if job.device.device == "cuda":  # Ray exposes this actor's GPU(s) as device 0..n-1
            job = dataclasses.replace(job, device=dataclasses.replace(job.device, device_index=(0,)))
        self.job, self.langs = job, langs
        self.model = load_model(job.model, job.device)
        self.cache = TranslationCache(cache_path(job))
        self.engine = TranslationEngine(self.model, job.src_lang, job.decoding, job.device, self.cache)
        self.aligner = (  # the same content-keyed alignment cache as a local build: a warm rerun loads no encoder
            make_aligner(job.aligner_settings(), cache=alignment_cache_path(job)) if job.needs_aligner() else None
        )

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        from xprep.stages import process_chunk

        out_idx, out_res = [], []
        for idx, payload in zip(batch["idx"], batch["payload"], strict=True):
            chunk = [record_from_dict(d) for d in json.loads(payload)]
            result = process_chunk(chunk, self.langs, self.engine, self.job, self.aligner)
            out_idx.append(int(idx))
            out_res.append(json.dumps(result.to_dict(), ensure_ascii=False))
        return {"idx": out_idx, "result": out_res}


@dataclass
class RayExecutor:
    """Ray Data executor. ``address``: an existing cluster (None starts a local one with ``num_cpus``).

    ``num_gpus_per_worker``: None means 1 with ``--device cuda`` and 0 on CPU (see :func:`gpus_per_actor`).
    """

    address: str | None = None
    actors: int = 2
    num_gpus_per_worker: float | None = None
    num_cpus: int | None = None

    def _init(self) -> Any:
        ray = require("ray", "ray")
        os.environ.setdefault("RAY_AUTH_MODE", "disabled")
        if not ray.is_initialized():
            kwargs: dict[str, Any] = {"ignore_reinit_error": True, "log_to_driver": False}
            if self.address:
                kwargs["address"] = self.address
            else:
                kwargs["num_cpus"] = self.num_cpus or max(2, self.actors)
            ray.init(**kwargs)
        ray.data.DataContext.get_current().enable_progress_bars = False
        return ray

    def run(
        self, job: Any, model: Any, langs: list[str], chunks: Iterator[list[Record]], progress: Callable[[int], None]
    ) -> Iterator[ChunkResult]:
        gpus = gpus_per_actor(job.device.device, self.num_gpus_per_worker)
        if hasattr(model, "release"):
            model.release()
        ray = self._init()
        items = [
            {"idx": i, "payload": json.dumps([r.to_dict() for r in chunk], ensure_ascii=False)}
            for i, chunk in enumerate(chunks)
        ]
        if not items:
            return
        ds = ray.data.from_items(items).map_batches(
            _ChunkActor,
            fn_constructor_kwargs={"job": job, "langs": langs},
            batch_size=1,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=self.actors),
            num_gpus=gpus or None,
            num_cpus=1,
        )
        pending: dict[int, ChunkResult] = {}
        expected = 0
        for row in ds.iter_rows():  # arrives in any order: restore the input order by chunk index
            result = ChunkResult.from_dict(json.loads(row["result"]))
            pending[int(row["idx"])] = result
            progress(int(result.counters.get("segments", 0)))
            while expected in pending:
                yield pending.pop(expected)
                expected += 1


def gpus_per_actor(device: str, requested: float | None) -> float:
    """GPUs each actor asks Ray for: ``requested``, else 1 on CUDA and 0 on CPU.

    Raises :class:`InputError` for ``--device cuda`` with 0 GPUs per actor (Ray would hide every GPU from it).
    """
    if requested is None:
        return 1.0 if device == "cuda" else 0.0
    if device == "cuda" and requested <= 0:
        raise InputError(
            "--device cuda with --num-gpus-per-worker 0: Ray hides every GPU from the actors",
            hint="leave --num-gpus-per-worker at auto (1 per actor) or give a share such as 0.5",
        )
    return float(requested)
