import pytest

from xprep.errors import ModelError, UnknownNameError
from xprep.mt import langcodes
from xprep.mt.families import FAMILIES, guess_family


@pytest.mark.parametrize(
    ("family", "source", "prefix"),
    [
        ("nllb", ["eng_Latn", "▁Hi", "</s>"], ["deu_Latn"]),
        ("m2m100", ["__en__", "▁Hi", "</s>"], ["__de__"]),
        ("madlad", ["<2de>", "▁Hi", "</s>"], None),
        ("marian", ["▁Hi", "</s>"], None),
        ("marian-mul", [">>deu<<", "▁Hi", "</s>"], None),
    ],
)
def test_framing_per_family(family, source, prefix):
    fam = FAMILIES.get(family)
    assert fam.frame_source(["▁Hi"], "en", "de") == source
    assert fam.target_prefix("de") == prefix
    hyp = [*(prefix or []), "▁Hallo", "</s>"]
    assert fam.strip_output(hyp, "de") == ["▁Hallo"]


def test_language_checks_against_vocabulary():
    fam = FAMILIES.get("m2m100")
    fam.check_languages({"__en__", "__de__"}, "en", "de", "m")
    with pytest.raises(ModelError, match="target language 'sw'"):
        fam.check_languages({"__en__", "__de__"}, "en", "sw", "m")
    with pytest.raises(UnknownNameError, match="FLORES-200"):
        FAMILIES.get("nllb").check_languages({"eng_Latn"}, "en", "qq", "m")


def test_language_codes():
    assert langcodes.flores_code("sw") == "swh_Latn"
    assert langcodes.normalise("DE") == "de" and langcodes.normalise("deu_Latn") == "de"
    assert langcodes.joiner("ja") == "" and langcodes.joiner("de") == " "


def test_guess_family():
    assert guess_family({"eng_Latn"}, set()) == "nllb"
    assert guess_family({"__en__"}, set()) == "m2m100"
    assert guess_family({">>deu<<"}, {"source.spm"}) == "marian-mul"
    with pytest.raises(ModelError):
        guess_family(set(), set())
