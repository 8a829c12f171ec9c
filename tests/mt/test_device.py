"""Device options: worker arithmetic, the compute type that really runs (cache keys, manifest), warm-up."""

import dataclasses

import pytest

from xprep.errors import InputError, ModelError
from xprep.mt.cache import TranslationCache
from xprep.mt.device import DeviceOptions, warm_up
from xprep.mt.engine import DecodingSettings, MTModel, TranslationEngine

GREEDY = DecodingSettings(beam_size=1, max_decoding_length=8)


@pytest.mark.parametrize(
    ("options", "threads", "workers"),
    [
        (DeviceOptions(device="cuda"), (1, 1), 1),
        (DeviceOptions(device="cuda", device_index=(0, 1)), (1, 1), 2),  # one worker per GPU, not 2 x 2
        (DeviceOptions(device="cuda", device_index=(0, 1, 2, 3), inter_threads=2), (2, 1), 8),
        (DeviceOptions(device="cpu", inter_threads=3, intra_threads=1), (3, 1), 3),
        (DeviceOptions(device="cpu", device_index=(0, 1), inter_threads=2, intra_threads=1), (2, 1), 2),
    ],
)
def test_threads_are_per_device(options, threads, workers):
    assert options.threads() == threads
    assert options.workers() == workers


def test_warm_up_defaults_to_cuda_only():
    assert DeviceOptions(device="cuda").warms_up() and not DeviceOptions().warms_up()
    assert DeviceOptions(warmup=True).warms_up() and not DeviceOptions(device="cuda", warmup=False).warms_up()


def test_loaded_model_reports_what_runs(tiny_marian):
    model = MTModel.load(tiny_marian, DeviceOptions(inter_threads=2, intra_threads=1, warmup=True))
    assert model.translator.num_translators == model.workers == 2
    assert model.compute_type == model.translator.compute_type and model.compute_type != "auto"
    assert model.requested_compute_type == "auto" and "asked auto" in model.describe()
    assert model.warmup_s is not None and model.warmup_s >= 0
    assert MTModel.load(tiny_marian).warmup_s is None  # no warm-up on CPU by default


class _FailingTranslator:
    def translate_batch(self, *args, **kwargs):
        raise RuntimeError("Library libcublas.so.12 is not found or cannot be loaded\nmore detail")


def test_warm_up_failure_is_one_line_with_a_hint():
    with pytest.raises(ModelError) as info:
        warm_up(_FailingTranslator(), ["▁a", "</s>"], "models/x")
    line = info.value.one_line()
    assert "\n" not in line and "libcublas.so.12 is not found" in line and "more detail" not in line
    assert "gpu_preflight" in line and line.startswith("models/x:")


def test_another_compute_type_never_hits_the_cache(tiny_marian, tmp_path):
    cache = TranslationCache(tmp_path / "c.sqlite")
    reqs = [("The cat sat.", "de"), ("Honey bees live in colonies.", "de")]
    int8 = MTModel.load(tiny_marian, DeviceOptions(compute_type="int8"))
    fp32 = MTModel.load(tiny_marian, DeviceOptions(compute_type="float32"))
    assert int8.compute_type != fp32.compute_type
    TranslationEngine(int8, "en", GREEDY, cache=cache).translate(reqs)
    other = TranslationEngine(fp32, "en", GREEDY, cache=cache)
    other.translate(reqs)
    assert other.counters["cache_hits"] == 0 and other.counters["segments_translated"] == 2
    auto = MTModel.load(tiny_marian, DeviceOptions(compute_type="auto"))
    same = TranslationEngine(auto, "en", GREEDY, cache=cache)
    same.translate(reqs)  # "auto" resolves to a type already cached: it is keyed on the type, not the request
    assert same.counters["cache_hits"] == (2 if auto.compute_type in (int8.compute_type, fp32.compute_type) else 0)


def test_chunks_follow_the_number_of_workers(tiny_marian):
    model = MTModel.load(tiny_marian, DeviceOptions(inter_threads=1, intra_threads=1))
    units = [(i, 0, ["▁a"] * 8, "de") for i in range(400)]  # 10 tokens each with the framing
    options = DeviceOptions(batch_tokens=100, batches_per_chunk=2)
    one = list(TranslationEngine(model, "en", GREEDY, options)._chunks(units))
    model.workers = 4  # as a translator on four GPUs would have
    four = list(TranslationEngine(model, "en", GREEDY, options)._chunks(units))
    assert [len(c) for c in one] == [20] * 20 and [len(c) for c in four] == [80] * 5


def test_gpus_per_ray_actor():
    from xprep.distributed.ray_executor import gpus_per_actor

    assert gpus_per_actor("cuda", None) == 1 and gpus_per_actor("cpu", None) == 0
    assert gpus_per_actor("cuda", 0.5) == 0.5
    with pytest.raises(InputError, match="hides every GPU"):
        gpus_per_actor("cuda", 0)


def test_encoder_aligner_gets_the_job_device():
    from xprep.pipeline import TranslateJob
    from xprep.projection.aligners import make_aligner

    job = TranslateJob(task="squad_v2", langs=["de"], model=".", out=".", aligner="encoder", align_model="enc")
    assert make_aligner(job.aligner_settings()).device == "cpu"
    cuda = dataclasses.replace(job, device=DeviceOptions(device="cuda", device_index=(1, 0)))
    assert make_aligner(cuda.aligner_settings()).device == "cuda:1"  # nothing is loaded until the first alignment


def test_manifest_records_the_resolved_compute_type(tiny_marian, tmp_path):
    from xprep.pipeline import TranslateJob, translate_task
    from xprep.tasks import TASKS, sample_path

    (cell,) = translate_task(
        TranslateJob(
            task="mnli",
            langs=["de"],
            model=tiny_marian,
            out=tmp_path,
            source=sample_path(TASKS.get("mnli")),
            limit=3,
            decoding=GREEDY,
            progress=False,
            projection=(),
        )
    )
    device = cell.manifest.declared["device"]
    assert device["compute_type_requested"] == "auto" and device["compute_type"] not in ("auto", "")
    assert f"compute:cpu/{device['compute_type']}" in cell.manifest.signature()


def test_half_precision_conversion_loads_half(sample_texts, tmp_path):
    import json

    from xprep.mt.tiny import build_tiny_model

    model = build_tiny_model("marian", tmp_path / "m", sample_texts, quantization="float16", pair=("en", "de"))
    info = json.loads((model / "xprep_model.json").read_text())
    assert info["quantization"] == "float16" and info["loaded_as"] == "float16"
    (tr,) = TranslationEngine(MTModel.load(model), "en", GREEDY).translate([("The cat sat.", "de")])
    assert tr.text


def test_a_device_failure_mid_run_is_one_line(tiny_marian):
    from xprep.mt.device import translation_error

    model = MTModel.load(tiny_marian)
    model.device = "cuda"
    oom = translation_error(RuntimeError("CUDA failed with error out of memory\nstack"), model).one_line()
    assert "out of memory" in oom and "--batch-tokens" in oom and "stack" not in oom
    lib = translation_error(RuntimeError("Library libcublas.so.12 is not found or cannot be loaded"), model)
    assert "gpu_preflight" in lib.one_line()
