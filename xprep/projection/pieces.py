"""No subword piece shared by two word units: a piece that crosses a unit edge is read part by part.

The encoder aligner reads natural text (unspaced scripts glued, as the encoder saw them in training), so
XLM-R's SentencePiece writes some pieces across the edge of two units: `สําหรับเด็ก` ("for children") is one
piece over the two Thai words `สำหรับ|เด็ก`, and 27.10% of Thai PUD's tokens share a piece with a neighbour
(Hindi's and German's none). Two such units get the same vector, so the same links and the same tag, and no
edge rule can tell them apart. Here each such piece is replaced by the pieces of its parts, cut at the unit
edges it crosses, each part tokenized by the same SentencePiece model as a continuation (no word-boundary
mark is added, so no space enters the text); a piece that began with the word-boundary mark keeps it on its
first part. Every other piece, and so every text whose pieces all sit inside units, is read as before; a
tokenizer that is not SentencePiece's unigram model (WordPiece marks continuations its own way) is left as it is.
Measured in docs/projection.md ("Pieces across units").
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

Spans = Sequence[tuple[int, int]]


def _glued_edges(spans: Spans) -> list[int]:
    """The unit edges with no character between the two units (only those can be crossed by a piece), in order."""
    return [spans[k][0] for k in range(1, len(spans)) if spans[k][0] == spans[k - 1][1]]


def _part_pieces(tok: Any, text: str, mark: bool) -> list[int]:
    """The piece ids SentencePiece gives ``text`` read inside a word (``mark``: as a word's start)."""
    backend = tok.backend_tokenizer
    normal = backend.normalizer.normalize_str(text) if backend.normalizer else text
    return [t.id for t in backend.model.tokenize(("▁" if mark else "") + normal)]


def _split_row(
    tok: Any, ids: list[int], offsets: list[list[int]], text: str, spans: Spans
) -> tuple[list[int], list[list[int]]] | None:
    """One sequence's ids and offsets with every piece that crosses a glued unit edge read part by part, or
    None when no piece crosses one."""
    edges = _glued_edges(spans)
    if not edges:
        return None
    out_ids: list[int] = []
    out_offsets: list[list[int]] = []
    changed = False
    for piece, (a, z) in zip(ids, offsets, strict=True):
        cuts = edges[bisect.bisect_right(edges, a) : bisect.bisect_left(edges, z)]
        if not cuts:
            out_ids.append(piece)
            out_offsets.append([a, z])
            continue
        changed = True
        mark = tok.convert_ids_to_tokens(piece).startswith("▁")
        points = [a, *cuts, z]
        for n, (p, q) in enumerate(zip(points, points[1:], strict=False)):
            parts = _part_pieces(tok, text[p:q], mark and n == 0) or [tok.unk_token_id]
            out_ids.extend(parts)
            out_offsets.extend([p, q] for _ in parts)
    return (out_ids, out_offsets) if changed else None


def splits(tok: Any) -> bool:
    """Whether ``tok``'s pieces can be read part by part: SentencePiece's unigram model (XLM-R, mT5), right-padded."""
    backend = getattr(tok, "backend_tokenizer", None)
    return (
        backend is not None
        and type(backend.model).__name__ == "Unigram"
        and getattr(tok, "padding_side", "right") == "right"
    )


def unshared(tok: Any, ids: list[int], offsets: list[list[int]], text: str, spans: Spans) -> tuple[list, list]:
    """One unpadded sequence's ids and offsets with no piece over two units (as they are where ``tok`` cannot
    split): what window planning counts, so a window's budget holds the pieces it will read."""
    split = _split_row(tok, ids, offsets, text, spans) if splits(tok) else None
    return split or (ids, offsets)


def split_shared_pieces(
    tok: Any, enc: Any, offsets: list[list[list[int]]], units: Sequence[tuple[str, Spans]], max_length: int
) -> tuple[Any, list[list[list[int]]]]:
    """``enc`` and ``offsets`` (a padded batch of ``units``' texts) with no piece over two units; the batch is
    built again only when some piece crossed an edge, cut to ``max_length`` with its closing token kept."""
    import torch

    if not splits(tok):
        return enc, offsets  # WordPiece marks continuations its own way; left padding is not handled
    rows: list[tuple[list[int], list[list[int]]]] = []
    changed = False
    for b, (text, spans) in enumerate(units):
        length = int(enc["attention_mask"][b].sum())
        ids, offs = enc["input_ids"][b, :length].tolist(), offsets[b][:length]
        split = _split_row(tok, ids, offs, text, spans)
        changed |= split is not None
        ids, offs = split or (ids, offs)
        if len(ids) > max_length:  # keep the closing special token
            ids, offs = ids[: max_length - 1] + ids[-1:], offs[: max_length - 1] + offs[-1:]
        rows.append((ids, offs))
    if not changed:
        return enc, offsets
    width = max(len(ids) for ids, _ in rows)
    input_ids = torch.full((len(rows), width), tok.pad_token_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    out_offsets = []
    for b, (ids, offs) in enumerate(rows):
        input_ids[b, : len(ids)] = torch.tensor(ids, dtype=torch.long)
        mask[b, : len(ids)] = 1
        out_offsets.append([list(o) for o in offs] + [[0, 0]] * (width - len(ids)))
    out = {"input_ids": input_ids, "attention_mask": mask}
    if "token_type_ids" in enc:  # one segment: all zeros (an ALBERT- or DeBERTa-style unigram model reads them)
        out["token_type_ids"] = torch.zeros_like(input_ids)
    return out, out_offsets
