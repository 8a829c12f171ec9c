"""The hand-written parallel QA sets are well formed: the English questions in every language, each answer
where its offset says, NFC text (scoring pairs questions by id and would skip a broken one silently)."""

import json
import unicodedata
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"
LANGS = sorted(p.name.split(".")[1] for p in DATA.glob("handmade_qa.*.json") if p.name != "handmade_qa.en.json")


def test_the_long_answers_are_long():
    english = _questions("en", "handmade_long")
    assert all(len(answers[0]["text"].split()) >= 3 for _, answers in english.values())


def _questions(lang: str, stem: str = "handmade_qa") -> dict[str, tuple[str, list[dict]]]:
    data = json.loads((DATA / f"{stem}.{lang}.json").read_text(encoding="utf-8"))
    return {q["id"]: (p["context"], q["answers"]) for a in data["data"] for p in a["paragraphs"] for q in p["qas"]}


def test_every_xquad_language_has_a_set():
    assert set(LANGS) >= {"ar", "de", "el", "es", "hi", "ru", "th", "tr", "vi", "zh"}


SIZES = {"handmade_qa": 28, "handmade_long": 5, "handmade_heldout": 10}


@pytest.mark.parametrize("stem", sorted(SIZES))
@pytest.mark.parametrize("lang", LANGS)
def test_a_set_is_well_formed(lang, stem):
    english = _questions("en", stem)
    ours = _questions(lang, stem)
    assert set(ours) == set(english) and len(ours) == SIZES[stem]
    for qid, (context, answers) in ours.items():
        assert context == unicodedata.normalize("NFC", context), qid
        assert len(answers) == 1 and answers[0]["text"].strip(), qid
        start, text = answers[0]["answer_start"], answers[0]["text"]
        assert context[start : start + len(text)] == text, qid
