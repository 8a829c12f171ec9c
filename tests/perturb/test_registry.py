"""Contract of the PERTURBATIONS registry: every entry declares the kinds it applies to and the tasks it refuses
(each with its reason); on a record of each declared kind it gives a valid record of the same kind with the
label preserved; it refuses every kind and task it does not accept, with the declared reason; and whether it
may run is asked in one place (the PAWS-X refusal is written once)."""

from __future__ import annotations

from pathlib import Path

import pytest

import xprep
from xprep.errors import InputError
from xprep.perturb.apply import perturb_record
from xprep.perturb.registry import PERTURBATIONS, applies
from xprep.perturb.retrieval import perturb_sentence
from xprep.records import KINDS, ChoiceRecord, PairRecord, Record, SpanRecord, TaggingRecord
from xprep.tasks.targets import TARGETS

CONTEXT = "Die Brücke über den Fluss wurde 1874 gebaut. Sie ist nicht aus Holz, sondern aus Stein."
POOL = [CONTEXT, "Der Leuchtturm steht am Meer. Er ist weiß.", "Die Schule öffnet um acht Uhr."]
LEXICON = {"die": ["the"], "brücke": ["bridge"], "fluss": ["river"], "stein": ["stone"], "katze": ["cat"]}
RECORDS: dict[str, Record] = {
    "pair": PairRecord(
        id="p",
        lang="de",
        text_a="Die Katze schläft nicht auf dem Sofa in Berlin.",
        text_b="Die Katze ist wach.",
        label=2,
    ),
    "choice": ChoiceRecord(
        id="c",
        lang="de",
        context="Die Frau öffnet die Tür und geht hinaus.",
        question="Was passiert dann?",
        choices=["Sie bleibt.", "Sie geht weg."],
        label=1,
    ),
    "span": SpanRecord(
        id="s",
        lang="de",
        context=CONTEXT,
        question="Wann wurde die Brücke gebaut?",
        answers=[{"text": "1874", "start": CONTEXT.index("1874")}, {"text": "Stein", "start": CONTEXT.index("Stein")}],
    ),
    "tagging": TaggingRecord(
        id="t",
        lang="de",
        tokens=["Die", "Brücke", "über", "den", "Fluss", "."],
        tags=["DET", "NOUN", "ADP", "DET", "NOUN", "PUNCT"],
    ),
}
TASK_OF_KIND = {"pair": "xnli", "choice": "choice-probe", "span": "xquad", "tagging": "udpos"}
ENTRIES = PERTURBATIONS.names()


def _label(rec: Record) -> object:
    """What the label of a record is, per kind (span: answer texts; their offsets are checked by validate())."""
    if isinstance(rec, PairRecord):
        return (rec.label, rec.num_labels)
    if isinstance(rec, ChoiceRecord):
        return (rec.label, rec.choices)
    if isinstance(rec, SpanRecord):
        return [a["text"] for a in rec.answers]
    assert isinstance(rec, TaggingRecord)
    return (rec.tags, len(rec.tokens))


@pytest.mark.parametrize("name", ENTRIES)
def test_entry_declares_kinds_refusals_and_behaviour(name):
    spec = PERTURBATIONS.get(name)
    assert spec.name == name and spec.description
    assert spec.kinds and set(spec.kinds) <= {*KINDS, "retrieval"}
    for refused in spec.refuses:
        assert refused.task in TARGETS and refused.reason.strip()
        assert TARGETS.get(refused.task).kind in spec.kinds  # refusing a task of a kind it never takes says nothing
    assert callable(spec.transform)
    assert (spec.edit is not None) == ("retrieval" in spec.kinds)  # sentences take word edits only


DECLARED = [(name, kind) for name in ENTRIES for kind in PERTURBATIONS.get(name).kinds if kind in KINDS]


@pytest.mark.parametrize(("name", "kind"), DECLARED)
@pytest.mark.parametrize("fields", [None, ("question", "context")])
def test_each_declared_kind_gives_a_valid_record_with_its_label(name, kind, fields):
    rec = RECORDS[kind]
    before = rec.to_dict()
    changed = 0
    for seed in range(4):
        new, stats = perturb_record(rec, name, 1.0, seed, TASK_OF_KIND[kind], fields, LEXICON, POOL)
        assert type(new) is type(rec) and (new.id, new.lang) == (rec.id, rec.lang)
        new.validate()
        assert _label(new) == _label(rec)
        assert new.meta["perturbation"]["name"] == name and 0 <= stats["changed"] <= stats["units"]
        changed += new.to_dict() != {**before, "meta": new.meta}
    assert rec.to_dict() == before  # the input record is left as it was
    assert changed  # every probe record has words each perturbation can change


@pytest.mark.parametrize("name", ENTRIES)
def test_retrieval_kind_is_declared_or_refused(name):
    spec = PERTURBATIONS.get(name)
    text = "Die Brücke über den Fluss wurde gebaut."
    if "retrieval" in spec.kinds:
        new, changed, units = perturb_sentence(text, name, 1.0, 0, "tatoeba", "de", "1", LEXICON)
        assert 0 < changed <= units and new != text
    else:
        with pytest.raises(InputError, match="does not apply to retrieval"):
            perturb_sentence(text, name, 1.0, 0, "tatoeba", "de", "1", LEXICON)
    assert applies(name, "retrieval", "tatoeba") == ("retrieval" in spec.kinds)


@pytest.mark.parametrize("name", ENTRIES)
def test_refuses_what_it_declares(name):
    spec = PERTURBATIONS.get(name)
    for kind in KINDS:
        if kind not in spec.kinds:
            with pytest.raises(InputError) as err:
                perturb_record(RECORDS[kind], name, 0.5, 0, TASK_OF_KIND[kind], None, LEXICON, POOL)
            assert str(err.value).startswith(spec.off_kind.format(name=name, kind=kind))
    for refused in spec.refuses:
        rec = RECORDS[TARGETS.get(refused.task).kind]
        with pytest.raises(InputError) as err:
            perturb_record(rec, name, 0.5, 0, refused.task, None, LEXICON, POOL)
        assert str(err.value).startswith(refused.reason)
    for task in TARGETS.names():
        kind = TARGETS.get(task).kind
        allowed = kind in spec.kinds and task not in {r.task for r in spec.refuses}
        assert applies(name, kind, task) == allowed


def test_word_order_refuses_pawsx_and_only_it_refuses_a_task():
    refusing = {name: spec.refuses for name, spec in PERTURBATIONS.items() if spec.refuses}
    assert list(refusing) == ["word-order"] and [r.task for r in refusing["word-order"]] == ["pawsx"]
    assert "PAWS-X" in refusing["word-order"][0].reason
    assert applies("typos", "pair", "pawsx")  # word edits keep PAWS-X labels: only order is refused


def test_the_pawsx_refusal_is_written_once():
    """No module but the registry names PAWS-X in a perturbation rule (no copies of the refusal elsewhere)."""
    root = Path(xprep.__file__).parent
    reason = PERTURBATIONS.get("word-order").refuses[0].reason
    holders = [p.relative_to(root).as_posix() for p in root.rglob("*.py") if reason in p.read_text(encoding="utf-8")]
    assert holders == ["perturb/registry.py"]
    special = [
        p.relative_to(root).as_posix()
        for p in root.rglob("*.py")
        if any(s in p.read_text(encoding="utf-8") for s in ('== "word-order"', '== "distractor"', '!= "pawsx"'))
    ]
    assert special == []
