import pytest
from hypothesis import given
from hypothesis import strategies as st

from xprep.mt.segment import gaps, rejoin, split_sentences


def _sents(text):
    return [text[s.start : s.end] for s in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two! Three?", ["One.", "Two!", "Three?"]),
        ("Dr. Smith met Mr. Jones. They talked.", ["Dr. Smith met Mr. Jones.", "They talked."]),
        (
            "The U.S. economy grew 2.5 percent. J. K. Rowling wrote.",
            ["The U.S. economy grew 2.5 percent.", "J. K. Rowling wrote."],
        ),
        ("我喜欢猫。你呢？好的", ["我喜欢猫。", "你呢？", "好的"]),
        ("यह अच्छा है। वह भी।", ["यह अच्छा है।", "वह भी।"]),
        # Thai writes no full stop: a space between Thai letters ends the sentence; beside a number it does not
        ("แม่น้ำไรน์ยาวที่สุด ไหลประมาณ 1,230 กิโลเมตร", ["แม่น้ำไรน์ยาวที่สุด", "ไหลประมาณ 1,230 กิโลเมตร"]),
        ("ນ້ຳຂອງຍາວ ມັນໄຫຼ", ["ນ້ຳຂອງຍາວ", "ມັນໄຫຼ"]),  # Lao likewise
        ("ខ្ញុំស្រឡាញ់ឆ្មា។ អ្នកវិញ?", ["ខ្ញុំស្រឡាញ់ឆ្មា។", "អ្នកវិញ?"]),  # Khmer khan
        ("ሰላም ነው። ደህና ነህ?", ["ሰላም ነው።", "ደህና ነህ?"]),  # Ethiopic full stop
        ("Line one\nLine two.", ["Line one", "Line two."]),
        ('He said "Stop." Then he left.', ['He said "Stop."', "Then he left."]),
        ("Am 1. Januar galt es. Es gilt z. B. hier.", ["Am 1. Januar galt es.", "Es gilt z. B. hier."]),
        ("Built in 1990. It fell in 12. Then it rose.", ["Built in 1990.", "It fell in 12.", "Then it rose."]),
        ("no punctuation at all", ["no punctuation at all"]),
        ("", []),
    ],
)
def test_split_sentences(text, expected):
    assert _sents(text) == expected


@given(st.text(alphabet=st.sampled_from(list("ab .!?\n。")), max_size=60))
def test_segments_rebuild_the_text(text):
    segs = split_sentences(text)
    if not segs:
        assert not text.strip()
        return
    rebuilt = (
        text[: segs[0].start]
        + "".join(text[s.start : s.end] + g for s, g in zip(segs, [*gaps(text, segs), ""], strict=True))
        + text[segs[-1].end :]
    )
    assert rebuilt == text
    assert all(text[s.start : s.end].strip() == text[s.start : s.end] for s in segs)


def test_rejoin_offsets_and_line_breaks():
    text, offs = rejoin(["Eins.", "Zwei.", "Drei."], [" ", "\n\n"], " ")
    assert text == "Eins. Zwei.\n\nDrei."
    assert [text[a:b] for a, b in offs] == ["Eins.", "Zwei.", "Drei."]
    text, _ = rejoin(["一。", "二。"], [" "], "")
    assert text == "一。二。"
