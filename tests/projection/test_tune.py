"""Alignment fine-tuning: the bitext reader, the self-training loss, what is trained, the folder written."""

from __future__ import annotations

import json

import pytest
import torch
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from xprep.cli import main
from xprep.errors import InputError
from xprep.projection.align import EncoderAligner
from xprep.projection.tune import (
    KIND,
    TuneSettings,
    read_parallel,
    save_tuned,
    self_training_loss,
    tune_encoder,
    tuning_record,
)
from xprep.schemas import schema

PAIRS = [
    ("The cat sleeps .", "Die Katze schläft ."),
    ("A dog runs .", "Ein Hund rennt ."),
    ("", ""),
    ("The bird sings .", "Der Vogel singt ."),
]


@pytest.fixture
def bitext(tmp_path):
    src, tgt = tmp_path / "b.eng", tmp_path / "b.deu"
    src.write_text("\n".join(a for a, _ in PAIRS) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(b for _, b in PAIRS) + "\n", encoding="utf-8")
    return src, tgt


def test_read_parallel_skips_empty_lines_and_records_the_files(bitext):
    pairs, sources = read_parallel([bitext])
    assert [len(s) for s, _ in pairs] == [4, 4, 4]
    assert pairs[1] == (["A", "dog", "runs", "."], ["Ein", "Hund", "rennt", "."])
    assert sources[0]["pairs"] == 3 and len(sources[0]["sha256"]) == 64
    assert len(read_parallel([bitext], limit=2)[0]) == 2


def test_read_parallel_refuses_sides_of_different_lengths(bitext, tmp_path):
    short = tmp_path / "short.deu"
    short.write_text("Die Katze schläft .\n", encoding="utf-8")
    with pytest.raises(InputError, match="differ in length"):
        read_parallel([(bitext[0], short)])


def test_self_training_loss_is_lower_for_links_the_vectors_agree_with():
    a = torch.eye(3) * 4
    b = torch.eye(3) * 4
    agree = self_training_loss(a, b, {(0, 0), (1, 1), (2, 2)})
    disagree = self_training_loss(a, b, {(0, 2), (1, 0), (2, 1)})
    assert float(agree) < float(disagree)
    assert float(agree) > 0


def test_tuning_trains_only_the_layers_below_the_alignment_layer(tiny_xlmr, bitext, tmp_path):
    from transformers import AutoModel

    pairs, sources = read_parallel([bitext])
    before = {n: p.detach().clone() for n, p in AutoModel.from_pretrained(tiny_xlmr).named_parameters()}
    steps = []
    enc, tok, report = tune_encoder(
        str(tiny_xlmr), pairs, TuneSettings(steps=3, batch_size=2, lr=1e-2), lambda s, _: steps.append(s)
    )
    assert steps == [0, 1, 2]
    assert report["layer"] == 2 and report["trained_layers"] == [0, 1]  # 60% of 3 layers
    after = dict(enc.named_parameters())
    changed = {n for n, p in after.items() if not torch.equal(p.detach(), before[n])}
    assert any(n.startswith("encoder.layer.0.") for n in changed)
    assert all(n.startswith(("encoder.layer.0.", "encoder.layer.1.")) for n in changed), "embeddings, layer 2 kept"

    out = save_tuned(enc, tok, tmp_path / "tuned", {"kind": KIND, "base": str(tiny_xlmr), **report, "data": sources})
    info = json.loads((out / "xprep_model.json").read_text(encoding="utf-8"))
    assert info["settings"]["steps"] == 3 and info["data"][0]["pairs"] == 3
    record = tuning_record(str(out))
    assert record["layer"] == 2 and record["steps"] == 3 and record["data"][0]["source"] == "b.eng"
    assert tuning_record(str(tiny_xlmr)) is None, "a folder align-tune did not write: no tuning record"
    aligner_schema = schema("translate-build")["properties"]["declared"]["properties"]["aligner"]
    assert not list(Draft202012Validator(aligner_schema["properties"]["tuning"]).iter_errors(record))
    links = EncoderAligner(str(out)).align([(["The", "cat", "."], ["The", "cat", "."])])
    assert links[0] == {(0, 0), (1, 1), (2, 2)}, "the tuned folder loads and aligns like any encoder folder"


def test_cli_refuses_a_users_folder_and_the_base_folder_before_any_work(tiny_xlmr, bitext, tmp_path):
    users = tmp_path / "mine"
    users.mkdir()
    (users / "notes.txt").write_text("keep me", encoding="utf-8")
    args = ["models", "align-tune", "--parallel", str(bitext[0]), str(bitext[1]), "--model", str(tiny_xlmr)]
    result = CliRunner().invoke(main, [*args, "--out", str(users)])
    assert result.exit_code != 0 and "not a folder xprep wrote" in result.output
    assert [p.name for p in users.iterdir()] == ["notes.txt"]
    result = CliRunner().invoke(main, [*args, "--out", str(tiny_xlmr)])
    assert result.exit_code != 0 and "the model being tuned" in result.output


def test_cli_writes_a_tuned_folder_it_may_replace_with_force(tiny_xlmr, bitext, tmp_path):
    out = tmp_path / "tuned"
    args = ["models", "align-tune", "--parallel", str(bitext[0]), str(bitext[1]), "--model", str(tiny_xlmr)]
    args += ["--out", str(out), "--steps", "2", "--batch-size", "2"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "use --align-model" in result.output and (out / "model.safetensors").is_file()
    assert CliRunner().invoke(main, args).exit_code != 0, "an existing folder needs --force"
    assert CliRunner().invoke(main, [*args, "--force"]).exit_code == 0


def test_alignment_cache_keys_anew_when_a_folder_is_retuned_in_place(tiny_xlmr, bitext, tmp_path):
    from xprep.projection.cache import identity

    pairs, _ = read_parallel([bitext])
    out = tmp_path / "tuned"
    enc, tok, report = tune_encoder(str(tiny_xlmr), pairs, TuneSettings(steps=1, batch_size=2))
    save_tuned(enc, tok, out, report)
    first = identity(EncoderAligner(str(out)))
    assert first == identity(EncoderAligner(str(out))), "the same folder, unchanged: the same key"
    enc, tok, report = tune_encoder(str(tiny_xlmr), pairs, TuneSettings(steps=2, batch_size=2))
    save_tuned(enc, tok, out, report)
    assert identity(EncoderAligner(str(out))) != first, "cached links of the old weights are not read"
