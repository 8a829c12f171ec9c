"""Turkish apostrophe suffixes stay off a projected answer; nothing changes for other languages."""

import pytest

from tests.projection.helpers import project_translated_tea
from xprep.projection.chain import project_answer
from xprep.projection.suffixes import span_edges, trim_suffix

TEXT = (
    "Çay İngiltere'ye ulaştı; 1911'de Levi's Stadyumu'nda oynandı, Atatürk'ün evi. Kur'an, kıt'a, rock'n'roll, "
    "1990'larda NATO’nun O'Brien'ın AB'ye Stuttgart'taki Alpleri'nden Ankara'ydı 'ye"
)


def _cut(span: str, source: str, lang: str | None = "tr") -> str:
    start = TEXT.index(span)
    return TEXT[start : trim_suffix(TEXT, start, start + len(span), source, lang)]


@pytest.mark.parametrize(
    ("span", "source", "expected"),
    [
        ("İngiltere'ye", "England", "İngiltere"),
        ("1911'de", "1911", "1911"),
        ("Levi's Stadyumu'nda", "Levi's Stadium", "Levi's Stadyumu"),
        ("Çay İngiltere'ye", "tea to England", "Çay İngiltere"),
        ("Atatürk'ün evi", "Atatürk's house", "Atatürk'ün evi"),  # the suffix is not at the end
        ("Levi's", "Levi's", "Levi's"),  # the source answer ends in an apostrophe word itself
        ("ulaştı", "arrived", "ulaştı"),
        ("NATO’nun", "NATO", "NATO"),  # a right single quotation mark
        ("AB'ye", "the EU", "AB"),
        ("Stuttgart'taki", "Stuttgart", "Stuttgart"),
        ("Alpleri'nden", "Alps", "Alpleri"),
        ("Ankara'ydı", "Ankara", "Ankara"),
        ("O'Brien'ın", "O'Brien", "O'Brien"),  # more apostrophes than the source's last word
        ("1990'larda", "the 1990s", "1990'lar"),  # a decade keeps its plural
        ("Kur'an", "the Quran", "Kur'an"),  # not a suffix: part of the word
        ("kıt'a", "continent", "kıt'a"),  # not a name
        ("rock'n'roll", "rock and roll", "rock'n'roll"),
        ("'ye", "to", "'ye"),  # nothing before the apostrophe: never an empty span
    ],
)
def test_turkish_spans_end_before_the_suffix(span, source, expected):
    assert _cut(span, source) == expected


@pytest.mark.parametrize("lang", ["en", "fr", "uz", None])
def test_other_languages_keep_the_span(lang):
    assert _cut("İngiltere'ye", "England", lang) == "İngiltere'ye"


def test_language_codes_resolve():
    assert _cut("1911'de", "1911", "tur_Latn") == "1911"
    assert _cut("1911'de", "1911", "TR") == "1911"


@pytest.mark.parametrize(
    ("lang", "tgt", "fuzzy_hint", "cut", "whole"),
    [
        ("tr", "Çay on yedinci yüzyılda İngiltere'ye ulaştı.", "Ingiltereye", "İngiltere", "İngiltere'ye"),
        ("ko", "차는 17세기에 영국에 들어왔다.", "영국에", "영국", "영국에"),  # xprep.projection.particles
        ("ja", "茶は17世紀にイングランドに伝わった。", "イングランドに", "イングランド", "イングランドに"),
    ],
)
def test_every_method_is_cut(lang, tgt, fuzzy_hint, cut, whole):
    if lang == "ja":
        pytest.importorskip("icu4py")
    src = "Tea reached England in the seventeenth century."
    for chain, hint in ((["exact"], whole), (["fuzzy"], fuzzy_hint)):
        out = project_answer(src, src.index("England"), "England", tgt, chain, hint=hint, lang=lang)
        assert tgt[out.start : out.end] == cut, chain
        kept = project_answer(src, src.index("England"), "England", tgt, chain, hint=hint)
        assert tgt[kept.start : kept.end] == whole


def test_a_translated_turkish_record_gets_the_cut_answer():
    tgt_context = "Çay on yedinci yüzyılda İngiltere'ye ulaştı."
    meta, tgt = project_translated_tea(tgt_context, "Çay nereye ulaştı?", "İngiltere'ye", "tr")
    assert meta["status"] == "projected" and tgt.answers == [{"text": "İngiltere", "start": 24}]


@pytest.mark.parametrize(
    ("lang", "context", "inner", "expected"),
    [
        ("zh", "他写了《哈姆雷特》。", "哈姆雷特", "《哈姆雷特》"),  # native Chinese gold keeps the title marks
        ("ja", "彼は「ハムレット」を書いた。", "ハムレット", "「ハムレット」"),
        ("zh", "他写了《哈姆雷特》和《麦克白》。", "哈姆雷特》和《麦克白", "哈姆雷特》和《麦克白"),  # not one quote
        ("zh", "他写了《哈姆雷特》。", "哈姆", "哈姆"),  # not enclosed exactly
        ("ko", "그는 ‘햄릿’을 썼다.", "햄릿", "햄릿"),  # Korean gold leaves the marks out (KorQuAD 208 of 214)
        ("de", "Er schrieb „Hamlet“.", "Hamlet", "Hamlet"),
    ],
)
def test_chinese_and_japanese_answers_keep_the_marks_that_enclose_them(lang, context, inner, expected):
    start = context.index(inner)
    a, b = span_edges(context, start, start + len(inner), "Hamlet", lang)
    assert context[a:b] == expected


def test_a_japanese_particle_after_a_closing_mark_leaves_the_mark():
    pytest.importorskip("icu4py")
    context = "彼は「ハムレット」を書いた。"
    start = context.index("「")
    a, b = span_edges(context, start, context.index("を") + 1, "Hamlet", "ja")
    assert context[a:b] == "「ハムレット」"
