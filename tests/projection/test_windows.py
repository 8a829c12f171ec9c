"""Long sentences are read in windows: every word gets a vector and a link, short ones are read as before."""

import random

import pytest
import torch

from xprep.projection.align import EncoderAligner
from xprep.projection.windows import Window, plan_windows, stitch


@pytest.mark.parametrize("seed", range(20))
def test_cores_cover_every_word_once_and_windows_fit_the_budget(seed):
    rng = random.Random(seed)
    budget = rng.randint(8, 40)
    pieces = [[rng.randint(1, 6) for _ in range(rng.randint(1, 60))] for _ in range(3)]
    windows = plan_windows(pieces, budget)
    for s, counts in enumerate(pieces):
        mine = [w for w in windows if w.sentence == s]
        assert [k for w in mine for k in range(w.core_lo, w.core_hi)] == list(range(len(counts)))
        for w in mine:
            assert w.lo <= w.core_lo < w.core_hi <= w.hi
            assert sum(counts[w.lo : w.hi]) <= budget or w.hi - w.lo == 1
        if sum(counts) <= budget:
            assert mine == [Window(s, 0, len(counts), 0, len(counts))]


def test_a_word_longer_than_the_budget_is_a_window_of_its_own():
    assert plan_windows([[3, 50, 3]], 10) == [Window(0, 0, 1, 0, 1), Window(0, 1, 2, 1, 2), Window(0, 2, 3, 2, 3)]


def test_stitch_keeps_core_rows_and_the_groups_inside_a_core():
    windows = [Window(0, 0, 3, 0, 2), Window(0, 1, 4, 2, 4)]
    first = torch.arange(3.0).unsqueeze(1)  # rows for words 0, 1, 2
    second = torch.arange(10.0, 13.0).unsqueeze(1)  # rows for words 1, 2, 3
    (vectors, groups), = stitch(windows, [(first, [[0, 1], [1, 2]]), (second, [[0, 1], [1, 2]])], 1)
    assert vectors.squeeze(1).tolist() == [0.0, 1.0, 11.0, 12.0]
    # each group once, from the window whose core holds its first word: [1, 2] crosses the cores' edge
    assert groups == [[0, 1], [1, 2], [2, 3]]


def test_piece_counts_read_the_tokenizer(tiny_xlmr):
    from transformers import AutoTokenizer

    from xprep.projection.align import _rebuild
    from xprep.projection.windows import piece_counts

    tok = AutoTokenizer.from_pretrained(tiny_xlmr)
    units = [_rebuild(["The", "cat", "sat", "."]), _rebuild(["ﷺ"] * 5), _rebuild(["猫", "が", "いる"])]
    counts = piece_counts(tok, units)
    for (text, spans), mine in zip(units, counts, strict=True):
        assert len(mine) == len(spans) and all(c >= 1 for c in mine)
        assert sum(mine) >= len(tok(text, add_special_tokens=False)["input_ids"])  # a shared piece counts twice


def test_every_word_of_a_sentence_longer_than_the_encoder_reads_is_linked(tiny_xlmr):
    """The tiny encoder reads 256 pieces: a sentence of 400 words aligned with itself. Before windows, the
    words after the cut had no vector and no link."""
    rng = random.Random(0)
    words = [rng.choice(["the", "cat", "sat", "on", "a", "mat", "dog", "ran"]) + str(k % 10) for k in range(400)]
    links = EncoderAligner(str(tiny_xlmr), layer=2).align([(words, words)])[0]
    assert {i for i, _ in links} == set(range(400)) and {j for _, j in links} == set(range(400))
    assert sum(i == j for i, j in links) / len(links) > 0.9
