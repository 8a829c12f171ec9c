"""The engine on tiny real-architecture models converted with CTranslate2's converter."""

import json

import pytest

from xprep.errors import ModelError
from xprep.mt.cache import TranslationCache
from xprep.mt.convert import read_model_vocab
from xprep.mt.engine import DecodingSettings, MTModel, TranslationEngine

GREEDY = DecodingSettings(beam_size=1, max_decoding_length=12)


def test_tiny_models_convert_with_language_tokens(tiny_m2m100, tiny_marian):
    vocab = read_model_vocab(tiny_m2m100)
    assert {"__en__", "__de__", "__sw__", "__zh__"} <= vocab  # the transformers-5 vocabulary fix
    info = json.loads((tiny_marian / "xprep_model.json").read_text())
    assert info["family"] == "marian" and info["languages"] == ["en", "de"]


def test_dedupe_cache_and_mixed_languages(tiny_m2m100, tmp_path):
    model = MTModel.load(tiny_m2m100)
    cache = TranslationCache(tmp_path / "c.sqlite")
    eng = TranslationEngine(model, "en", GREEDY, cache=cache)
    reqs = [("The cat sat.", "de"), ("A dog.", "fr"), ("The cat sat.", "de"), ("The cat sat.", "fr")]
    out = eng.translate(reqs)
    assert len(out) == 4 and out[0] == out[2]
    assert eng.counters["segments_unique"] == 3 and eng.counters["segments_translated"] == 3
    again = TranslationEngine(model, "en", GREEDY, cache=cache)
    assert [t.text for t in again.translate(reqs)] == [t.text for t in out]
    assert again.counters["cache_hits"] == 3 and again.counters["segments_translated"] == 0
    other = TranslationEngine(model, "en", DecodingSettings(beam_size=2, max_decoding_length=12), cache=cache)
    other.translate(reqs[:1])
    assert other.counters["cache_hits"] == 0, "changed settings never reuse a cached translation"


def test_greedy_matches_unbatched(tiny_marian):
    model = MTModel.load(tiny_marian)
    texts = ["The cat sat on the mat.", "Honey bees live in colonies.", "Where do you go?"] * 3
    batched = TranslationEngine(model, "en", GREEDY).translate([(t, "de") for t in texts])
    single = [TranslationEngine(model, "en", GREEDY).translate([(t, "de")])[0] for t in texts]
    assert [b.text for b in batched] == [s.text for s in single]


def test_overlong_segments_are_split_not_cut(tiny_marian):
    model = MTModel.load(tiny_marian)
    eng = TranslationEngine(model, "en", DecodingSettings(beam_size=1, max_decoding_length=8, max_input_length=12))
    long = " ".join(["The cat sat on the mat and looked at the honey bees."] * 4)
    (tr,) = eng.translate([(long, "de")])
    assert tr.split and eng.counters["segments_split_overlong"] == 1
    assert tr.truncated, "an output that reaches max_decoding_length is flagged"


def test_unsupported_language_and_bad_folder(tiny_marian, tmp_path):
    model = MTModel.load(tiny_marian)
    with pytest.raises(ModelError, match="en->de, not en->fr"):
        model.check_languages("en", "fr")
    with pytest.raises(ModelError, match="no model.bin"):
        MTModel.load(tmp_path)
