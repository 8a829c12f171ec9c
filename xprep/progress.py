"""Progress display policy: xprep's own bars show long work; library bars for routine steps stay silent."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


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
