"""Checks scored in a process pool, overlapped with translation, write the same bytes as inline scoring."""

from __future__ import annotations

import pytest

from xprep.errors import InputError
from xprep.mt.engine import DecodingSettings
from xprep.pipeline import TranslateJob, translate_task
from xprep.quality.pool import check_workers
from xprep.tasks import TASKS, sample_path


@pytest.mark.parametrize(("task", "overlap"), [("mnli", False), ("squad_v2", True)])
def test_pooled_checks_write_the_same_records(task, overlap, tiny_m2m100, tmp_path):
    def build(out, workers, overlap_mt):
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
                overlap_mt=overlap_mt,
            )
        )
        return cell

    # inline and sequential, against pooled (and, for SQuAD, translating one chunk ahead in a thread)
    inline, pooled = build(tmp_path / "inline", 0, False), build(tmp_path / "pooled", 2, overlap)
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


def test_translating_ahead_writes_the_same_records(tiny_m2m100, tmp_path):
    def build(out, overlap_mt):
        return translate_task(
            TranslateJob(
                task="squad_v2",
                langs=["de", "sw"],
                model=tiny_m2m100,
                out=out,
                source=sample_path(TASKS.get("squad_v2")),
                decoding=DecodingSettings(beam_size=1, max_decoding_length=16),
                progress=False,
                chunk_records=2,
                projection=("markers", "fuzzy"),
                overlap_mt=overlap_mt,
            )
        )

    for a, b in zip(build(tmp_path / "a", False), build(tmp_path / "b", True), strict=True):
        assert (a.path / "records.jsonl").read_bytes() == (b.path / "records.jsonl").read_bytes()
        ta, tb = a.manifest.computed["translation"], b.manifest.computed["translation"]
        assert ta == tb and ta["segments"] > 0, "the engine counters add up the same"
