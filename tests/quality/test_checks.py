import pytest

from xprep.quality.checks import detect_language, longest_repeat, score
from xprep.quality.filter import QualityTally, Thresholds, flags
from xprep.records import PairRecord


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [("a b c d", 1), ("a a a a", 4), ("a b a b a b c", 3), ("x y z x y z x y z x y z", 4), ("", 1)],
)
def test_longest_repeat(tokens, expected):
    assert longest_repeat(tokens.split()) == expected


def test_langdetect_on_known_text():
    assert detect_language("Der Hund läuft schnell durch den großen Park und bellt laut.")[0] == "de"
    assert detect_language("Le chien court rapidement dans le grand parc et aboie fort.")[0] == "fr"
    assert detect_language("12345 !!!")[0] == "unknown"


def _pair(a, b, lang):
    return PairRecord(id="1", lang=lang, text_a=a, text_b=b, label=0)


def test_scores_and_flags():
    src = _pair("The dog runs quickly through the park.", "An animal is moving outside.", "en")
    good = _pair("Der Hund läuft schnell durch den Park.", "Ein Tier bewegt sich draußen.", "de")
    q = score(src, good)
    assert q["langid"]["lang"] == "de" and q["copy"] == 0.0 and q["repetition"] == 1
    assert flags(q, "de", Thresholds(), True) == []
    copied = _pair(src.text_a, "hallo hallo hallo hallo hallo", "de")
    q2 = score(src, copied)
    assert q2["copy"] == 0.5 and q2["repetition"] == 5
    assert set(flags(q2, "de", Thresholds(max_copy=0.4), True)) >= {"untranslated_copy", "repetition"}


def test_tally_counts_reasons():
    tally = QualityTally("de", Thresholds())
    tally.add({"langid": {"lang": "de", "prob": 0.99}, "length_ratio": 1.0, "copy": 0.0, "repetition": 1})
    tally.add({"langid": {"lang": "en", "prob": 0.99}, "length_ratio": 3.0, "copy": 0.0, "repetition": 1})
    s = tally.summary()
    assert s["records"] == 2 and s["flagged"] == 1 and s["langid_rate"] == 0.5
    assert s["flag_reasons"] == {"lang_mismatch": 1, "length_ratio_outlier": 1}
    assert QualityTally("xh", Thresholds()).summary()["langid_rate"] is None  # langdetect has no Xhosa


def test_lingua_backend():
    pytest.importorskip("lingua", reason="lingua-language-detector not installed (pip install 'xprep[lingua]')")
    from xprep.quality.checks import detect_language_lingua, lingua_supports

    assert detect_language_lingua("Mbwa anakimbia haraka sana kwenye bustani.")[0] == "sw"
    assert detect_language_lingua("Der Hund läuft schnell durch den Park.")[0] == "de"
    assert lingua_supports("sw") and not lingua_supports("xx")
    tally = QualityTally("fr", Thresholds(), backend="lingua")
    # a low relative confidence does not flag when lingua names the right language
    assert tally.add({"lingua": {"lang": "fr", "prob": 0.11, "backend": "lingua"}, "length_ratio": 1.0}) == []
    assert tally.add({"lingua": {"lang": "es", "prob": 0.9, "backend": "lingua"}, "length_ratio": 1.0}) == [
        "lang_mismatch"
    ]
    assert tally.summary()["langid_backend"] == "lingua"
