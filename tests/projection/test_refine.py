"""Corpus refinement of projected tags: script rules, the type dictionary, the encoder probe, and the policy."""

from __future__ import annotations

import pytest
import torch

from xprep.errors import InputError
from xprep.projection.refine import probe_refine, rule_tag, type_refine
from xprep.projection.tags import TagItem, TagPolicy, direct_tags, project_corpus, refine_mode

from ..conftest import SHARED_DATA


@pytest.mark.parametrize(
    ("word", "tag"),
    [
        (".", "PUNCT"),
        ("«", "PUNCT"),
        ("।", "PUNCT"),  # Devanagari danda
        ("、", "PUNCT"),
        ("؟", "PUNCT"),  # Arabic question mark
        ("$", "SYM"),
        ("+", "SYM"),
        ("1990", "NUM"),
        ("12,5", "NUM"),
        ("٢٠٢٠", "NUM"),  # Arabic-Indic digits
        ("१२", "NUM"),  # Devanagari digits
        ("a1", None),
        ("Katze", None),
        ("नमस्ते", None),
        ("", None),
    ],
)
def test_rule_tags_by_unicode_category(word, tag):
    assert rule_tag(word) == tag


def test_direct_tags_many_to_one_takes_the_head():
    # "special assistant" -> one German compound: the English noun phrase's head (rightmost) wins
    assert direct_tags(["ADJ", "NOUN"], 1, {(0, 0), (1, 0)}) == ["NOUN"]
    assert direct_tags(["NOUN", "PUNCT"], 1, {(0, 0), (1, 0)}) == ["NOUN"]  # content over punctuation
    assert direct_tags(["B-PER", "I-PER"], 1, {(0, 0), (1, 0)}, bio=True) == ["B-PER"]  # BIO: a name begins
    assert direct_tags(["DET"], 2, {(0, 1)}) == [None, "DET"]


def test_type_dictionary_fills_and_corrects():
    words = [["der", "Hund", "."], ["der", "Tag"], ["der", "Mann"], ["Der", "Hund"]]
    tags = [["DET", "NOUN", None], ["ADP", "NOUN"], ["DET", "NOUN"], [None, None]]
    out = type_refine(words, tags, rules=True)
    assert out[0] == ["DET", "NOUN", "PUNCT"]  # rule for "."
    assert out[1][0] == "DET"  # one ADP against two DET votes: the form's majority
    assert out[3] == ["DET", "NOUN"]  # unaligned words take their (lower-cased) form's majority
    assert type_refine([["x"]], [[None]], rules=True) == [[None]]  # no evidence: still untagged
    assert type_refine([["."]], [[None]], rules=False) == [[None]]  # rules only for UPOS


def _clusters(n: int, centre: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    return centre + 0.05 * torch.randn(n, centre.shape[0], generator=gen)


def test_probe_corrects_what_the_vectors_contradict():
    gen = torch.Generator().manual_seed(1)
    noun, verb = torch.eye(8)[0], torch.eye(8)[1]
    src_vecs = [torch.cat([_clusters(1, noun, gen), _clusters(1, verb, gen)]) for _ in range(20)]
    src_tags = [["NOUN", "VERB"]] * 20
    tgt_vecs = [torch.cat([_clusters(1, noun, gen), _clusters(1, verb, gen)]) for _ in range(20)]
    refined: list[list[str | None]] = [["NOUN", "VERB"] for _ in range(20)]
    refined[3] = ["VERB", "VERB"]  # a projection error the vectors contradict
    refined[4] = [None, "VERB"]  # untagged: the probe tags it
    locked = [[False, False] for _ in range(20)]
    locked[5] = [True, False]
    refined[5] = ["PUNCT", "VERB"]  # a rule's tag is never overridden
    out = probe_refine(src_vecs, src_tags, tgt_vecs, refined, locked)
    assert out[3] == ["NOUN", "VERB"] and out[4] == ["NOUN", "VERB"] and out[5] == ["PUNCT", "VERB"]
    assert out == probe_refine(src_vecs, src_tags, tgt_vecs, refined, locked), "seeded: the same probe"


def test_policy_resolution_and_coverage():
    items = [TagItem(["the", "dog", "."], ["DET", "NOUN", "PUNCT"], ["der", "Hund", "heute", "."], {(0, 0), (1, 1)})]
    assert refine_mode(TagPolicy(), None) == "types"
    assert refine_mode(TagPolicy(), lambda s: []) == "probe"
    assert refine_mode(TagPolicy(bio=True), lambda s: []) == "none"
    with pytest.raises(InputError, match="word vectors"):
        refine_mode(TagPolicy(refine="probe"), None)
    ((tags, cov),) = project_corpus(items, TagPolicy())
    assert tags == ["DET", "NOUN", "X", "PUNCT"] and cov == 0.75  # "." by rule counts as covered
    ((tags, cov),) = project_corpus(items, TagPolicy(refine="none"))
    assert tags == ["DET", "NOUN", "X", "X"] and cov == 0.5


PUD = SHARED_DATA / "ud-pud"


@pytest.mark.slow
@pytest.mark.skipif(not (PUD / "de_pud-ud-test.conllu").is_file(), reason="../shared/data/ud-pud is absent")
def test_refinement_pays_on_real_parallel_ud(e5):
    """English UPOS onto German PUD with the real multilingual-e5-small: each refinement adds accuracy."""
    from xprep.projection.align import EncoderAligner
    from xprep.projection.score import score_tags

    aligner = EncoderAligner(str(e5))
    src, tgt = PUD / "en_pud-ud-test.conllu", PUD / "de_pud-ud-test.conllu"
    rows = {r: score_tags(src, tgt, aligner, TagPolicy(refine=r), limit=200) for r in ("none", "types", "probe")}
    assert rows["probe"]["refine"] == "probe" and rows["none"]["aligned"] == rows["probe"]["aligned"]
    # measured on these 200 sentences: see docs/projection.md; the margins are far above noise
    assert rows["types"]["accuracy"] > rows["none"]["accuracy"] + 5
    assert rows["probe"]["accuracy"] > rows["types"]["accuracy"]
    assert rows["types"]["coverage"] > rows["none"]["coverage"] + 5


def test_probe_without_an_encoder_is_one_line_before_any_work(tmp_path):
    from click.testing import CliRunner

    from xprep.cli import main
    from xprep.mt.engine import DecodingSettings
    from xprep.pipeline import TranslateJob
    from xprep.tasks import TASKS, sample_path

    conllu = tmp_path / "a.conllu"
    conllu.write_text("# sent_id = 1\n1\tHi\thi\tINTJ\t_\t_\t0\troot\t_\t_\n\n", encoding="utf-8")
    args = ["projection", "score", "--source", str(conllu), "--target", str(conllu)]
    res = CliRunner().invoke(main, [*args, "--aligner", "eflomal", "--tag-refine", "probe"])
    assert res.exit_code == 2 and "--tag-refine probe reads the encoder" in res.output
    job = TranslateJob(
        task="ccg",
        langs=["es"],
        model="apertium",
        out=tmp_path / "out",
        source=sample_path(TASKS.get("ccg")),
        decoding=DecodingSettings(beam_size=1),
        aligner="eflomal",
        tag_policy=TagPolicy(refine="probe"),
    )
    with pytest.raises(InputError, match="--tag-refine probe"):
        job.with_resolved_aligner()


def test_a_chunk_of_tagging_records_is_refined_together():
    """In a build the chunk's tagging records are projected as one corpus: a form's votes cross records."""
    from tests.projection.test_projection import DictAligner
    from xprep.projection.chain import project_records
    from xprep.records import TaggingRecord

    class VectorAligner(DictAligner):
        def embed_words(self, sentences):
            return [torch.stack([torch.eye(4)[len(w) % 4] for w in s]) if s else torch.zeros(0, 4) for s in sentences]

    pairs = []
    for k, (en, de) in enumerate([("the cat .", "die Katze ."), ("the cat sat", "die Katze saß"), ("cat", "die")]):
        src = TaggingRecord(id=f"t{k}", lang="en", tokens=en.split(), tags=["DET", "NOUN", "VERB"][: len(en.split())])
        if en == "the cat .":
            src.tags = ["DET", "NOUN", "PUNCT"]
        pairs.append((src, src.translated({"tokens": de}, "de"), {}, {}))
    metas = project_records(pairs, ["align"], DictAligner())
    assert [m["refine"] for m in metas] == ["types"] * 3
    assert pairs[2][1].tags == ["DET"]  # "die" aligns to nothing in the third record: its form's majority
    metas = project_records(pairs, ["align"], VectorAligner())
    assert {m["refine"] for m in metas} == {"probe"} and all(m["status"] == "projected" for m in metas)
