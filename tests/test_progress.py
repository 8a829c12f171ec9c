"""--quiet reaches every bar xprep draws, in this process and in those a run starts."""

from __future__ import annotations

import os
import subprocess
import sys

from xprep.progress import bars_enabled, no_bars


def test_no_bars_turns_bars_off_for_the_block_and_restores():
    assert bars_enabled()
    with no_bars():
        assert not bars_enabled()
        with no_bars(quiet=False):  # a block that is not quiet leaves the outer setting alone
            assert not bars_enabled()
    assert bars_enabled() and "XPREP_NO_PROGRESS" not in os.environ


def test_a_process_started_inside_sees_it():
    code = "from xprep.progress import bars_enabled; print(bars_enabled())"
    with no_bars():
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_the_training_bar_is_silent_under_no_bars(capsys):
    from xprep.settings import TrainConfig
    from xprep.train.run import _bar

    with no_bars(), _bar("target", TrainConfig(max_steps=3), 10) as update:
        assert update is None  # the loop is given no progress callback at all
    with _bar("target", TrainConfig(max_steps=3), 10) as update:
        assert update is not None
        update(1, 0.5)
    assert "target" in capsys.readouterr().err
