"""Checks scored in a process pool, overlapped with translation, write the same bytes as inline scoring."""

from __future__ import annotations

import pytest

from xprep.errors import InputError
from xprep.mt.engine import DecodingSettings
from xprep.pipeline import TranslateJob, translate_task
from xprep.quality.pool import check_workers
from xprep.tasks import TASKS, sample_path


@pytest.mark.parametrize("task", ["mnli", "squad_v2"])
def test_pooled_checks_write_the_same_records(task, tiny_m2m100, tmp_path):
    def build(out, workers):
        (cell,) = translate_task(
            TranslateJob(
                task=task,
                langs=["de"],
                model=tiny_m2m100,
                out=out,
                source=sample_path(TASKS.get(task)),
                decoding=DecodingSettings(beam_size=1, max_decoding_length=16),
                progress=False,
                chunk_records=3,  # several chunks, so the one-chunk lag is exercised
                projection=("fuzzy",) if task == "squad_v2" else (),
                check_workers=workers,
            )
        )
        return cell

    inline, pooled = build(tmp_path / "inline", 0), build(tmp_path / "pooled", 2)
    a = (inline.path / "records.jsonl").read_bytes()
    b = (pooled.path / "records.jsonl").read_bytes()
    assert a == b and a.count(b"\n") == inline.manifest.computed["counts"]["out"] > 3
    assert b'"langid": {"lang"' in b, "the langid check ran in the pool"
    assert inline.manifest.computed["quality"] == pooled.manifest.computed["quality"]


def test_check_workers_option():
    assert check_workers("auto", "cpu") == 0
    assert check_workers("auto", "cuda") >= 1
    assert check_workers("3", "cpu") == 3
    with pytest.raises(InputError, match="--check-workers"):
        check_workers("many", "cpu")
