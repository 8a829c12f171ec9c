"""Perturbations: deterministic under a seed, label-preserving, measured rate near the requested one."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xprep.errors import InputError
from xprep.perturb.apply import perturb_record
from xprep.perturb.edits import example_rng
from xprep.perturb.registry import PERTURBATIONS
from xprep.records import PairRecord, SpanRecord, TaggingRecord

TEXT = (
    "The keeper did not leave the lighthouse in 1874 because Maria asked him to stay with the bees "
    "during the long winter storms on the island."
)


def _pair(a=TEXT, b="The keeper stayed because Maria asked him to."):
    return PairRecord(id="p1", lang="en", text_a=a, text_b=b, label=0)


LEXICON = {
    "keeper": ["Wärter", "gardien"],
    "lighthouse": ["Leuchtturm", "phare"],
    "bees": ["abejas"],
    "island": ["isla", "île"],
    "stay": ["bleiben"],
    "winter": ["invierno"],
}
CONTEXTS = ["The bees live in colonies. The queen lays eggs.", "Tickets are sold at the station. Music plays."]


def _args(name):
    return {"lexicon": LEXICON} if name == "code-switch" else {}


@pytest.mark.parametrize("name", [n for n in PERTURBATIONS.names() if n != "distractor"])
def test_deterministic_and_seed_dependent(name):
    a, _ = perturb_record(_pair(), name, 0.5, seed=1, task="xnli", **_args(name))
    b, _ = perturb_record(_pair(), name, 0.5, seed=1, task="xnli", **_args(name))
    outs = {perturb_record(_pair(), name, 0.5, seed=s, task="xnli", **_args(name))[0].text_a for s in range(6)}
    assert a == b
    assert len(outs) > 1 or name == "diacritics"  # English has no marks to strip


def test_pair_rules_protect_negation_numbers_names_and_are_consistent():
    for seed in range(20):
        rec, stats = perturb_record(_pair(), "typos", 1.0, seed=seed, task="xnli")
        words = rec.text_a.split()
        assert "not" in words and "1874" in words and "Maria" in words
        assert rec.label == 0
        # the same word gets the same replacement in both sentences
        assert rec.text_a.split()[1] == rec.text_b.split()[1]  # "keeper" in both
    assert stats["units"] > 0 and stats["changed"] > 0


def test_measured_rate_is_near_the_request():
    long_text = " ".join(f"word{chr(97 + i % 26)}{chr(97 + i // 26)}" for i in range(200))  # 200 distinct words
    rec = PairRecord(id="r", lang="en", text_a=long_text, text_b="storm island", label=1)
    _, stats = perturb_record(rec, "casing", 0.3, seed=0, task="xnli")
    assert 0.2 < stats["changed"] / stats["units"] < 0.4


def test_span_context_perturbation_keeps_answers_and_offsets():
    ctx = "The lighthouse at Cape Mora was completed in 1874 and painted white by the keeper."
    rec = SpanRecord(
        id="s",
        lang="en",
        context=ctx,
        question="When was the lighthouse completed?",
        answers=[{"text": "Cape Mora", "start": ctx.find("Cape Mora")}, {"text": "1874", "start": 45}],
    )
    q_only, _ = perturb_record(rec, "typos", 1.0, seed=3, task="xquad")
    assert q_only.context == ctx and q_only.question != rec.question
    both, _ = perturb_record(rec, "typos", 1.0, seed=3, task="xquad", fields=("question", "context"))
    assert both.context != ctx
    for a in both.answers:
        assert both.context[a["start"] : a["start"] + len(a["text"])] == a["text"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["كتاب", "שלום", "文字", "Ελλάδα", "déjà", "naïve", "Über", "x", "1999"]),
        min_size=3,
        max_size=12,
    ),
    st.integers(0, 1000),
)
def test_span_invariant_under_any_script(words, seed):
    ctx = " ".join(words)
    answer = words[len(words) // 2]
    start = len(" ".join(words[: len(words) // 2])) + (1 if len(words) // 2 else 0)
    rec = SpanRecord(id="h", lang="xx", context=ctx, question="?", answers=[{"text": answer, "start": start}])
    for name in (n for n in PERTURBATIONS.names() if n != "word-order"):
        out, _ = perturb_record(rec, name, 0.8, seed, "mlqa", fields=("context",), pool=CONTEXTS, **_args(name))
        a = out.answers[0]
        assert out.context[a["start"] : a["start"] + len(a["text"])] == answer


def test_tagging_is_one_to_one_and_marks_follow_scripts():
    rec = TaggingRecord(
        id="t",
        lang="tr",
        tokens=["İstanbul", "çok", "güzel", "şehir", "."],
        tags=["PROPN", "ADV", "ADJ", "NOUN", "PUNCT"],
    )
    out, _ = perturb_record(rec, "diacritics", 1.0, seed=0, task="udpos")
    assert len(out.tokens) == len(rec.tokens) and out.tags == rec.tags
    assert out.tokens[1] == "cok" and out.tokens[3] == "sehir"
    hindi = TaggingRecord(id="h", lang="hi", tokens=["किताब", "है"], tags=["NOUN", "AUX"])
    assert perturb_record(hindi, "diacritics", 1.0, seed=0, task="udpos")[0].tokens == hindi.tokens  # vowel signs stay


def test_bad_rate_and_rng_derivation():
    with pytest.raises(InputError):
        perturb_record(_pair(), "typos", 1.5, seed=0, task="xnli")
    a = example_rng(1, "typos", "xnli", "de", "id1", "text_a").random()
    assert a == example_rng(1, "typos", "xnli", "de", "id1", "text_a").random()
    assert a != example_rng(1, "typos", "xnli", "de", "id1", "text_b").random()


def test_perturb_command_writes_a_checked_set_with_its_applied_rate(tmp_path):
    import json

    from click.testing import CliRunner

    from xprep.cli import main
    from xprep.io import write_jsonl
    from xprep.manifest import verify

    src = tmp_path / "records.jsonl"
    write_jsonl(
        src,
        (
            PairRecord(
                id=f"p{i}",
                lang="de",
                text_a=f"Er blieb für immer über dem Meer, Nummer {i}.",
                text_b="Er blieb dort.",
                label=i % 3,
            ).to_dict()
            for i in range(10)
        ),
    )
    res = CliRunner().invoke(
        main,
        [
            "perturb",
            str(src),
            "--perturbation",
            "diacritics",
            "--rate",
            "1.0",
            "--task",
            "xnli",
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert res.exit_code == 0, res.output
    man = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert man["computed"]["applied"]["rate"] > 0 and verify(tmp_path / "out") == []
    first = json.loads((tmp_path / "out" / "records.jsonl").read_text().splitlines()[0])
    assert "fur" in first["text_a"] and "uber" in first["text_a"] and first["label"] == 0
    bad = CliRunner().invoke(
        main, ["perturb", str(src), "--perturbation", "nope", "--task", "xnli", "--out", str(tmp_path / "o2")]
    )
    assert bad.exit_code == 2 and "unknown perturbation 'nope'" in bad.output


def test_code_switching_is_consistent_and_keeps_case():
    rec, stats = perturb_record(
        _pair(b="The keeper stayed on the island."), "code-switch", 1.0, seed=0, task="xnli", lexicon=LEXICON
    )
    a_words, b_words = rec.text_a.split(), rec.text_b.split()
    assert a_words[1] == b_words[1] and a_words[1] in ("Wärter", "gardien")  # same replacement in both
    assert "not" in a_words and "Maria" in a_words and stats["changed"] > 0
    with pytest.raises(InputError, match="needs a lexicon"):
        perturb_record(_pair(), "code-switch", 0.5, seed=0, task="xnli")


def test_word_order_rules():
    rec, stats = perturb_record(_pair(), "word-order", 1.0, seed=0, task="xnli")
    assert sorted(rec.text_a.split()) == sorted(_pair().text_a.split()) and stats["changed"] > 0
    assert rec.text_a.split().index("not") == _pair().text_a.split().index("not")  # negation never moves
    with pytest.raises(InputError, match="PAWS-X"):
        perturb_record(_pair(), "word-order", 0.5, seed=0, task="pawsx")
    span = SpanRecord(id="s", lang="en", context="a b", question="q?", answers=[])
    with pytest.raises(InputError, match="pair and choice"):
        perturb_record(span, "word-order", 0.5, seed=0, task="xquad")


def test_distractor_appends_a_sentence_from_another_context():
    ctx = "The lighthouse was built in 1874."
    rec = SpanRecord(id="s", lang="en", context=ctx, question="When?", answers=[{"text": "1874", "start": 28}])
    out, _ = perturb_record(rec, "distractor", 1.0, seed=0, task="xquad", pool=[ctx, *CONTEXTS])
    assert out.context.startswith(ctx + " ") and len(out.context) > len(ctx)
    assert out.answers == rec.answers and out.context[28:32] == "1874"
    extra = out.context[len(ctx) + 1 :]
    assert any(extra in c for c in CONTEXTS)


def test_retrieval_perturbs_only_the_non_english_side(tmp_path):
    from xprep.perturb.retrieval import perturb_retrieval

    src = tmp_path / "tatoeba"
    src.mkdir()
    de = ["Die Katze schläft auf dem warmen Sofa.", "Morgen fahren wir mit dem Zug nach Berlin."]
    en = ["The cat sleeps on the warm sofa.", "Tomorrow we take the train to Berlin."]
    (src / "tatoeba.deu-eng.deu").write_text("\n".join(de) + "\n")
    (src / "tatoeba.deu-eng.eng").write_text("\n".join(en) + "\n")
    bucc = tmp_path / "bucc"
    bucc.mkdir()
    (bucc / "de-en.test.de").write_text("de-1\tDie Katze schläft auf dem warmen Sofa.\n")
    (bucc / "de-en.test.en").write_text("en-1\tThe cat sleeps on the warm sofa.\n")
    (bucc / "de-en.test.gold").write_text("de-1\ten-1\n")
    man = perturb_retrieval(src, tmp_path / "out", "typos", 1.0, 3)
    out = (tmp_path / "out" / "tatoeba.deu-eng.deu").read_text().splitlines()
    assert len(out) == 2 and out != de and (tmp_path / "out" / "tatoeba.deu-eng.eng").read_text().splitlines() == en
    assert man["computed"]["applied"]["tatoeba.deu-eng.deu"]["rate"] > 0.9
    again = perturb_retrieval(src, tmp_path / "again", "typos", 1.0, 3)  # same seed, same text
    assert (tmp_path / "again" / "tatoeba.deu-eng.deu").read_text().splitlines() == out
    assert again["computed"] == man["computed"]
    perturb_retrieval(bucc, tmp_path / "bucc-out", "casing", 1.0, 0)
    line = (tmp_path / "bucc-out" / "de-en.test.de").read_text().strip()
    assert line.startswith("de-1\t") and line != "de-1\tDie Katze schläft auf dem warmen Sofa."
    assert (tmp_path / "bucc-out" / "de-en.test.en").read_text() == (bucc / "de-en.test.en").read_text()
    assert (tmp_path / "bucc-out" / "de-en.test.gold").read_text() == "de-1\ten-1\n"
    with pytest.raises(InputError, match="does not apply to retrieval"):
        perturb_retrieval(src, tmp_path / "x", "word-order", 0.5, 0)


def test_span_context_in_nfd_keeps_its_answers():
    import unicodedata

    ctx = unicodedata.normalize("NFD", "Hà Nội là thủ đô của Việt Nam, và Hồ Chí Minh là thành phố lớn nhất.")
    texts = [unicodedata.normalize("NFD", t) for t in ("Hà Nội", "Hồ Chí Minh", "Hồ Chí Minh là", "nhất.")]
    answers = [{"text": t, "start": ctx.find(t)} for t in texts]  # the first, overlapping ones, the last
    rec = SpanRecord(id="v", lang="vi", context=ctx, question="?", answers=answers)
    changed = 0
    for seed in range(10):
        out, stats = perturb_record(rec, "typos", 0.8, seed, "xquad", fields=("context",))
        changed += stats["changed"]
        for a, t in zip(out.answers, texts, strict=True):
            assert a["text"] == unicodedata.normalize("NFC", t)  # the record comes out in NFC, answers too
            assert out.context[a["start"] : a["start"] + len(a["text"])] == a["text"]
    assert changed > 0


def test_span_context_cut_inside_a_cluster_and_bad_offsets():
    ctx = "cafe\u0301 noir et the\u0301 vert"  # an answer edge between a letter and its combining accent
    answers = [{"text": "cafe", "start": 0}, {"text": "vert", "start": ctx.index("vert")}]
    rec = SpanRecord(id="c", lang="fr", context=ctx, question="?", answers=answers)
    for seed in range(5):
        out, _ = perturb_record(rec, "typos", 0.9, seed, "xquad", fields=("context",))
        assert [out.context[a["start"] : a["start"] + len(a["text"])] for a in out.answers] == ["cafe", "vert"]
    bad = SpanRecord(id="b", lang="fr", context="abc", question="?", answers=[{"text": "zz", "start": 10}])
    with pytest.raises(InputError, match="answers.0.start"):
        perturb_record(bad, "typos", 0.9, 0, "xquad", fields=("context",))
