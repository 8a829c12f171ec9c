"""`xprep translate` end to end on tiny Marian and M2M100 models, for every task kind."""

import json

import datasets
import pytest
from click.testing import CliRunner

from xprep.cli import main
from xprep.manifest import verify
from xprep.tasks import TASKS, load_task, sample_path

KIND_TASKS = {"pair": "mnli", "choice": "cosmosqa", "span": "squad_v2", "tagging": "ccg"}
FAST = ["--beam-size", "1", "--max-decoding-length", "24", "--quiet"]


def _translate(model, out, task, langs, *extra):
    args = [
        "translate",
        task,
        "--to",
        langs,
        "--model",
        str(model),
        "--out",
        str(out),
        "--source",
        str(sample_path(TASKS.get(task))),
        *FAST,
        *extra,
    ]
    return CliRunner().invoke(main, args, catch_exceptions=False)


@pytest.mark.parametrize("kind", list(KIND_TASKS))
@pytest.mark.parametrize("family", ["marian", "m2m100"])
def test_translate_each_kind(kind, family, tiny_marian, tiny_m2m100, tmp_path):
    model = tiny_marian if family == "marian" else tiny_m2m100
    task = KIND_TASKS[kind]
    langs = "de" if family == "marian" else "de,sw"
    res = _translate(model, tmp_path, task, langs, "--json")
    assert res.exit_code == 0, res.output
    manifests = json.loads(res.stdout)
    assert [m["declared"]["languages"]["target"] for m in manifests] == langs.split(",")
    for man in manifests:
        lang = man["declared"]["languages"]["target"]
        cell = tmp_path / task / lang / "train"
        assert verify(cell) == []
        ds = datasets.load_from_disk(str(cell))
        n_src = len(list(load_task(task, "train", sample_path(TASKS.get(task)))))
        assert len(ds) == man["computed"]["counts"]["out"] == n_src
        assert set(ds["lang"]) == {lang}
        assert man["declared"]["model"]["family"] == family
        assert man["declared"]["decoding"]["beam_size"] == 1
        assert man["computed"]["translation"]["segments"] > 0
        assert "|lang:en-" in man["signature"]
        rows = [json.loads(line) for line in (cell / "records.jsonl").open()]
        for row in rows:
            assert {"source", "translation", "projection", "quality"} <= set(row["meta"])
            if kind == "span" and row["meta"]["projection"]["status"] == "projected":
                for a in row["answers"]:
                    assert row["context"][a["start"] : a["start"] + len(a["text"])] == a["text"]


def test_rerun_does_no_mt_and_changed_settings_rebuild(tiny_m2m100, tmp_path):
    assert _translate(tiny_m2m100, tmp_path, "squad_v2", "de").exit_code == 0
    again = _translate(tiny_m2m100, tmp_path, "squad_v2", "de", "--json")
    (man,) = json.loads(again.stdout)
    assert man["computed"]["translation"]["segments_translated"] == 0 or "skipped" not in again.output
    table = _translate(tiny_m2m100, tmp_path, "squad_v2", "de")
    assert "skipped (complete)" in table.output
    # a new cache file and a changed beam: the cell is rebuilt, and every segment is translated anew
    rebuilt = _translate(tiny_m2m100, tmp_path, "squad_v2", "de", "--beam-size", "2", "--json")
    (man2,) = json.loads(rebuilt.stdout)
    assert man2["declared"]["decoding"]["beam_size"] == 2
    assert man2["computed"]["translation"]["cache_hits"] == 0
    assert man2["config_hash"] != man["config_hash"]


def test_same_cache_makes_a_second_build_free(tiny_m2m100, tmp_path):
    cache = tmp_path / "shared.sqlite"
    first = _translate(tiny_m2m100, tmp_path / "a", "mnli", "de", "--cache", str(cache), "--json")
    second = _translate(tiny_m2m100, tmp_path / "b", "mnli", "de", "--cache", str(cache), "--json")
    t1 = json.loads(first.stdout)[0]["computed"]["translation"]
    t2 = json.loads(second.stdout)[0]["computed"]["translation"]
    assert t1["segments_translated"] > 0 and t2["segments_translated"] == 0
    assert t2["cache_hits"] == t1["segments_unique"]
    a = (tmp_path / "a/mnli/de/train/records.jsonl").read_text()
    b = (tmp_path / "b/mnli/de/train/records.jsonl").read_text()
    assert a == b


def test_filter_drops_and_counts(tiny_m2m100, tmp_path):
    res = _translate(tiny_m2m100, tmp_path, "mnli", "de", "--filter", "--json")
    (man,) = json.loads(res.stdout)
    counts = man["computed"]["counts"]
    assert counts["in"] == 8 and counts["out"] + counts["dropped"] == 8
    assert counts["dropped"] == man["computed"]["quality"]["flagged"] > 0  # random weights: flagged
    assert sum(counts["dropped_by_reason"].values()) >= counts["dropped"]


def test_tasks_and_models_commands():
    runner = CliRunner()
    out = runner.invoke(main, ["tasks"]).output
    for name in TASKS:
        assert name in out
    assert "1,104,934" in out
    models = runner.invoke(main, ["models", "list"]).output
    assert "facebook/nllb-200-distilled-600M" in models and "madlad" in models
    for cmd in (
        ["--help"],
        ["translate", "--help"],
        ["models", "convert", "--help"],
        ["verify", "--help"],
        ["demo", "--help"],
        ["models", "tiny", "--help"],
    ):
        assert runner.invoke(main, cmd).exit_code == 0


def test_models_convert_on_a_local_transformers_folder(sample_texts, tmp_path):
    """`xprep models convert` wraps CTranslate2's real converter (a local folder: no hub needed)."""
    from xprep.mt.engine import MTModel
    from xprep.mt.tiny import build_tiny_model

    hf = tmp_path / "hf"
    build_tiny_model("m2m100", tmp_path / "first", sample_texts, keep_hf=hf)
    out = tmp_path / "converted"
    res = CliRunner().invoke(main, ["models", "convert", str(hf), "--out", str(out), "--quantization", "int8"])
    assert res.exit_code == 0, res.output
    info = json.loads((out / "xprep_model.json").read_text())
    assert info["family"] == "m2m100" and info["quantization"] == "int8"
    model = MTModel.load(out)
    model.check_languages("en", "sw")
    again = CliRunner().invoke(main, ["models", "convert", str(hf), "--out", str(out)])
    assert again.exit_code == 2 and "pass --force" in again.output
