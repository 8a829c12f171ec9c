"""The meaning check: off by default, batched per chunk, pooled, scored and flagged, and a bad encoder is one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from xprep.errors import ModelError, UnknownNameError
from xprep.mt.engine import DecodingSettings
from xprep.pipeline import TranslateJob, translate_task
from xprep.quality import meaning
from xprep.quality.checks import CheckOptions, default_checks, score, score_many, select_checks
from xprep.quality.filter import DEFAULT_MIN_MEANING, Thresholds, flags
from xprep.records import PairRecord
from xprep.tasks import TASKS, sample_path

MNLI = sample_path(TASKS.get("mnli"))


def _build(out: Path, model: Path, **kw: object) -> object:
    (cell,) = translate_task(
        TranslateJob(
            task="mnli",
            langs=["de"],
            model=model,
            out=out,
            source=MNLI,
            decoding=DecodingSettings(beam_size=1, max_decoding_length=16),
            progress=False,
            projection=(),
            **kw,  # type: ignore[arg-type]
        )
    )
    return cell


def _records(cell: object) -> list[dict]:
    text = (cell.path / "records.jsonl").read_text(encoding="utf-8")  # type: ignore[attr-defined]
    return [json.loads(line) for line in text.splitlines()]


def test_select_checks():
    assert "meaning" not in default_checks()
    assert select_checks(None) == ("langid", "length_ratio", "copy", "repetition")
    assert select_checks("+meaning,-copy", langid="lingua") == ("lingua", "length_ratio", "repetition", "meaning")
    assert select_checks("langid,meaning") == ("langid", "meaning")
    assert select_checks(None, qe_model="some/encoder")[-1] == "meaning"
    with pytest.raises(UnknownNameError, match="did you mean 'meaning'"):
        select_checks("+meanin")


def test_off_by_default_loads_no_encoder(tiny_m2m100, tmp_path, monkeypatch):
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the encoder was loaded with the meaning check off")

    monkeypatch.setattr(meaning, "load", refuse)
    monkeypatch.setattr(meaning, "resolve_qe_model", refuse)
    cell = _build(tmp_path / "b", tiny_m2m100)
    recs = _records(cell)
    assert recs and all("meaning" not in r["meta"]["quality"] and "langid" in r["meta"]["quality"] for r in recs)
    declared = cell.manifest.declared  # type: ignore[attr-defined]
    assert "qe_model" not in declared and "min_meaning" not in declared["thresholds"]


def test_batched_per_chunk_and_the_same_in_the_pool(tiny_m2m100, tiny_xlmr, tmp_path, monkeypatch):
    calls: list[int] = []
    real_embed = meaning.embed

    def counting(texts, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        calls.append(len(texts))
        return real_embed(texts, *args, **kwargs)

    monkeypatch.setattr(meaning, "embed", counting)
    checks = select_checks("+meaning")
    inline = _build(tmp_path / "inline", tiny_m2m100, checks=checks, qe_model=str(tiny_xlmr), chunk_records=4)
    n = inline.manifest.computed["counts"]["out"]  # type: ignore[attr-defined]
    assert len(calls) == -(-n // 4) and n > 4, "one embedding pass per chunk, not one per record"
    recs = _records(inline)
    for rec in recs:
        q = rec["meta"]["quality"]["meaning"]
        assert -1.0 <= q["min"] <= q["mean"] <= 1.0 and q["field"] in ("text_a", "text_b")
    declared = inline.manifest.declared  # type: ignore[attr-defined]
    assert declared["qe_model"] == tiny_xlmr.name and declared["thresholds"]["min_meaning"] == DEFAULT_MIN_MEANING
    pooled = _build(tmp_path / "pooled", tiny_m2m100, checks=checks, qe_model=str(tiny_xlmr), check_workers=2)
    a, b = (c.path / "records.jsonl" for c in (inline, pooled))  # type: ignore[attr-defined]
    assert a.read_bytes() == b.read_bytes()


def test_bad_qe_model_is_one_line(tiny_m2m100, tmp_path):
    from xprep.cli import main

    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelError, match="not a folder"):
        meaning.resolve_qe_model(tmp_path / "missing")
    with pytest.raises(ModelError, match="config.json"):
        meaning.resolve_qe_model(empty)
    args = ["translate", "mnli", "--to", "de", "--model", str(tiny_m2m100), "--source", str(MNLI)]
    res = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out"), "--qe-model", str(empty), "--quiet"])
    err = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert res.exit_code == 2 and len(err) == 1 and err[0].startswith("xprep: error: "), res.stderr
    assert not (tmp_path / "out" / "mnli").exists()


TRUE = [
    ("The lighthouse was finished in 1874 after six years of work.",
     "El faro se terminó en 1874 después de seis años de trabajo."),
    ("Bees live in colonies and communicate by dancing.",
     "Las abejas viven en colonias y se comunican bailando."),
    ("The city council approved the new budget on Tuesday evening.",
     "El ayuntamiento aprobó el nuevo presupuesto el martes por la noche."),
]  # fmt: skip
PLANTED = [
    ("The lighthouse was finished in 1874 after six years of work.",
     "El ayuntamiento aprobó el nuevo presupuesto el martes por la noche."),  # another sentence (hallucination)
    ("Bees live in colonies and communicate by dancing.", "Las abejas"),  # truncated
    ("The city council approved the new budget on Tuesday evening.",
     "El ayuntamiento el el el el el el el el el el el el el el el el"),  # repetition loop
]  # fmt: skip


def test_e5_scores_true_pairs_above_and_planted_failures_below(e5):
    def pair(text: str, lang: str) -> PairRecord:
        return PairRecord(id="1", lang=lang, text_a=text, text_b=text, label=0)

    pairs = [(pair(s, "en"), pair(t, "es")) for s, t in TRUE + PLANTED]
    values = score_many(pairs, ["meaning", "length_ratio"], CheckOptions(qe_model=str(e5)))
    good, bad = values[: len(TRUE)], values[len(TRUE) :]
    assert all(v["meaning"]["min"] >= DEFAULT_MIN_MEANING for v in good), good
    assert all(v["meaning"]["min"] < DEFAULT_MIN_MEANING for v in bad), bad
    assert all(flags(v, "es", Thresholds(), True) == [] for v in good)
    assert all("meaning_low" in flags(v, "es", Thresholds(), True) for v in bad)
    # the hallucinated sentence has a normal length: only the meaning check catches it
    assert flags(values[len(TRUE)], "es", Thresholds(), True) == ["meaning_low"]
    assert score(*pairs[0], names=["meaning"], options=CheckOptions(qe_model=str(e5)))["meaning"] == good[0]["meaning"]


def test_sentence_pairs_pair_the_sentences_of_a_field():
    assert meaning.sentence_pairs("One sentence only.", "Una sola frase.") == [
        ("One sentence only.", "Una sola frase.")
    ]
    two = meaning.sentence_pairs("The sea is cold. The sun is warm.", "El mar está frío. El sol es cálido.")
    assert two == [("The sea is cold.", "El mar está frío."), ("The sun is warm.", "El sol es cálido.")]
    merged = meaning.sentence_pairs(
        "It rained all day. The match was cancelled. Everyone went home early.",
        "Llovió todo el día y el partido se canceló. Todos se fueron pronto a casa.",
    )
    assert [t for _, t in merged] == ["Llovió todo el día y el partido se canceló.", "Todos se fueron pronto a casa."]
    assert merged[0][0] == "It rained all day. The match was cancelled."
    five = "A b. C d. E f. G h. I j."
    assert meaning.sentence_pairs(five, "Uno.") == [(five, "Uno.")]  # no bead covers 5 to 1: the whole field


PARAGRAPH = [
    ("The lighthouse was finished in 1874 after six years of work.",
     "El faro se terminó en 1874 después de seis años de trabajo."),
    ("Its light could be seen from forty kilometres away.",
     "Su luz se podía ver desde cuarenta kilómetros de distancia."),
    ("Today it is a museum about the history of the coast.",
     "Hoy es un museo sobre la historia de la costa."),
]  # fmt: skip


def test_one_hallucinated_sentence_of_a_paragraph_is_caught(e5):
    """Scored as a whole, a paragraph with one sentence swapped for an unrelated one stays above the
    threshold; sentence by sentence it is caught (on 233 XQuAD paragraphs: 1.3% against 98.7%)."""
    source = " ".join(s for s, _ in PARAGRAPH)
    good = " ".join(t for _, t in PARAGRAPH)
    bad = " ".join(
        [PARAGRAPH[0][1], "El ayuntamiento aprobó el nuevo presupuesto el martes por la noche.", PARAGRAPH[2][1]]
    )

    def rec(text: str, lang: str) -> PairRecord:
        return PairRecord(id="1", lang=lang, text_a=text, text_b="Short.", label=0)

    src = rec(source, "en")
    scores = meaning.score_pairs([(src, rec(good, "es")), (src, rec(bad, "es"))], e5)
    assert scores[0]["min"] >= DEFAULT_MIN_MEANING > scores[1]["min"] and scores[1]["field"] == "text_a"
    whole = meaning.embed([source, bad], e5)
    assert float((whole[0] * whole[1]).sum()) >= DEFAULT_MIN_MEANING  # the old whole-field score missed it
