"""Script-aware units: grapheme clusters are never split, words follow the script."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xprep.text import graphemes, is_unspaced, word_spans, words

# (script, text, expected word units): spaced scripts whose words carry combining marks
SPACED = [
    ("devanagari", "अलेक्ज़ेंडर फ़्लेमिंग ने देखा।", ["अलेक्ज़ेंडर", "फ़्लेमिंग", "ने", "देखा", "।"]),
    ("bengali", "বাংলা ভাষার বর্ণমালা", ["বাংলা", "ভাষার", "বর্ণমালা"]),
    ("tamil", "தமிழ் மொழி பேசுகிறார்கள்", ["தமிழ்", "மொழி", "பேசுகிறார்கள்"]),
    ("arabic with harakat", "اللُّغَةُ العَرَبِيَّةُ، جَمِيلَةٌ.", ["اللُّغَةُ", "العَرَبِيَّةُ", "،", "جَمِيلَةٌ", "."]),
    ("hebrew with niqqud", "שָׁלוֹם עוֹלָם", ["שָׁלוֹם", "עוֹלָם"]),
    ("vietnamese (NFC)", "Tiếng Việt có dấu.", ["Tiếng", "Việt", "có", "dấu", "."]),
    ("korean", "한국어 문장입니다.", ["한국어", "문장입니다", "."]),
    ("persian with ZWNJ", "می\u200cخواهم بروم", ["می\u200cخواهم", "بروم"]),
    ("latin", "The cat (big) don't e-mail.", ["The", "cat", "(", "big", ")", "don't", "e-mail", "."]),
]


@pytest.mark.parametrize(("script", "text", "expected"), SPACED, ids=[s for s, _, _ in SPACED])
def test_spaced_scripts_keep_marks_with_their_words(script, text, expected):
    assert words(text) == expected
    assert words(text, unspaced="graphemes") == expected  # the mode only concerns unspaced scripts


def test_decomposed_vietnamese_stays_whole():
    text = unicodedata.normalize("NFD", "Tiếng Việt")
    assert words(text) == [unicodedata.normalize("NFD", w) for w in ("Tiếng", "Việt")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我们喜欢北京大学的猫。", ["我们", "喜欢", "北京", "大学", "的", "猫", "。"]),
        ("東京に行きました。", ["東京", "に", "行き", "ま", "した", "。"]),
        ("ประเทศไทยมีประชากรมาก", ["ประเทศไทย", "มี", "ประชากร", "มาก"]),
        ("I visited 東京 in 2019", ["I", "visited", "東京", "in", "2019"]),
    ],
)
def test_unspaced_scripts_get_dictionary_words(text, expected):
    pytest.importorskip("icu4py")
    assert words(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a katakana run is one word (ICU's dictionary splits an unknown loanword or name into characters)
        ("シュトゥットガルトの工場", ["シュトゥットガルト", "の", "工場"]),
        ("アレクサンダー・フレミングは", ["アレクサンダー", "・", "フレミング", "は"]),
        # a small kana never starts a word
        ("下がった", ["下", "がっ", "た"]),
        # a number and the one Han character counting it are one word; not a character linking two numbers
        ("1605年に登場した", ["1605年", "に", "登場", "した"]),
        ("工事には8,500万ユーロ", ["工事", "に", "は", "8,500万", "ユーロ"]),
        ("前端具2至4犬齿", ["前端", "具", "2", "至", "4", "犬齿"]),
        ("约1,230公里", ["约", "1,230", "公里"]),  # a word of two characters keeps its own unit
        ("A320単体", ["A320", "単体"]),  # not a number alone
        ("1対0で勝った", ["1", "対", "0", "で", "勝っ", "た"]),
        ("ｶﾞｰﾃﾞﾝ", ["ｶﾞｰﾃﾞﾝ"]),  # halfwidth katakana: the voicing marks are script Common
        ("𠮷野家で食べた", ["𠮷", "野家", "で", "食", "べた"]),  # ICU counts UTF-16 units: 𠮷 is two
    ],
)
def test_japanese_and_chinese_units_that_icu_splits(text, expected):
    pytest.importorskip("icu4py")
    assert words(text) == expected


def test_a_number_with_separators_is_one_word():
    assert words("It is 1,230 km, or 3.14 of them, 85.") == [
        "It",
        "is",
        "1,230",
        "km",
        ",",
        "or",
        "3.14",
        "of",
        "them",
        ",",
        "85",
        ".",
    ]
    assert words("1605年", unspaced="graphemes") == ["1605", "年"]  # grapheme mode: characters stay apart


def test_unspaced_scripts_as_grapheme_clusters():
    assert words("我们喜欢猫。", unspaced="graphemes") == ["我", "们", "喜", "欢", "猫", "。"]
    # a Thai tone mark and the vowel sara am stay on their consonant: one cluster, not three characters
    assert words("น้ำ", unspaced="graphemes") == ["น้ำ"]
    assert words("ภาษา", unspaced="graphemes") == ["ภ", "า", "ษ", "า"]


def test_graphemes_and_script_detection():
    assert [("नमस्ते"[a:b]) for a, b in graphemes("नमस्ते")] == ["न", "म", "स्ते"]  # a conjunct is one cluster
    assert is_unspaced("猫") and is_unspaced("ไทย") and is_unspaced("カ")
    assert not is_unspaced("한국") and not is_unspaced("abc") and not is_unspaced("")
    with pytest.raises(ValueError, match="unspaced"):
        word_spans("x", unspaced="characters")


_SCRIPTS = st.sampled_from(
    [
        "अलेक्ज़ेंडर फ़्लेमिंग",
        "বাংলা ভাষা",
        "தமிழ் மொழி",
        "العَرَبِيَّةُ",
        "שָׁלוֹם",
        "Tiếng Việt",
        "한국어",
        "東京に行き",
        "我们喜欢猫",
        "ประเทศไทยมีประชากร",
        "ສະບາຍດີ",
        "ភាសាខ្មែរ",
        "မြန်မာ",
        " ",
        ", ",
        "1,230",
        "-",
        "e\u0301",
        "シュトゥットガルト",
        "ｶﾞｰﾃﾞﾝ",
        "1605年",
        "𠮷野家",
        "٣٫١٤",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_SCRIPTS, min_size=1, max_size=6), st.sampled_from(["words", "graphemes"]))
def test_units_never_split_a_grapheme_cluster(parts, mode):
    text = "".join(parts)
    edges = {a for a, _ in graphemes(text)} | {len(text)}
    spans = word_spans(text, mode)
    assert all(a in edges and b in edges and a < b for a, b in spans)
    assert all(b1 <= a2 for (_, b1), (a2, _) in zip(spans, spans[1:], strict=False))
    covered = {i for a, b in spans for i in range(a, b)}
    assert covered == {i for i, ch in enumerate(text) if not ch.isspace()}


def test_fold_case_keeps_offsets_where_lower_does_not():
    from xprep.text import fold_case

    text = "İstanbul ve İzmir, ANKARA"
    assert len(text.lower()) == len(text) + 2  # str.lower writes each İ as i + U+0307
    folded = fold_case(text)
    assert len(folded) == len(text) and folded == "istanbul ve izmir, ankara"
    at = folded.find("ankara")
    assert text[at : at + 6] == "ANKARA"
    assert fold_case("Straße") == "straße"  # one for one already: as str.lower
    assert fold_case("ΟΔΟΣ Ερμού") == fold_case("οδος ερμού") == fold_case("οδοσ ΕΡΜΟΎ")  # final sigma
    assert fold_case("İ ΟΔΟΣ") == "i οδοσ"  # the same folding on both paths


def test_nfc_at_maps_offsets_through_normalisation():
    from xprep.text import nfc_at

    text = unicodedata.normalize("NFD", "Hà Nội và Hồ Chí Minh")
    start = text.index(unicodedata.normalize("NFD", "Hồ"))
    end = len(text)
    nfc, where = nfc_at(text, [start, end])
    assert nfc == unicodedata.normalize("NFC", text)
    assert nfc[where[start] : where[end]] == "Hồ Chí Minh"
    assert where[0] == 0 and where[end] == len(nfc)
