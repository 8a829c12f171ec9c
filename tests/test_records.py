import pytest

from xprep.errors import InputError
from xprep.records import ChoiceRecord, PairRecord, SpanRecord, TaggingRecord, record_from_dict


def test_span_offsets_must_match_text():
    ok = SpanRecord(
        id="q1", lang="en", context="The cat sat.", question="Who sat?", answers=[{"text": "cat", "start": 4}]
    )
    ok.validate()
    bad = SpanRecord(
        id="q2", lang="en", context="The cat sat.", question="Who sat?", answers=[{"text": "cat", "start": 5}]
    )
    with pytest.raises(InputError) as exc:
        bad.validate(source="f.jsonl:3")
    msg = exc.value.one_line()
    assert "f.jsonl:3" in msg and "'q2'" in msg and "answers.0.start" in msg


def test_unanswerable_is_valid_and_failed_projection_keeps_record():
    SpanRecord(id="q", lang="en", context="c", question="q?", answers=[]).validate()
    rec = SpanRecord(
        id="q",
        lang="de",
        context="c",
        question="q?",
        answers=[{"text": "x", "start": -1}],
        meta={"projection": {"status": "failed"}},
    )
    rec.validate()


@pytest.mark.parametrize(
    ("record", "field"),
    [
        (PairRecord(id="p", lang="en", text_a="a", text_b="b", label=3, num_labels=3), "label"),
        (PairRecord(id="p", lang="en", text_a="", text_b="b", label=0), "text_a"),
        (ChoiceRecord(id="c", lang="en", question="q", choices=["a", "b"], label=2), "label"),
        (ChoiceRecord(id="c", lang="en", question="q", choices=["a"], label=0), "choices"),
        (TaggingRecord(id="t", lang="en", tokens=["a", "b"], tags=["X"]), "tags"),
        (TaggingRecord(id="t", lang="en", tokens=["a\tb"], tags=["X"]), "tokens"),
        (TaggingRecord(id="t", lang="en", tokens=[" "], tags=["X"]), "tokens"),
    ],
)
def test_invalid_records_name_the_field(record, field):
    with pytest.raises(InputError, match=f"field '{field}'"):
        record.validate()


def test_round_trip_and_translated_paths():
    rec = ChoiceRecord(id="c", lang="en", context="ctx", question="q?", choices=["a", "b"], label=1)
    again = record_from_dict(rec.to_dict())
    assert again == rec
    paths = [p for p, _ in rec.segments()]
    assert paths == ["context", "question", "choices.0", "choices.1"]
    tr = rec.translated({p: p.upper() for p in paths}, "de")
    assert tr.lang == "de" and tr.choices == ["CHOICES.0", "CHOICES.1"] and tr.label == 1


def test_unknown_kind_and_fields_are_input_errors():
    with pytest.raises(InputError, match="unknown record kind"):
        record_from_dict({"kind": "nope", "id": "x"})
    with pytest.raises(InputError, match="unknown fields"):
        record_from_dict({"kind": "pair", "id": "x", "lang": "en", "bogus": 1})
