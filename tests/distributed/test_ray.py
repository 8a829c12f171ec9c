"""The Ray Data executor writes exactly the records the local executor writes."""

import json
import os

import pytest

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'xprep[ray]')")

from xprep.distributed.ray_executor import RayExecutor  # noqa: E402
from xprep.mt.engine import DecodingSettings  # noqa: E402
from xprep.pipeline import TranslateJob, translate_task  # noqa: E402
from xprep.tasks import TASKS, sample_path  # noqa: E402


@pytest.fixture(scope="module")
def local_ray():
    os.environ["RAY_AUTH_MODE"] = "disabled"
    ray.init(num_cpus=2, ignore_reinit_error=True, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.mark.slow
@pytest.mark.parametrize(("task", "projection"), [("mnli", ()), ("squad_v2", ("markers", "fuzzy"))])
def test_ray_equals_local(task, projection, tiny_m2m100, tmp_path, local_ray):
    def job(out):
        return TranslateJob(
            task=task,
            langs=["de", "sw"],
            model=tiny_m2m100,
            out=out,
            source=sample_path(TASKS.get(task)),
            decoding=DecodingSettings(beam_size=1, max_decoding_length=24),
            progress=False,
            chunk_records=2,
            projection=projection,
        )

    local = translate_task(job(tmp_path / "local"))
    remote = translate_task(job(tmp_path / "ray"), RayExecutor(actors=2))
    for a, b in zip(local, remote, strict=True):
        assert a.lang == b.lang and not b.skipped
        rows_a = (a.path / "records.jsonl").read_text()
        rows_b = (b.path / "records.jsonl").read_text()
        assert rows_a == rows_b and rows_a.count("\n") == a.manifest.computed["counts"]["out"] > 0
        ca, cb = a.manifest.computed, b.manifest.computed
        assert ca["counts"] == cb["counts"] and ca["projection"] == cb["projection"]
        assert ca["translation"]["segments"] == cb["translation"]["segments"]
        ids = [json.loads(line)["id"] for line in rows_b.splitlines()]
        assert len(ids) == len(set(ids)), "every record exactly once, in input order"


@pytest.mark.slow
def test_ray_actors_share_the_alignment_cache(tiny_m2m100, tiny_xlmr, tmp_path, local_ray):
    """Actors align through the content-keyed cache beside the translation cache, as a local build does."""
    import sqlite3

    job = TranslateJob(
        task="squad_v2",
        langs=["de"],
        model=tiny_m2m100,
        out=tmp_path / "ray",
        source=sample_path(TASKS.get("squad_v2")),
        decoding=DecodingSettings(beam_size=1, max_decoding_length=24),
        progress=False,
        chunk_records=3,
        projection=("align",),
        aligner="encoder",
        align_model=str(tiny_xlmr),
    )
    (result,) = translate_task(job, RayExecutor(actors=2))
    assert result.manifest.computed["counts"]["out"] > 0
    db = tmp_path / "ray" / ".cache" / "translations.alignments.sqlite"
    with sqlite3.connect(db) as conn:
        (rows,) = conn.execute("SELECT COUNT(*) FROM alignments").fetchone()
    assert rows > 0, "the actors stored the sentence pairs they aligned"
