"""Projection methods on hand-written parallel examples whose right answer is known."""

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xprep.projection.align import EncoderAligner, grow_diag_final_and, itermax
from xprep.projection.chain import align_texts, project_answer, project_records
from xprep.projection.exact import locate
from xprep.projection.fuzzy import best_match
from xprep.projection.markers import marked_segment, read_markers
from xprep.projection.methods import marker_requests, parse_chain
from xprep.projection.spans import project_span
from xprep.projection.tags import TagPolicy, project_tags, repair_bio
from xprep.projection.words import word_spans, words
from xprep.records import SpanRecord, TaggingRecord

LEXICON = {
    "the": {"die", "der", "das"},
    "cat": {"katze"},
    "sat": {"saß"},
    "on": {"auf"},
    "mat": {"matte"},
    "paris": {"paris"},
    "is": {"ist"},
    "big": {"groß"},
    "i": {"ich"},
    "like": {"mag"},
    "1874": {"1874"},
    "lighthouse": {"leuchtturm"},
    "was": {"wurde"},
    "built": {"gebaut"},
    ".": {".", "。"},
    "cats": {"猫"},
    "love": {"喜欢"},
    "we": {"我们"},
}


@dataclass
class DictAligner:
    """A deterministic aligner for tests: links words that the lexicon says translate each other."""

    name: str = "dict"

    def align(self, pairs):
        out = []
        for src, tgt in pairs:
            links = set()
            for i, s in enumerate(src):
                for j, t in enumerate(tgt):
                    if t.lower() in LEXICON.get(s.lower(), set()):
                        links.add((i, j))
            out.append(links)
        return out


def test_word_units_split_cjk_and_punctuation():
    assert words("The cat (big) sat.") == ["The", "cat", "(", "big", ")", "sat", "."]
    assert words("我们喜欢猫。", unspaced="graphemes") == ["我", "们", "喜", "欢", "猫", "。"]
    assert words("I visited 東京 in 2019", unspaced="graphemes") == ["I", "visited", "東", "京", "in", "2019"]
    assert words("한국어 문장") == ["한국어", "문장"]  # Korean is spaced: words stay whole


@pytest.mark.parametrize(
    ("src", "answer", "tgt", "expected"),
    [
        ("The cat sat on the mat.", "The cat", "Die Katze saß auf der Matte.", "Die Katze"),  # start of context
        ("The cat sat on the mat.", "the mat", "Die Katze saß auf der Matte.", "der Matte"),  # end, no final '.'
        ("The cat sat on the mat.", "mat.", "Die Katze saß auf der Matte.", "Matte."),  # punctuation inside span
        ("Paris is big. I like Paris.", "Paris", "Paris ist groß. Ich mag Paris.", "Paris"),  # repeated answer
        ("We love cats.", "cats", "我们喜欢猫。", "猫"),  # CJK, character units
    ],
)
def test_align_projection(src, answer, tgt, expected):
    start = src.rfind(answer) if answer == "Paris" else src.find(answer)
    (at,) = align_texts([(src, tgt, None, None)], DictAligner())
    out = project_answer(src, start, answer, tgt, ["align"], aligned=at)
    assert tgt[out.start : out.end] == expected
    if answer == "Paris":  # the second occurrence projects onto the second one
        assert out.start == tgt.rfind("Paris")


def test_sentence_level_alignment_uses_the_known_correspondence():
    src, tgt = "The cat sat. Paris is big.", "Die Katze saß. Paris ist groß."
    (at,) = align_texts([(src, tgt, [(0, 12), (13, 26)], [(0, 14), (15, 30)])], DictAligner())
    first_src = {i for i, (a, b) in enumerate(at.src_words) if b <= 12}
    first_tgt = {j for j, (a, b) in enumerate(at.tgt_words) if b <= 14}
    assert at.links and all((i in first_src) == (j in first_tgt) for i, j in at.links)


def test_exact_and_fuzzy():
    ctx = "Paris is big. I like Paris. Paris again."
    assert locate(ctx, "Paris", 0.0) == 0 and locate(ctx, "Paris", 0.5) == 21 and locate(ctx, "paris", 0.9) == 28
    assert locate(ctx, "Rome", 0.5) is None
    # Turkish İ lower-cases to two characters: the case-insensitive hit must still point at the word
    tr = "İİİ İngiltere ve Ankara"
    assert tr[locate(tr, "ANKARA", 0.5) :].startswith("Ankara")
    assert best_match("İstanbul ve Ankara", "ISTANBUL", 99) == (0, 8, 100.0)  # str.lower would score İ as two
    ctx = "Der Leuchtturm wurde 1874 fertiggestellt und ist 38 Meter hoch."
    start, end, score = best_match(ctx, "38 Metern")
    assert ctx[start:end] == "38 Meter" and score > 80
    assert best_match(ctx, "völlig anders") is None


def test_chain_falls_back_and_reports_why():
    src, tgt = "The lighthouse was built in 1874.", "Der Leuchtturm wurde 1874 gebaut."
    # the hint is not in the context and there is no aligner: exact and align fail, fuzzy finds it
    out = project_answer(src, src.find("1874"), "1874", tgt, ["exact", "align", "fuzzy"], hint="1874.")
    assert out.method == "fuzzy" and tgt[out.start : out.end] == "1874"
    assert out.failures == {"exact": "not_found", "align": "no_alignment"}
    out = project_answer(src, 0, "Nothing", tgt, ["exact", "fuzzy"], hint="Xyzzy quux")
    assert out.start is None and set(out.failures) == {"exact", "fuzzy"}
    assert parse_chain("chain") == ("markers", "align", "fuzzy")


def test_project_records_spans_and_tags():
    src = SpanRecord(
        id="q",
        lang="en",
        context="The cat sat on the mat.",
        question="Who sat?",
        answers=[{"text": "The cat", "start": 0}],
    )
    tgt = src.translated(
        {"context": "Die Katze saß auf der Matte.", "question": "Wer?", "answers.0.text": "Kater"}, "de"
    )
    unans = SpanRecord(id="u", lang="en", context="The cat sat.", question="Why?", answers=[])
    tagging = TaggingRecord(id="t", lang="en", tokens=["The", "cat", "sat", "."], tags=["DET", "NOUN", "VERB", "PUNCT"])
    tagged_tgt = tagging.translated({"tokens": "Die Katze saß heute ."}, "de")
    metas = project_records(
        [
            (src, tgt, {"context": [(0, 28)]}, {}),
            (unans, unans.translated({"context": "x", "question": "y"}, "de"), {}, {}),
            (tagging, tagged_tgt, {}, {}),
        ],
        ["exact", "align", "fuzzy"],
        DictAligner(),
    )
    assert metas[0]["status"] == "projected" and metas[0]["method"] == "align"
    assert tgt.answers == [{"text": "Die Katze", "start": 0}]
    assert metas[1] == {"status": "not_needed", "reason": "unanswerable"}
    assert tagged_tgt.tags == ["DET", "NOUN", "VERB", "X", "PUNCT"] and metas[2]["coverage"] == 0.8


def test_hiragana_words_do_not_break_a_span_apart():
    """Unlinked Japanese okurigana and auxiliaries (`下|がっ|た`) inside an answer do not split its links into
    two clusters, as one word of any other script does not; two other unlinked words do."""
    src = "when taxes fell"
    sw = word_spans(src)
    tgt = "税金が下がったとき"
    tw = word_spans(tgt)
    assert [tgt[a:b] for a, b in tw] == ["税金", "が", "下", "がっ", "た", "とき"]
    links = {(1, 0), (2, 2), (0, 5)}  # taxes, fell, when
    assert project_span(sw, tw, links, 0, len(src), tgt, src) == (0, len(tgt))
    other = "税金は東京大阪とき"  # two unlinked kanji words in the same place
    ow = word_spans(other)
    assert [other[a:b] for a, b in ow] == ["税金", "は", "東京", "大阪", "とき"]
    span = project_span(sw, ow, {(1, 0), (0, 4)}, 0, len(src), other, src)
    assert span is not None and other[slice(*span)] in {"税金", "とき"}
    # two hiragana words count as one other word: a clause of them is no bridge (`とても|きれい|な|...`)
    far = "東京はとてもきれいなところですがそれはまたいつかのことでした。タワー"
    fw = word_spans(far)
    span = project_span(word_spans("Tokyo tower"), fw, {(0, 0), (1, len(fw) - 1)}, 0, 11, far, "Tokyo tower")
    assert span is not None and far[slice(*span)] in {"東京", "タワー"}


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("ab c.,我猫")), min_size=1, max_size=40),
    st.text(alphabet=st.sampled_from(list("xy z.,们")), min_size=1, max_size=40),
    st.sets(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=20),
    st.integers(0, 39),
    st.integers(1, 10),
)
def test_span_invariant_property(src, tgt, links, start, length):
    sw, tw = word_spans(src), word_spans(tgt)
    links = {(i, j) for i, j in links if i < len(sw) and j < len(tw)}
    start = min(start, len(src) - 1)
    end = min(len(src), start + length)
    span = project_span(sw, tw, links, start, end, tgt, src)
    if span is not None:
        a, b = span
        assert 0 <= a < b <= len(tgt)
        text = tgt[a:b]
        rec = SpanRecord(id="p", lang="xx", context=tgt, question="q", answers=[{"text": text, "start": a}])
        rec.validate()
        assert text == text.strip() and text


@pytest.mark.parametrize(
    ("fwd", "rev", "expected"),
    [
        ({(0, 0), (1, 1)}, {(0, 0), (1, 1)}, {(0, 0), (1, 1)}),
        ({(0, 0), (1, 1), (1, 2)}, {(0, 0), (1, 1)}, {(0, 0), (1, 1), (1, 2)}),  # grown along the diagonal
        ({(0, 0)}, {(0, 0), (2, 2)}, {(0, 0), (2, 2)}),  # final-and: both words were unaligned
        ({(0, 0), (0, 2)}, {(0, 0)}, {(0, 0)}),  # (0,2) is no neighbour and source word 0 is taken
    ],
)
def test_grow_diag_final_and(fwd, rev, expected):
    assert grow_diag_final_and(fwd, rev, 3, 3) == expected


def test_itermax_and_argmax():
    import torch

    sim = torch.tensor([[0.9, 0.1, 0.0], [0.8, 0.2, 0.1], [0.0, 0.1, 0.7]])
    assert itermax(sim, iterations=1) == {(0, 0), (2, 2)}
    assert itermax(sim, iterations=2) == {(0, 0), (2, 2), (1, 1)}


def test_tag_policies_and_bio_repair():
    links = {(0, 0), (1, 1), (2, 1)}
    tags, cov = project_tags(["DET", "NOUN", "PUNCT"], 3, links)
    assert tags == ["DET", "NOUN", "X"] and cov == pytest.approx(2 / 3)
    tags, _ = project_tags(["DET", "NOUN", "PUNCT"], 3, links, TagPolicy(unaligned="neighbour"))
    assert tags == ["DET", "NOUN", "NOUN"]
    assert repair_bio(["O", "I-PER", "I-PER", "B-LOC", "I-ORG"]) == ["O", "B-PER", "I-PER", "B-LOC", "B-ORG"]
    ner, _ = project_tags(["B-PER", "I-PER"], 3, {(1, 1)}, TagPolicy(fallback_tag="O", bio=True))
    assert ner == ["O", "B-PER", "O"]


def test_encoder_aligner_on_a_tiny_xlmr(tiny_xlmr):
    aligner = EncoderAligner(str(tiny_xlmr), layer=2)
    links = aligner.align([(["The", "cat", "sat", "."], ["The", "cat", "sat", "."]), (["A", "b"], [])])
    assert links[1] == set()
    assert links[0] == {(0, 0), (1, 1), (2, 2), (3, 3)}, "identical sentences align to themselves"


@pytest.mark.parametrize(
    ("translated", "expected"),
    [
        ("Die [Katze] saß.", ("Katze", None)),
        ("Die Katze saß.", (None, "markers_lost")),
        ("Die [Katze saß.", (None, "markers_unbalanced")),
        ("Die [Katze] [saß].", (None, "markers_duplicated")),
        ("Die ]Katze[ saß.", (None, "markers_reordered")),
        ("Die [ ] Katze.", (None, "markers_empty")),
    ],
)
def test_read_markers(translated, expected):
    assert read_markers(translated) == expected


def test_marked_segment_marks_only_the_answer_sentence():
    ctx = "The cat sat. Paris is big. I like it."
    assert marked_segment(ctx, ctx.find("Paris"), ctx.find("Paris") + 5) == ("[Paris] is big.", 1, 1)
    span = ctx.find("sat. Paris")
    assert marked_segment(ctx, span, span + 10) == ("The cat [sat. Paris] is big.", 0, 1)
    assert marked_segment("A [note] here.", 0, 1) is None  # marker characters already in the text


def test_markers_method_in_records_and_its_failures():
    src = SpanRecord(
        id="q",
        lang="en",
        context="The cat sat. Paris is big.",
        question="Where?",
        answers=[{"text": "Paris", "start": 13}],
    )
    assert marker_requests(src) == [("markers.0", "[Paris] is big.")]
    tgt = src.translated({"context": "Die Katze saß. Paris ist groß.", "question": "Wo?", "answers.0.text": "X"}, "de")
    offsets = {"context": [(0, 14), (15, 30)]}
    (meta,) = project_records([(src, tgt, offsets, {"markers.0": "[Paris] ist groß."})], ["markers"], None)
    assert meta["method"] == "markers" and tgt.answers == [{"text": "Paris", "start": 15}]
    tgt2 = src.translated({"context": "Die Katze saß. Paris ist groß.", "question": "Wo?", "answers.0.text": "X"}, "de")
    (meta2,) = project_records([(src, tgt2, offsets, {"markers.0": "Paris ist groß."})], ["markers"], None)
    assert meta2["status"] == "failed" and meta2["failures"] == {"markers": "markers_lost"}
    out = project_answer(src.context, 13, "Paris", tgt.context, ["markers"])  # gold scoring: no MT
    assert out.start is None and out.failures == {"markers": "needs_mt"}
    # the plain translation is searched case-insensitively with offsets kept (Turkish İ before the answer)
    tr_ctx = "İİ kedi oturdu. İİ İstanbul ve Ankara büyük."
    tgt3 = src.translated({"context": tr_ctx, "question": "Nerede?", "answers.0.text": "X"}, "tr")
    marked = {"markers.0": "İİ İstanbul ve [ANKARA] büyük."}
    (meta3,) = project_records([(src, tgt3, {"context": [(0, 15), (16, len(tr_ctx))]}, marked)], ["markers"], None)
    assert meta3["method"] == "markers" and tgt3.answers == [{"text": "Ankara", "start": tr_ctx.index("Ankara")}]


def test_encoder_alignment_helpers():
    import torch

    from xprep.projection.align import _rebuild, _share_pieces, grow_neighbours

    # characters of unspaced scripts join without spaces; other units get one space
    text, spans = _rebuild(["Die", "Stadt", "鹿", "特", "丹", "."])
    assert text == "Die Stadt 鹿特丹 ." and [text[a:b] for a, b in spans] == ["Die", "Stadt", "鹿", "特", "丹", "."]
    # an unaligned neighbour whose best source word is the linked one joins it (one-to-many)
    sim = torch.tensor([[0.9, 0.8, 0.7, 0.1], [0.1, 0.2, 0.3, 0.9]])
    assert grow_neighbours({(0, 0), (1, 3)}, sim) == {(0, 0), (0, 1), (0, 2), (1, 3)}
    # words read as one subword piece share the link
    assert _share_pieces({(0, 1)}, [], [[1, 2]]) == {(0, 1), (0, 2)}


def test_sentences_pair_up_when_a_translator_splits_one():
    from xprep.mt.segment import align_sentences

    en = "The bridge was closed after the storm, and the town built a tunnel instead. It cost a lot."
    de = "Die Brücke wurde nach dem Sturm gesperrt. Stattdessen baute die Stadt einen Tunnel. Er war teuer."
    src = [(0, 75), (76, len(en))]
    tgt = [(0, 41), (42, 83), (84, len(de))]
    s, t = align_sentences(src, tgt)
    assert [en[a:b] for a, b in s] == [en[:75], "It cost a lot."]
    assert [de[a:b] for a, b in t] == [de[:83], de[84:]]  # the first two German sentences go together
    assert align_sentences([(0, 10)], []) == ([], [])


@dataclass
class CountingAligner(DictAligner):
    """DictAligner that remembers every batch of pairs it was asked to align."""

    calls: list = None  # type: ignore[assignment]
    learns_from_corpus: bool = False

    def align(self, pairs):
        self.calls = [*(self.calls or []), list(pairs)]
        return super().align(pairs)


def _question(qid, answer, start):
    context = "Paris is big. I like Paris."
    src = SpanRecord(id=qid, lang="en", context=context, question="q?", answers=[{"text": answer, "start": start}])
    tgt = src.translated({"context": "Paris ist groß. Ich mag Paris.", "question": "f?", "answers.0.text": "x"}, "de")
    return src, tgt, {"context": [(0, 15), (16, 30)]}


@pytest.mark.parametrize("corpus", [False, True])
def test_chain_aligns_only_what_markers_miss_once_per_context(corpus):
    s1, t1, o1 = _question("a", "Paris", 0)  # markers find it
    s2, t2, o2 = _question("b", "big", 9)  # markers lost: needs alignment
    s3, t3, o3 = _question("c", "Paris", 21)  # markers lost too, same context and translation as "b"
    aligner = CountingAligner(learns_from_corpus=corpus)
    pairs = [
        (s1, t1, o1, {"markers.0": "[Paris] ist groß."}),
        (s2, t2, o2, {"markers.0": "Paris ist groß."}),
        (s3, t3, o3, {"markers.0": "Ich mag Paris."}),
    ]
    metas = project_records(pairs, ["markers", "align", "fuzzy"], aligner)
    assert [m["method"] for m in metas] == ["markers", "align", "align"]
    assert [t.answers for t in (t1, t2, t3)] == [
        [{"text": "Paris", "start": 0}],
        [{"text": "groß", "start": 10}],
        [{"text": "Paris", "start": 24}],
    ]
    (batch,) = aligner.calls  # one aligner call; the shared context once (two sentence pairs)
    assert len(batch) == 2
    metas_all_markers = project_records(pairs[:1], ["markers", "align", "fuzzy"], aligner)
    assert metas_all_markers[0]["method"] == "markers"
    assert len(aligner.calls) == (2 if corpus else 1)  # markers sufficed: no alignment unless eflomal-like


def test_alignment_cache_keys_on_the_resolved_layer(tiny_xlmr):
    from xprep.projection.align import EncoderAligner
    from xprep.projection.cache import identity

    default = EncoderAligner(str(tiny_xlmr))
    depth = default.resolved_layer()  # read from the config, no model loaded
    assert "model" not in default._state and depth >= 1
    assert identity(default) == identity(EncoderAligner(str(tiny_xlmr), layer=depth))
    assert identity(default) != identity(EncoderAligner(str(tiny_xlmr), layer=depth + 1))
    assert '"algorithm"' in identity(default)


def test_alignment_cache_reads_what_it_aligned_before(tmp_path):
    from xprep.projection.cache import CachedAligner

    pairs = [(["the", "cat"], ["die", "katze"]), (["paris"], ["paris"])]
    inner = CountingAligner()
    first = CachedAligner(inner, tmp_path / "a.sqlite").align(pairs)
    warm = CachedAligner(inner, tmp_path / "a.sqlite")
    again = warm.align([*pairs, (["i"], ["ich"])])
    assert again[:2] == first == DictAligner().align(pairs)
    assert (warm.hits, warm.misses) == (2, 1) and [len(c) for c in inner.calls] == [2, 1]


def test_tokenize_units_blanks_only_a_real_lone_boundary_piece(tmp_path):
    """A WordPiece vocabulary has no ``▁``: its unknown-token id must not be taken for one."""
    from transformers import BertTokenizerFast

    from xprep.projection.align import tokenize_units

    vocab = tmp_path / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "cat", "##s"]) + "\n", encoding="utf-8")
    tok = BertTokenizerFast(vocab_file=str(vocab))
    text = "the cats ▁ dog"
    assert tok.convert_tokens_to_ids("▁") == tok.unk_token_id
    enc, offsets = tokenize_units(tok, [(text, [])], 32)
    own = [list(o) for o in tok(text, return_offsets_mapping=True)["offset_mapping"]]
    assert offsets[0] == own and [9, 10] in own  # the unknown pieces keep their offsets, "▁" included
