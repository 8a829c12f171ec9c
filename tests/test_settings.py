"""One settings tree: the CLI, recipes, the runner and the training loop agree on every default."""

from __future__ import annotations

import dataclasses

import pytest

from xprep.cli import main
from xprep.mt.device import DeviceOptions
from xprep.mt.engine import DecodingSettings
from xprep.pipeline import TranslateJob
from xprep.projection.aligners import AlignerSettings
from xprep.recipes import TrainSection, TranslateSection
from xprep.settings import TRAIN, TRANSLATE, TrainSettings
from xprep.train.loop import TrainConfig


def _defaults(command: str) -> dict[str, object]:
    return {p.name: p.default for p in main.commands[command].params}


TRAIN_OPTIONS = {  # xprep train option -> TrainSettings field
    "lr": "learning_rate",
    "intermediate_epochs": "intermediate_epochs",
    "batch_size": "batch_size",
    "grad_accum": "grad_accum",
    "max_length": "max_length",
    "stride": "stride",
    "warmup": "warmup",
    "device": "device",
    "precision": "precision",
    "max_steps": "max_steps",
}


@pytest.mark.parametrize("option,name", sorted(TRAIN_OPTIONS.items()))
def test_train_option_defaults_are_the_settings(option, name):
    assert _defaults("train")[option] == getattr(TRAIN, name)


def test_the_loop_config_defaults_are_the_settings():
    cfg = TrainConfig()
    shared = {f.name for f in dataclasses.fields(TrainConfig)} & {f.name for f in dataclasses.fields(TrainSettings)}
    assert shared >= {"learning_rate", "batch_size", "grad_accum", "max_length", "stride", "warmup", "device"}
    for name in shared:
        assert getattr(cfg, name) == getattr(TRAIN, name), name
    assert cfg.epochs == TRAIN.intermediate_epochs


def test_recipe_sections_are_the_settings_and_make_the_loop_config():
    assert TrainSection is TrainSettings and TranslateSection is type(TRANSLATE)
    cfg = TrainSettings(learning_rate=2e-4, freeze_embeddings=True).loop_config(2.0, seed=3)
    assert (cfg.learning_rate, cfg.epochs, cfg.seed, cfg.freeze_embeddings) == (2e-4, 2.0, 3, True)
    assert cfg.max_length == TRAIN.max_length


def test_translate_option_defaults_are_the_settings():
    found = _defaults("translate")
    decoding, device = DecodingSettings(), DeviceOptions()
    for name in ("beam_size", "max_decoding_length", "max_input_length", "repetition_penalty", "no_repeat_ngram_size"):
        assert found[name] == getattr(decoding, name), name
    assert (found["device"], found["compute_type"]) == (device.device, device.compute_type)
    assert (found["aligner"], found["projection"]) == (TRANSLATE.aligner, TRANSLATE.projection)
    assert found["chunk_records"] == TranslateJob.chunk_records
    assert (TRANSLATE.beam_size, TRANSLATE.max_decoding_length) == (decoding.beam_size, decoding.max_decoding_length)


def test_a_job_describes_its_aligner_on_its_device():
    job = TranslateJob(task="squad_v2", langs=["de"], model=".", out=".")
    assert job.aligner_settings() == AlignerSettings(device="cpu")
    cuda = dataclasses.replace(job, device=DeviceOptions(device="cuda", device_index=(2, 3)), aligner="encoder")
    assert cuda.aligner_settings() == AlignerSettings(name="encoder", device="cuda:2")
    assert job.needs_aligner() and not dataclasses.replace(job, task="mnli").needs_aligner()
