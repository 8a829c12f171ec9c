"""No subword piece shared by two word units (xprep.projection.pieces), on a unigram tokenizer trained here."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.projection.helpers import piece_owners
from xprep.projection.align import _rebuild, tokenize_units

TEXTS = ["图书馆三月重新开放。", "这座图书馆很大。", "图书馆里有儿童阅览室。"] * 30
TEXTS += ["The library reopened in March."] * 10


@pytest.fixture(scope="module")
def tok(tmp_path_factory: pytest.TempPathFactory):
    from xprep.mt.tiny import xlmr_tokenizer

    return xlmr_tokenizer(TEXTS, Path(tmp_path_factory.mktemp("spm")), vocab_size=60)


def test_a_piece_across_two_units_is_read_part_by_part(tok):
    assert "▁图书馆" in tok.tokenize("图书馆三月")  # the natural reading: one piece over 图书|馆
    text, spans = _rebuild(["图书", "馆", "三月"])
    enc, offsets = tokenize_units(tok, [(text, spans)], 64)
    owners = piece_owners(offsets[0], spans)
    assert all(len(words) == 1 for words in owners.values())  # every piece belongs to one unit
    assert {k for words in owners.values() for k in words} == {0, 1, 2}  # and every unit has a piece
    pieces = tok.convert_ids_to_tokens(enc["input_ids"][0].tolist())
    assert "".join(p for p in pieces if p not in ("<s>", "</s>")).replace("▁", "") == text  # no space added
    assert int(enc["attention_mask"][0].sum()) == len(pieces)


def test_texts_whose_pieces_fit_their_units_are_read_as_before(tok):
    units = [_rebuild(["图书馆", "三月"]), _rebuild(["The", "library", "reopened"])]
    natural = tok([t for t, _ in units], return_tensors="pt", padding=True, return_offsets_mapping=True)
    enc, offsets = tokenize_units(tok, units, 64)
    assert enc["input_ids"].tolist() == natural["input_ids"].tolist()


def test_a_batch_with_one_split_row_is_padded_again_and_cut_to_the_limit(tok):
    units = [_rebuild(["图书", "馆"] * 20), _rebuild(["The", "library"])]
    enc, offsets = tokenize_units(tok, units, 16)
    assert enc["input_ids"].shape[1] <= 16 and len(offsets[0]) == enc["input_ids"].shape[1]
    assert all(len(words) == 1 for words in piece_owners(offsets[0], units[0][1]).values())  # the row was split
    assert tok.convert_ids_to_tokens(enc["input_ids"][0].tolist())[-1] == "</s>"  # the closing token kept
    short = int(enc["attention_mask"][1].sum())
    assert enc["input_ids"][1, short:].eq(tok.pad_token_id).all() and all(o == [0, 0] for o in offsets[1][short:])


def test_windows_are_planned_on_the_pieces_the_encoder_reads(tok):
    from xprep.projection.windows import piece_counts

    text, spans = _rebuild(["图书", "馆", "三月"])
    enc, _ = tokenize_units(tok, [(text, spans)], 64)
    read = int(enc["attention_mask"][0].sum()) - 2  # without <s> and </s>
    assert sum(piece_counts(tok, [(text, spans)])[0]) == read
