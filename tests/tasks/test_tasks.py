"""Contract tests over every registered task, plus each loader's edge cases and hub adapters."""

import json
from collections import Counter

import pytest

from xprep.errors import InputError, UnknownNameError
from xprep.io import read_records, write_jsonl
from xprep.records import ChoiceRecord, PairRecord, SpanRecord, TaggingRecord
from xprep.tasks import TASKS, load_task, sample_path
from xprep.tasks.choice import csqa_from_hub, hellaswag_from_hub, siqa_from_hub
from xprep.tasks.pair import nli_from_hub, qqp_from_hub
from xprep.tasks.span import squad_from_hub

KIND_CLASS = {"pair": PairRecord, "choice": ChoiceRecord, "span": SpanRecord, "tagging": TaggingRecord}


def test_the_study_tasks_are_registered():
    nine = {"anli_plus", "mnli", "qqp", "squad_v2", "hellaswag", "ccg", "cosmosqa", "socialiqa", "commonsenseqa"}
    assert nine | {"squad_v1"} == set(TASKS)
    assert TASKS.get("anli_plus").splits["train"] == 1_104_934
    assert TASKS.get("squad_v2").splits["train"] == 130_319


@pytest.mark.parametrize("name", TASKS.names())
def test_task_contract(name, tmp_path):
    spec = TASKS.get(name)
    assert spec.licence and spec.citation and spec.description
    assert spec.local, "every task has a local-file loader"
    records = list(load_task(name, "train", sample_path(spec)))
    assert len(records) >= 3
    assert all(isinstance(r, KIND_CLASS[spec.kind]) for r in records)
    assert len({r.id for r in records}) == len(records), "ids are unique"
    out = tmp_path / "r.jsonl"
    write_jsonl(out, (r.to_dict() for r in records))
    assert list(read_records(out)) == records


def test_limit_and_unknown_task():
    assert len(list(load_task("mnli", "train", sample_path(TASKS.get("mnli")), limit=2))) == 2
    with pytest.raises(UnknownNameError, match="did you mean 'mnli'"):
        list(load_task("mnlo", "train"))


def test_squad_v2_unanswerable_and_offsets():
    recs = {r.id: r for r in load_task("squad_v2", "train", sample_path(TASKS.get("squad_v2")))}
    assert recs["sq2-3"].answers == []
    a = recs["sq2-1"].answers[0]
    assert recs["sq2-1"].context[a["start"] : a["start"] + len(a["text"])] == "1874"


def test_squad_json_bad_offsets_are_repaired_or_dropped_and_counted(tmp_path):
    doc = {
        "data": [
            {
                "title": "t",
                "paragraphs": [
                    {
                        "context": "abc def",
                        "qas": [
                            {"id": "x1", "question": "q?", "answers": [{"text": "def", "answer_start": 0}]},
                            {"id": "x2", "question": "q?", "answers": [{"text": "abc", "answer_start": -1}]},
                            {"id": "x3", "question": "q?", "answers": [{"text": "xyz", "answer_start": 2}]},
                        ],
                    }
                ],
            }
        ]
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    drops: Counter = Counter()
    recs = list(load_task("squad_v1", "train", path, drops=drops))
    assert [(r.id, r.answers) for r in recs] == [
        ("x1", [{"text": "def", "start": 4}]),  # relocated to where "def" is
        ("x2", [{"text": "abc", "start": 0}]),  # -1, as CMRC 2018 has: located
    ]  # x3: "xyz" is not in the paragraph: dropped
    assert drops == {"repaired:answer_start_relocated": 2, "dropped:answer_not_in_context": 1}


def test_mnli_tsv_skips_missing_gold_and_rejects_unknown_label(tmp_path):
    path = tmp_path / "dev.tsv"
    path.write_text("pairID\tsentence1\tsentence2\tgold_label\n1\tA b.\tC d.\t-\n2\tA b.\tC d.\tneutral\n")
    recs = list(load_task("mnli", "validation_matched", path))
    assert [(r.id, r.label) for r in recs] == [("2", 1)]
    path.write_text("pairID\tsentence1\tsentence2\tgold_label\n1\tA b.\tC d.\tmaybe\n")
    with pytest.raises(InputError, match="dev.tsv:2.*unknown NLI label"):
        list(load_task("mnli", "train", path))


def test_multinli_jsonl_layout(tmp_path):
    path = tmp_path / "multinli.jsonl"
    path.write_text(
        json.dumps(
            {"pairID": "9e", "sentence1": "A man runs.", "sentence2": "A person moves.", "gold_label": "entailment"}
        )
        + "\n"
    )
    (rec,) = load_task("mnli", "train", path)
    assert rec.id == "9e" and rec.label == 0


def test_socialiqa_needs_labels_file(tmp_path):
    path = tmp_path / "dev.jsonl"
    path.write_text(json.dumps({"context": "c", "question": "q?", "answerA": "a", "answerB": "b", "answerC": "c"}))
    with pytest.raises(InputError, match="labels file not found"):
        list(load_task("socialiqa", "validation", path))
    (tmp_path / "dev-labels.lst").write_text("3\n")
    (rec,) = load_task("socialiqa", "validation", path)
    assert rec.label == 2


def test_ccg_one_token_per_line(tmp_path):
    path = tmp_path / "train.tags"
    path.write_text("# comment\nThe\tNP/N\ncat\tN\n\nDogs\tN\nbark\tS\\NP\n")
    recs = list(load_task("ccg", "train", path, fmt="conll"))
    assert [r.tokens for r in recs] == [["The", "cat"], ["Dogs", "bark"]]
    assert recs[1].tags == ["N", "S\\NP"]


def test_ccg_auto_rejects_non_auto(tmp_path):
    path = tmp_path / "x.auto"
    path.write_text("ID=1\nthis is not a derivation\n")
    with pytest.raises(InputError, match="x.auto:2"):
        list(load_task("ccg", "train", path))


def test_unknown_format_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        list(load_task("mnli", "train", tmp_path / "nope.tsv"))
    odd = tmp_path / "data.xml"
    odd.write_text("<x/>")
    with pytest.raises(InputError, match="cannot tell the format"):
        list(load_task("mnli", "train", odd))


def test_hub_adapters_on_hub_shaped_rows():
    assert nli_from_hub({"premise": "p", "hypothesis": "h", "label": 2, "idx": 0}, "nyu-mll/glue").id == "glue-0"
    assert nli_from_hub({"premise": "p", "hypothesis": "h", "label": -1}, "stanfordnlp/snli") is None
    assert (
        nli_from_hub({"uid": "u1", "premise": "p", "hypothesis": "h", "label": 1, "reason": ""}, "facebook/anli").id
        == "u1"
    )
    assert qqp_from_hub({"question1": "a?", "question2": "b?", "label": 1, "idx": 5}, "nyu-mll/glue").label == 1
    sq = squad_from_hub(
        {
            "id": "i",
            "title": "t",
            "context": "ab cd",
            "question": "q?",
            "answers": {"text": ["cd", "cd"], "answer_start": [3, 3]},
        },
        "rajpurkar/squad_v2",
    )
    assert sq.answers == [{"text": "cd", "start": 3}]
    hs = hellaswag_from_hub({"ind": 4, "ctx": "c", "endings": ["a", "b", "c", "d"], "label": "2"}, "Rowan/hellaswag")
    assert hs.label == 2 and hs.id == "4"
    si = siqa_from_hub(
        {"context": "c", "question": "q?", "answerA": "a", "answerB": "b", "answerC": "c", "label": "1"},
        "allenai/social_i_qa",
    )
    assert si.label == 0
    cs = csqa_from_hub(
        {
            "id": "z",
            "question": "q?",
            "question_concept": "x",
            "choices": {"label": ["A", "B", "C"], "text": ["a", "b", "c"]},
            "answerKey": "C",
        },
        "tau/commonsense_qa",
    )
    assert cs.label == 2 and cs.context == ""


def test_tydiqa_language_tables():
    """TyDi QA has eleven languages (its ids start with their English names); GoldP, XTREME's TyDiQA
    target, has nine of them: Japanese and Thai are left out."""
    from xprep.tasks.span import TYDIQA_GOLDP_LANGS, TYDIQA_LANGS, tydiqa_lang
    from xprep.tasks.targets import TARGETS

    assert len(TYDIQA_LANGS) == 11 and len(TYDIQA_GOLDP_LANGS) == 9
    assert set(TYDIQA_LANGS.values()) - set(TYDIQA_GOLDP_LANGS) == {"ja", "th"}
    assert TARGETS.get("tydiqa").langs == TYDIQA_GOLDP_LANGS
    cases = [("finnish-123-0", "fi"), ("english-7", "en"), ("thai-1", "th"), ("klingon-1", None), ("finnish", None)]
    for row_id, lang in cases:
        assert tydiqa_lang(row_id) == lang, row_id
