from xprep.projection.exact import locate, project
from xprep.records import SpanRecord


def test_locate_prefers_the_occurrence_at_the_same_relative_position():
    ctx = "Paris is big. I like Paris. Paris again."
    assert locate(ctx, "Paris", 0.0) == 0
    assert locate(ctx, "Paris", 0.5) == 21
    assert locate(ctx, "paris", 0.9) == 28  # case-insensitive fallback
    assert locate(ctx, "Rome", 0.5) is None


def test_project_sets_valid_offsets_or_fails_with_reason():
    src = SpanRecord(id="q", lang="en", context="The cat sat.", question="Who?", answers=[{"text": "cat", "start": 4}])
    tgt = src.translated({"context": "Die Katze saß.", "question": "Wer?", "answers.0.text": "Katze"}, "de")
    meta = project(src, tgt)
    assert meta["status"] == "projected" and tgt.answers == [{"text": "Katze", "start": 4}]
    tgt.meta["projection"] = meta
    tgt.validate()
    bad = src.translated({"context": "Die Katze saß.", "question": "Wer?", "answers.0.text": "Kater"}, "de")
    meta = project(src, bad)
    assert meta["status"] == "failed" and meta["reason"] == "answer_not_found_in_context"
    assert bad.answers == [] and meta["source_answers"] == src.answers
