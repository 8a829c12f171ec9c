"""Word similarities beside the links: storage, the cache, and the span edges they move."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from xprep.projection.bitext import align_texts
from xprep.projection.cache import CachedAligner
from xprep.projection.evidence import SCALE, Similarities, from_blob, quantise, to_blob
from xprep.projection.spans import EDGE_MARGIN, move_edges, project_span
from xprep.text import word_spans


def test_similarities_survive_the_bytes_the_cache_stores():
    sim = np.array([[1.0, -0.5, 0.2], [0.0, 0.999, -1.0]], dtype=np.float32)
    matrix = quantise(sim)
    assert matrix.dtype == np.int8 and matrix.tolist() == [[127, -64, 25], [0, 127, -127]]
    assert np.array_equal(from_blob(to_blob(matrix), 2, 3), matrix)
    assert from_blob(to_blob(matrix), 3, 3) is None  # a stored entry that does not fit its pair is not read
    assert from_blob(to_blob(None), 2, 3) is None


def test_preference_compares_the_span_with_the_rest_of_the_sentence():
    sims = Similarities()
    # source words 10, 11, 12 (one sentence); target words 5, 6
    sims.add([10, 11, 12], [5, 6], quantise(np.array([[0.2, 0.1], [0.6, 0.3], [0.4, 0.7]])))
    assert sims.preference(5, {11}) == pytest.approx(0.6 - 0.4, abs=1 / SCALE)
    assert sims.preference(6, {11}) == pytest.approx(0.3 - 0.7, abs=1 / SCALE)
    assert sims.preference(6, {10, 11, 12}) is None  # the span is the whole sentence: nothing to compare with
    assert sims.preference(5, {99}) == pytest.approx(-1 - 0.6, abs=1 / SCALE)  # the span is in another sentence
    assert sims.preference(7, {11}) is None and not Similarities()


def _text(words):
    text = " ".join(words)
    return text, word_spans(text)


def test_edges_grow_over_clear_neighbours_and_shrink_past_clear_strangers():
    text, spans = _text(["xây", "một", "đường", "hầm", ",", "tải", "biển"])
    scores = {0: -0.3, 1: 0.0, 2: 0.2, 3: 0.2, 4: 0.9, 5: 0.9, 6: 0.9}
    assert move_edges(1, 2, len(spans), scores.get, text, spans) == (1, 3)  # `hầm` joins; `,` stops the growth
    scores = {0: 0.01, 1: -0.2, 2: 0.0, 3: -EDGE_MARGIN / 2}
    assert move_edges(1, 3, len(spans), scores.get, text, spans) == (2, 3)  # within the margin: stays
    assert move_edges(1, 1, len(spans), scores.get, text, spans) == (1, 1)  # one word always stays
    assert move_edges(1, 2, len(spans), lambda j: None, text, spans) == (1, 2)  # no similarities: unchanged
    # a wrong edge word goes first, so a like word beyond it is not grown over (Chinese 霉菌|杀死了|他...)
    scores = {0: 0.2, 1: -0.4, 2: 0.3, 3: 0.3}
    assert move_edges(1, 3, len(spans), scores.get, text, spans) == (2, 3)


def test_project_span_reads_the_similarities_at_its_edges():
    src, tgt = "build a tunnel under the river", "xây một đường hầm dưới lòng sông"
    sw, tw = word_spans(src), word_spans(tgt)
    links = {(0, 0), (1, 1), (2, 2), (3, 4), (4, 5), (5, 6)}  # `hầm` (3) unlinked
    start, end = src.index("a tunnel"), src.index("a tunnel") + len("a tunnel")
    assert tgt[slice(*project_span(sw, tw, links, start, end, tgt, src))] == "một đường"
    sims = Similarities()
    sim = np.full((6, 7), 0.1)
    sim[2, 3] = 0.5  # `hầm` is most like `tunnel`
    sims.add(range(6), range(7), quantise(sim))
    span = project_span(sw, tw, links, start, end, tgt, src, prefer=sims.preference)
    assert tgt[slice(*span)] == "một đường hầm"


@dataclass
class ScoredAligner:
    """Links on the diagonal and a similarity matrix that says so; counts the pairs it aligned."""

    name: str = "scored"
    seen: list = field(default_factory=list)

    def align(self, pairs):
        return [links for links, _ in self.align_scored(pairs)]

    def align_scored(self, pairs):
        self.seen.extend(pairs)
        out = []
        for s, t in pairs:
            sim = np.array([[0.9 if i == j else 0.1 for j in range(len(t))] for i in range(len(s))])
            out.append(({(i, i) for i in range(min(len(s), len(t)))}, quantise(sim) if len(s) and len(t) else None))
        return out


def test_cache_keeps_similarities_so_a_warm_run_decides_as_a_cold_one(tmp_path):
    items = [("a b c.", "x y z.", None, None), ("d e.", "u v.", None, None)]
    inner = ScoredAligner()
    cold = align_texts(items, CachedAligner(inner, tmp_path / "a.sqlite"))
    warm_cache = CachedAligner(inner, tmp_path / "a.sqlite")
    warm = align_texts(items, warm_cache)
    assert (warm_cache.hits, warm_cache.misses, len(inner.seen)) == (2, 0, 2)
    for c, w in zip(cold, warm, strict=True):
        assert c.links == w.links and bool(w.similarities)
        for j in range(len(w.tgt_words)):
            assert c.similarities.preference(j, {0}) == w.similarities.preference(j, {0})


def test_cache_aligns_again_an_entry_whose_similarities_do_not_fit(tmp_path):
    path = tmp_path / "a.sqlite"
    pairs = [(["a", "b"], ["x", "y"])]
    inner = ScoredAligner()
    cache = CachedAligner(inner, path)
    first = cache.align(pairs)  # stored with its matrix
    with cache._conn() as db:
        db.execute("UPDATE alignments SET scores = ?", (b"\x01",))  # damaged: one byte for a 2 x 2 pair
    again = CachedAligner(inner, path).align_scored(pairs)
    assert len(inner.seen) == 2 and again[0][0] == first[0] and again[0][1].shape == (2, 2)


def test_cache_reads_links_without_similarities_as_they_were_given(tmp_path):
    from tests.projection.test_projection import CountingAligner

    pairs = [(["the", "cat"], ["die", "katze"]), ([], ["x"])]
    inner = CountingAligner()
    CachedAligner(inner, tmp_path / "a.sqlite").align(pairs)
    warm = CachedAligner(inner, tmp_path / "a.sqlite")
    assert warm.align_scored(pairs) == [({(0, 0), (1, 1)}, None), (set(), None)]
    assert (warm.hits, warm.misses, len(inner.calls)) == (2, 0, 1)


def test_similarities_follow_sentences_to_global_word_indices(tmp_path):
    src, tgt = "a b. c d e.", "x y. z w v."
    (at,) = align_texts([(src, tgt, [(0, 4), (5, 11)], [(0, 4), (5, 11)])], ScoredAligner())
    words = [tgt[slice(*w)] for w in at.tgt_words]
    assert words == ["x", "y", ".", "z", "w", "v", "."]
    c = [src[slice(*w)] for w in at.src_words].index("c")
    # `w` (the second word of the second sentence) is most like `d`, on the diagonal of its own pair
    assert at.similarities.preference(words.index("w"), {c + 1}) == pytest.approx(0.9 - 0.1, abs=1 / SCALE)
    assert at.similarities.preference(words.index("w"), {0}) == pytest.approx(-1 - 0.9, abs=1 / SCALE)  # other sentence


def test_encoder_returns_its_similarities_with_its_links(tiny_xlmr):
    from xprep.projection.align import EncoderAligner

    aligner = EncoderAligner(str(tiny_xlmr))
    pairs = [(["the", "cat", "sat"], ["die", "Katze"]), ([], ["x"])]
    scored = aligner.align_scored(pairs)
    assert [links for links, _ in scored] == aligner.align(pairs)
    assert scored[0][1].shape == (3, 2) and scored[0][1].dtype == np.int8 and scored[1] == (set(), None)
