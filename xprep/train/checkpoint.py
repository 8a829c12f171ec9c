"""Training checkpoints that load with ``torch.load(weights_only=True)`` on any device.

A checkpoint holds only tensors and plain Python values (dicts, lists, tuples, numbers, strings), so
loading it runs no code; it is read onto the CPU (``map_location="cpu"``) and ``load_state_dict`` puts
each tensor on the device of its parameter, so a run checkpointed on CUDA resumes on a CPU and back.
Every random number generator a run draws from is saved: the loop's task sampler, Python's and
NumPy's global generators, torch's CPU generator and one generator per CUDA device, so a resumed GPU
run continues exactly as an uninterrupted one would.
"""

from __future__ import annotations

import os
import pickle
import random
from pathlib import Path
from typing import Any

from xprep.errors import InputError

CHECKPOINT = "checkpoint.pt"


def rng_state(sampler: random.Random) -> dict[str, Any]:
    """Every generator's state, as values ``weights_only`` loading accepts."""
    import numpy as np
    import torch

    kind, keys, pos, has_gauss, cached = np.random.get_state()
    return {
        "sampler": sampler.getstate(),
        "python": random.getstate(),
        "numpy": {
            "kind": kind,
            "keys": [int(k) for k in keys],
            "pos": int(pos),
            "has_gauss": int(has_gauss),
            "cached_gaussian": float(cached),
        },
        "torch": torch.get_rng_state(),
        "cuda": list(torch.cuda.get_rng_state_all()) if torch.cuda.is_available() else [],
    }


def restore_rng(state: dict[str, Any], sampler: random.Random) -> None:
    """Put every generator back as :func:`rng_state` found it. CUDA states are restored where CUDA is
    available (a CUDA checkpoint resumed on a CPU has no CUDA generator to restore)."""
    import numpy as np
    import torch

    sampler.setstate(_tuples(state["sampler"]))
    if state.get("python") is not None:  # absent from checkpoints of older xprep versions
        random.setstate(_tuples(state["python"]))
    if state.get("numpy") is not None:
        n = state["numpy"]
        np.random.set_state(
            (n["kind"], np.array(n["keys"], dtype=np.uint32), n["pos"], n["has_gauss"], n["cached_gaussian"])
        )
    torch.set_rng_state(state["torch"])
    if state["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"][: torch.cuda.device_count()])


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """Write ``state`` atomically (a kill mid-write leaves the previous checkpoint intact)."""
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: Path) -> dict[str, Any]:
    """A checkpoint read safely (``weights_only=True``) onto the CPU; raises :class:`InputError` for a file
    that is not one (or that would need to run code to load)."""
    import torch

    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError(
            f"not a checkpoint xprep can load safely: {first}",
            where=str(path),
            hint="delete it to train from the start",
        ) from None
    if not isinstance(state, dict) or "models" not in state or "step" not in state:
        raise InputError("not an xprep training checkpoint", where=str(path), hint="delete it to train from the start")
    if "torch_rng" in state:  # an older xprep's layout: the sampler's and torch's CPU states only
        state["rng"] = {"sampler": state["rng"], "python": None, "numpy": None, "torch": state.pop("torch_rng"),
                        "cuda": []}  # fmt: skip
    return state


def _tuples(value: Any) -> Any:
    """Lists back to tuples, recursively (``random.setstate`` wants the nested tuples it gave)."""
    if isinstance(value, list | tuple):
        return tuple(_tuples(v) for v in value)
    return value
