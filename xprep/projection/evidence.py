"""Word similarities kept beside the links, and what a span's edges read from them.

Links say which words align; they do not say how strongly a word next to a projected span belongs to it.
The encoder aligner therefore also returns each sentence pair's cosine similarities, quantised to int8
(cosine x 127, rounded: steps of 0.008), which the alignment cache stores with the links, so a warm
rebuild decides exactly as a cold one. Span projection reads them at the edges of a projected span
(:func:`xprep.projection.spans.project_span`): a target word belongs to the span when it is clearly more
similar to a source word inside the source span than to any source word of its sentence outside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

SCALE = 127  # int8 steps per unit of cosine similarity


def quantise(sim: Any) -> np.ndarray:
    """An ``(n_src, n_tgt)`` float similarity matrix (a torch tensor or an array) as int8 steps."""
    values = sim.float().cpu().numpy() if hasattr(sim, "cpu") else np.asarray(sim, dtype=np.float32)
    return np.clip(np.rint(values * SCALE), -SCALE, SCALE).astype(np.int8)


def to_blob(matrix: np.ndarray | None) -> bytes:
    """The bytes the cache stores (row-major int8; empty: no similarities)."""
    return b"" if matrix is None else np.ascontiguousarray(matrix, dtype=np.int8).tobytes()


def from_blob(blob: bytes, n_src: int, n_tgt: int) -> np.ndarray | None:
    """The matrix back from :func:`to_blob` for a pair of ``n_src`` and ``n_tgt`` words; None when the blob
    holds none or does not fit that shape (a stored entry that cannot be read is aligned again)."""
    if not blob or len(blob) != n_src * n_tgt:
        return None
    return np.frombuffer(blob, dtype=np.int8).reshape(n_src, n_tgt)


class Similarities:
    """The similarity matrices of one text's sentence pairs, read by global word index."""

    def __init__(self) -> None:
        self._pairs: list[tuple[np.ndarray, np.ndarray]] = []  # (global source indices, int8 matrix)
        self._column: dict[int, tuple[int, int]] = {}  # target word -> (pair, local column)

    def add(self, src_idx: Sequence[int], tgt_idx: Sequence[int], matrix: np.ndarray) -> None:
        """One sentence pair: the global indices of its source and target words and their int8 matrix."""
        rows = np.asarray(list(src_idx)[: matrix.shape[0]], dtype=np.int64)
        self._pairs.append((rows, matrix[: len(rows)]))
        for col, j in enumerate(list(tgt_idx)[: matrix.shape[1]]):
            self._column[j] = (len(self._pairs) - 1, col)

    def __bool__(self) -> bool:
        return bool(self._pairs)

    def preference(self, j: int, span: set[int]) -> float | None:
        """How much more similar target word ``j`` is to its most similar source word in ``span`` than to its
        most similar source word of the same sentence outside it (cosine; -1 where the span has no word in
        that sentence). None where ``j`` has no similarities (an aligner that gives none, such as eflomal) and
        where the span holds its whole sentence (no word outside to compare with)."""
        if j not in self._column:
            return None
        pair, col = self._column[j]
        rows, matrix = self._pairs[pair]
        inside = np.isin(rows, np.fromiter(span, dtype=np.int64, count=len(span)))
        if inside.all():
            return None
        column = matrix[:, col].astype(np.int16)
        best_in = int(column[inside].max()) if inside.any() else -SCALE
        return (best_in - int(column[~inside].max())) / SCALE
