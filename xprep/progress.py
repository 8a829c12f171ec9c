"""Progress display policy: xprep's own bars show long work; library bars for routine steps stay silent."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

_NO_BARS = "XPREP_NO_PROGRESS"  # in the environment, so processes a run starts (training ranks) see it too


def bars_enabled() -> bool:
    """Whether xprep's own progress bars show (off inside :func:`no_bars`: ``--quiet``)."""
    return os.environ.get(_NO_BARS) != "1"


@contextlib.contextmanager
def no_bars(quiet: bool = True) -> Iterator[None]:
    """Turn xprep's progress bars off for the block (``quiet``), for this process and those it starts."""
    was = os.environ.get(_NO_BARS)
    if quiet:
        os.environ[_NO_BARS] = "1"
    try:
        yield
    finally:
        if was is None:
            os.environ.pop(_NO_BARS, None)
        else:
            os.environ[_NO_BARS] = was


@contextlib.contextmanager
def quiet_loading() -> Iterator[None]:
    """Silence transformers' per-load "Loading weights" bar (a model loads in well under a second here and
    the bar would land in every command's output, JSON included); restores the previous setting."""
    from transformers.utils import logging as hf_logging

    was = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was:
            hf_logging.enable_progress_bar()
