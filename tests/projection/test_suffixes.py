"""Turkish apostrophe suffixes stay off a projected answer; nothing changes for other languages."""

import pytest

from tests.conftest import SHARED_DATA
from tests.projection.helpers import project_translated_tea
from xprep.projection.chain import project_answer
from xprep.projection.suffixes import THAI_NOMINALISERS, span_edges, trim_suffix

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


THAI = "เมืองนี้มีชื่อเสียงเรื่องการค้าและการเดินเรือ ความรู้ของเขาต้องการค้าขาย อาการป่วย"


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        ("ค้าและการเดินเรือ", "การค้าและการเดินเรือ"),  # "trade and shipping": the aligner linked "trade" to ค้า
        ("รู้ของเขา", "ความรู้ของเขา"),  # "his knowledge"
        ("ค้าขาย", "ค้าขาย"),  # after ต้องการ ("to want"), a word of its own ending in the same letters
        ("ป่วย", "ป่วย"),  # after อาการ ("symptom")
        ("การค้า", "การค้า"),  # already whole
    ],
)
def test_thai_spans_take_the_nominaliser_before_them(span, expected):
    pytest.importorskip("icu4py", reason="Thai word units need ICU's dictionary word breaks")
    start = THAI.index(span)
    a, b = span_edges(THAI, start, start + len(span), "trade and shipping", "th")
    assert THAI[a:b] == expected and b == start + len(span)


@pytest.mark.parametrize("lang", ["de", "lo", None])
def test_the_nominaliser_rule_is_thai_only(lang):
    start = THAI.index("ค้าและ")
    assert span_edges(THAI, start, start + 3, "trade", lang) == (start, start + 3)


def test_the_nominaliser_rule_reads_no_further_back_than_its_window():
    from xprep.projection.suffixes import take_nominaliser

    pytest.importorskip("icu4py", reason="Thai word units need ICU's dictionary word breaks")
    assert take_nominaliser("การค้า", 0) == 0  # nothing before the span
    text = "x" * 40 + "การค้า"  # a long word before: the window starts inside it, the unit before ค้า is whole
    assert take_nominaliser(text, 43) == 40


PUD_TH = SHARED_DATA / "ud-pud" / "th_pud-ud-test.conllu"


@pytest.mark.skipif(not PUD_TH.is_file(), reason="../shared/data/ud-pud/th_pud-ud-test.conllu is absent")
def test_thai_pud_words_keep_their_nominaliser():
    """On Thai PUD the treebank writes การ/ความ + stem as one word: spans on the stem get the prefix back, and
    spans that start at a treebank word stay where they are (measured: 746 of 785 restored, 46 of 22,330 moved,
    where the treebank itself writes การ apart)."""
    pytest.importorskip("icu4py", reason="Thai word units need ICU's dictionary word breaks")
    from xprep.conllu import read_conllu

    prefixed = restored = starts = moved = 0
    for sent in read_conllu(PUD_TH):
        pos, offsets = 0, []
        for form in sent.forms:
            at = sent.text.find(form, pos)
            if at < 0:
                break
            offsets.append((at, at + len(form)))
            pos = at + len(form)
        else:
            for (a, b), form in zip(offsets, sent.forms, strict=True):
                starts += 1
                moved += span_edges(sent.text, a, b, "x", "th")[0] != a
                for prefix in THAI_NOMINALISERS:
                    if form.startswith(prefix) and len(form) > len(prefix):
                        prefixed += 1
                        restored += span_edges(sent.text, a + len(prefix), b, "x", "th")[0] == a
    assert prefixed > 500 and starts > 10_000
    assert restored > 0.9 * prefixed
    assert moved < 0.01 * starts


@pytest.mark.parametrize(
    ("lang", "context", "span", "source", "expected"),
    [
        ("hi", "उसने पूछा कि फूल कहाँ मिलेंगे।", "कि फूल कहाँ मिलेंगे", "where to find flowers", "फूल कहाँ मिलेंगे"),
        ("hi", "उसने कहा कि धरती गोल है।", "कि धरती गोल है", "that the earth is round", "कि धरती गोल है"),
        ("hi", "उसने पूछा कि फूल कहाँ मिलेंगे।", "कि", "that", "कि"),  # never an empty span
        ("hi", "उसने पूछा कि फूल कहाँ मिलेंगे।", "पूछा कि फूल", "asked where flowers", "पूछा कि फूल"),  # not leading
        (None, "उसने पूछा कि फूल कहाँ मिलेंगे।", "कि फूल", "where flowers", "कि फूल"),  # no language, no rule
        ("mr", "उसने पूछा कि फूल कहाँ मिलेंगे।", "कि फूल", "where flowers", "कि फूल"),  # measured for Hindi only
    ],
)
def test_hindi_spans_start_after_a_complementiser_english_has_no_word_for(lang, context, span, source, expected):
    start = context.index(span)
    a, b = span_edges(context, start, start + len(span), source, lang)
    assert context[a:b] == expected


def test_thai_spans_start_after_the_complementiser():
    pytest.importorskip("icu4py", reason="Thai word units need ICU's dictionary word breaks")
    context = "เขาถามว่าจะหาดอกไม้ได้ที่ไหน"
    start = context.index("ว่า")
    a, b = span_edges(context, start, len(context), "where to find flowers", "th")
    assert context[a:b] == "จะหาดอกไม้ได้ที่ไหน"
