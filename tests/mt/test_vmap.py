"""Vocabulary restriction (CTranslate2 vmap) on the tiny M2M100: candidates, refusals, cache separation, CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from xprep.cli.app import main
from xprep.errors import InputError, ModelError
from xprep.mt.cache import TranslationCache
from xprep.mt.convert import read_model_vocab
from xprep.mt.engine import DecodingSettings, MTModel, TranslationEngine
from xprep.mt.tiny import synthetic_sentences
from xprep.mt.vmap import VMAP_FILE, restrict_model
from xprep.tasks.targets import load_target, target_sample

GREEDY = DecodingSettings(beam_size=1, max_decoding_length=12)


@pytest.fixture(scope="module")
def german() -> list[str]:
    return [t for r in load_target("xnli", "de", target_sample("xnli")) for _, t in r.segments()]


def _hypotheses(model: MTModel, texts: list[str], use_vmap: bool) -> list[list[str]]:
    sources = [model.family.frame_source(p, "en", "de") for p in model.sp_source.encode(texts, out_type=str)]
    out = model.translator.translate_batch(
        sources, target_prefix=[["__de__"]] * len(texts), beam_size=1, max_decoding_length=12, use_vmap=use_vmap
    )
    return [r.hypotheses[0] for r in out]


def test_restricted_model_only_emits_candidates(tiny_m2m100, tmp_path, german):
    report = restrict_model(tiny_m2m100, tmp_path / "de", {"de": german}, copy_through=False)
    allowed = set((tmp_path / "de" / VMAP_FILE).read_text(encoding="utf-8").splitlines()[0].split("\t")[1].split())
    assert report.always == len(allowed) and 0 < report.share < 1 and report.segments == {"de": len(german)}
    assert 0.5 < report.heldout_coverage["de"] < 1, "41 sentences cannot cover new German text"
    pieces = {p for s in MTModel.load(tiny_m2m100).sp_target.encode(german, out_type=str) for p in s}
    assert pieces & read_model_vocab(tiny_m2m100) <= allowed
    texts = synthetic_sentences(8)
    full = _hypotheses(MTModel.load(tiny_m2m100), texts, use_vmap=False)
    assert any(t not in allowed for h in full for t in h[1:]), "the unrestricted model must leave the set"
    restricted = _hypotheses(MTModel.load(tmp_path / "de"), texts, use_vmap=True)
    assert all(t in allowed or t == "__de__" for h in restricted for t in h)


def test_copy_through_lets_source_pieces_in(tiny_m2m100, tmp_path, german):
    restrict_model(tiny_m2m100, tmp_path / "de", {"de": german})
    lines = (tmp_path / "de" / VMAP_FILE).read_text(encoding="utf-8").splitlines()
    rules = dict(line.split("\t", 1) for line in lines[1:])
    assert rules["▁the"] == "▁the" and lines[0].startswith("\t")


def test_restricted_folder_is_another_model(tiny_m2m100, tmp_path, german):
    restrict_model(tiny_m2m100, tmp_path / "de", {"de": german})
    full, restricted = MTModel.load(tiny_m2m100), MTModel.load(tmp_path / "de")
    assert restricted.restricted_to == ("de",) and full.restricted_to == ()
    assert restricted.checksum != full.checksum
    assert (tmp_path / "de" / "model.bin").is_symlink(), "weights are linked, not copied"
    with pytest.raises(ModelError, match="restricted to de"):
        restricted.check_languages("en", "fr")
    cache = TranslationCache(tmp_path / "c.sqlite")
    reqs = [(t, "de") for t in synthetic_sentences(4)]
    TranslationEngine(full, "en", GREEDY, cache=cache).translate(reqs)
    eng = TranslationEngine(restricted, "en", GREEDY, cache=cache)
    out = eng.translate(reqs)
    assert eng.counters["cache_hits"] == 0 and len(out) == 4, "restricted translations never reuse full-model ones"
    with pytest.raises(ModelError, match="already restricted"):
        restrict_model(tmp_path / "de", tmp_path / "again", {"de": german})


def test_bad_requests_fail_before_writing(tiny_m2m100, tmp_path, german):
    with pytest.raises(InputError):
        restrict_model(tiny_m2m100, tmp_path / "x", {})
    with pytest.raises(InputError, match="no text"):
        restrict_model(tiny_m2m100, tmp_path / "x", {"de": ["", "  "]})
    with pytest.raises(InputError):
        restrict_model(tiny_m2m100, tiny_m2m100, {"de": german})
    assert not (tmp_path / "x").exists()


def test_cli_restrict(tiny_m2m100, tmp_path, german):
    text = tmp_path / "de.txt"
    text.write_text("\n".join(german), encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(main, ["models", "restrict", str(tiny_m2m100), "--out", str(tmp_path / "r"), "--text", "de"])
    assert res.exit_code != 0 and "LANG=FILE" in res.output
    res = runner.invoke(
        main, ["models", "restrict", str(tiny_m2m100), "--out", str(tmp_path / "r"), "--text", f"de={text}", "--json"]
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["languages"] == ["de"]
    again = runner.invoke(
        main, ["models", "restrict", str(tiny_m2m100), "--out", str(tmp_path / "r"), "--text", f"de={text}"]
    )
    assert again.exit_code != 0 and "--force" in again.output


def test_bench_translate_script_runs_at_tiny_size():
    """The benchmark (NLLB-shaped on a GPU elsewhere) smoke-run at tiny size: every row and the ratios print."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "bench_translate.py"
    args = ["--shape", "tiny", "--segments", "12", "--out-len", "4", "--vmap-size", "200", "--hf-batch", "4"]
    res = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    lines = res.stdout.splitlines()
    names = [line.split("  ")[0] for line in lines]
    assert {"raw ctranslate2", "xprep", "xprep + vmap 200", "hf generate (fp32)"} <= set(names), res.stdout
    ratios = dict(kv.split("=") for kv in lines[-1].removeprefix("ratios: ").split())
    assert set(ratios) == {"xprep/ct2", "xprep/hf", "vmap/xprep"} and all(float(v) > 0 for v in ratios.values())


def test_heldout_coverage_is_hand_checked():
    from xprep.mt.vmap import _PieceTally

    def tally(encoded):
        t = _PieceTally()
        t.add(encoded, known={"▁a", "▁b", "▁c"})
        return t

    encoded = [["▁a", "▁b"]] * 9 + [["▁a", "▁c", "▁zz"]]  # the 10th is held out: ▁a seen 9 times, ▁c never
    assert tally(encoded).heldout_coverage(min_count=1) == 0.5  # ▁zz is not in the vocabulary: not counted
    assert tally(encoded).heldout_coverage(min_count=10) == 0.0
    assert tally(encoded[:5]).heldout_coverage(min_count=1) == 1.0  # nothing held out
    assert tally(encoded).segments == 10


def test_translate_build_with_a_restricted_model(tiny_m2m100, tmp_path, german):
    from xprep.pipeline import TranslateJob, translate_task
    from xprep.tasks import TASKS, sample_path

    restrict_model(tiny_m2m100, tmp_path / "de", {"de": german})

    def job(langs: list[str]) -> TranslateJob:
        return TranslateJob(
            task="mnli",
            langs=langs,
            model=tmp_path / "de",
            out=tmp_path / "build",
            source=sample_path(TASKS.get("mnli")),
            decoding=DecodingSettings(beam_size=1, max_decoding_length=16),
            progress=False,
        )

    with pytest.raises(ModelError, match="restricted to de"):
        translate_task(job(["de", "fr"]))
    assert not (tmp_path / "build").exists() or not any((tmp_path / "build").rglob("records.jsonl"))
    (cell,) = translate_task(job(["de"]))
    manifest = json.loads((cell.path / "manifest.json").read_text())
    assert manifest["declared"]["model"]["restricted_to"] == ["de"]
