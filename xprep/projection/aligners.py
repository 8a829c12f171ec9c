"""The word aligner a build or a projection score asks for: its settings, ``auto`` made concrete, the object.

Builds (:mod:`xprep.pipeline`, the Ray executor) and ``xprep projection score`` describe the aligner
with :class:`AlignerSettings` alone; nothing here knows about translate jobs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from xprep.errors import InputError, XprepError
from xprep.projection.align import ALIGNERS, Aligner


@dataclass(frozen=True)
class AlignerSettings:
    """``name``: auto, eflomal or encoder; ``model``: the encoder's folder or hub id (None: the offline
    multilingual-e5-small); ``bitext``: extra ``source<TAB>target`` lines for eflomal; ``device``: a torch
    device string for the encoder (``cpu``, ``cuda:0``)."""

    name: str = "auto"
    model: str | None = None
    bitext: Path | None = None
    device: str = "cpu"


def resolve_aligner(settings: AlignerSettings, echo: Callable[[str], None] | None = None) -> AlignerSettings:
    """``auto`` made concrete: the encoder aligner (``--align-model``, else multilingual-e5-small built
    offline from the installed wheels) where one is available, else eflomal; eflomal too when extra
    bitext is given (only eflomal learns from it). Other choices pass through."""
    if settings.name != "auto":
        return settings
    if settings.bitext is not None:
        return dataclasses.replace(settings, name="eflomal")
    if settings.model:
        return dataclasses.replace(settings, name="encoder")
    from xprep.assets.e5 import ensure_e5_small

    try:
        return dataclasses.replace(settings, name="encoder", model=str(ensure_e5_small()))
    except XprepError as exc:
        if echo:
            echo(f"aligner: eflomal (no offline encoder: {exc.one_line()})")
        return dataclasses.replace(settings, name="eflomal")


def make_aligner(settings: AlignerSettings, cache: Path | None = None) -> Aligner:
    """The aligner ``settings`` ask for: eflomal (with optional extra bitext) or an encoder model on
    ``settings.device``. ``cache``: a SQLite file where the encoder's alignments are kept by content
    (:mod:`xprep.projection.cache`); eflomal is never cached."""
    settings = resolve_aligner(settings)
    cls = ALIGNERS.get(settings.name)
    if settings.name == "encoder":
        from xprep.projection.cache import CachedAligner

        model = settings.model
        if not model:
            from xprep.assets.e5 import ensure_e5_small  # the offline default: multilingual-e5-small

            model = str(ensure_e5_small())
        encoder = cls(model=model, device=settings.device)
        return CachedAligner(encoder, cache) if cache is not None else encoder
    return cls(extra=read_bitext(settings.bitext) if settings.bitext else ())


def read_bitext(path: Path) -> list[tuple[list[str], list[str]]]:
    """``source<TAB>target`` lines as word-unit pairs (extra training data for eflomal)."""
    from xprep.projection.words import words

    if not Path(path).is_file():
        raise InputError("bitext file not found", where=str(path))
    out = []
    with Path(path).open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 2:
                raise InputError("expected 'source<TAB>target'", where=f"{path}:{lineno}")
            out.append((words(parts[0]), words(parts[1])))
    return out
