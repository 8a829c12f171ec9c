"""Light alignment fine-tuning of the encoder aligner on parallel text (self-training, no gold links).

The objective is awesome-align's self-training one (Dou and Neubig 2021, "Word Alignment by Fine-tuning
Embeddings on Parallel Corpora", section 2.2): the encoder's own links on a sentence pair (itermax, then
neighbour growing, exactly what :class:`~xprep.projection.align.EncoderAligner` gives) are the targets,
and the loss raises their probability under a softmax over the target words of each source word and over
the source words of each target word. Only the layers below the alignment layer are trained (the word
embeddings and the layers above it are left as they are), so the fine-tuned folder aligns at the same
layer and reads like the base model everywhere else.

It needs nothing but sentence-aligned text: one sentence a line in two files of the same length
(Tatoeba's ``tatoeba.deu-eng.eng`` / ``tatoeba.deu-eng.deu``, or any bitext). docs/projection.md gives
what it measured on Parallel UD (languages unseen in tuning included).
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from xprep.errors import InputError
from xprep.projection.align import (
    EncoderAligner,
    _pool_words,
    _rebuild,
    _share_pieces,
    grow_neighbours,
    itermax,
    tokenize_units,
)

MODEL_INFO = "xprep_model.json"
KIND = "align-tuned encoder"  # the kind its xprep_model.json declares
Pair = tuple[list[str], list[str]]


@dataclass(frozen=True)
class TuneSettings:
    """``steps`` optimiser steps of ``batch_size`` sentence pairs (cycling through the shuffled pairs);
    ``layer``: the alignment layer (None: the aligner's default, 60% of the depth)."""

    steps: int = 300
    batch_size: int = 8
    lr: float = 2e-5
    seed: int = 0
    layer: int | None = None
    max_length: int = 128  # subword pieces per sentence (longer ones are cut, for memory)


def read_parallel(pairs: Sequence[tuple[Path, Path]], limit: int | None = None) -> tuple[list[Pair], list[dict]]:
    """Word-unit sentence pairs from line-aligned files (empty lines skipped) and a record of each file
    pair (paths, SHA-256, pairs read). Files of different lengths are refused in one line."""
    from xprep.text import words

    out: list[Pair] = []
    sources = []
    for src, tgt in pairs:
        a, b = _lines(src), _lines(tgt)
        if len(a) != len(b):
            raise InputError(
                f"the two sides differ in length ({len(a):,} and {len(b):,} lines): not a line-aligned bitext",
                where=f"{src} / {tgt}",
            )
        read = [(words(x), words(y)) for x, y in zip(a, b, strict=True) if x.strip() and y.strip()][:limit]
        if not read:
            raise InputError("no non-empty sentence pair", where=f"{src} / {tgt}")
        out.extend(read)
        sources.append({"source": str(src), "target": str(tgt), "sha256": _digest(src, tgt), "pairs": len(read)})
    return out, sources


def _lines(path: Path) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read as UTF-8 text: {exc}", where=str(path)) from None


def _digest(*paths: Path) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(Path(p).read_bytes())
    return h.hexdigest()


def self_training_loss(a: Any, b: Any, links: set[tuple[int, int]]) -> Any:
    """The mean of the two directions' log-probabilities of ``links`` (softmax over scaled dot products of
    the word vectors ``a`` (source) and ``b`` (target)), negated."""
    import torch

    sim = a @ b.T / a.shape[-1] ** 0.5
    mask = torch.zeros_like(sim)
    for i, j in links:
        mask[i, j] = 1.0
    n = mask.sum()
    return -((mask * sim.log_softmax(dim=1)).sum() + (mask * sim.log_softmax(dim=0)).sum()) / (2 * n)


def _word_vectors(model: Any, tok: Any, sentences: Sequence[list[str]], layer: int, max_length: int) -> list:
    units = [_rebuild(s) for s in sentences]
    enc, offsets = tokenize_units(tok, units, max_length)
    hidden = model(**enc, output_hidden_states=True).hidden_states[layer]
    return _pool_words(hidden, offsets, [spans for _, spans in units])


def _batch_loss(model: Any, tok: Any, batch: Sequence[Pair], layer: int, max_length: int) -> Any | None:
    """The self-training loss over a batch; None when no pair has a link (nothing to learn from)."""
    import torch

    src = _word_vectors(model, tok, [s for s, _ in batch], layer, max_length)
    tgt = _word_vectors(model, tok, [t for _, t in batch], layer, max_length)
    losses = []
    for (s, t), (a, src_groups), (b, tgt_groups) in zip(batch, src, tgt, strict=True):
        a, b = a[: len(s)], b[: len(t)]
        with torch.no_grad():  # the targets: the links the aligner itself gives now
            sim = torch.nn.functional.normalize(a, dim=-1) @ torch.nn.functional.normalize(b, dim=-1).T
            links = _share_pieces(grow_neighbours(itermax(sim, 2), sim), src_groups, tgt_groups)
        links = {(i, j) for i, j in links if i < len(a) and j < len(b)}
        if links:
            losses.append(self_training_loss(a, b, links))
    return torch.stack(losses).mean() if losses else None


def tune_encoder(
    model: str,
    pairs: Sequence[Pair],
    settings: TuneSettings = TuneSettings(),
    progress: Callable[[int, float], None] | None = None,
) -> tuple[Any, Any, dict]:
    """Fine-tune ``model`` (an HF encoder folder) on ``pairs``; (model, tokenizer, report). ``progress``
    is called after each step with (step, loss)."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    if not pairs:
        raise InputError("no sentence pairs to tune on")
    torch.manual_seed(settings.seed)
    order = list(pairs)
    random.Random(settings.seed).shuffle(order)
    layer = EncoderAligner(model=model, layer=settings.layer).resolved_layer()
    tok = AutoTokenizer.from_pretrained(model)
    enc = AutoModel.from_pretrained(model)
    trained = [p for n, p in enc.named_parameters() if any(f"encoder.layer.{k}." in n for k in range(layer))]
    for p in enc.parameters():
        p.requires_grad_(False)
    for p in trained:
        p.requires_grad_(True)
    opt = torch.optim.AdamW(trained, lr=settings.lr)
    enc.train()
    losses: list[float] = []
    start = time.perf_counter()
    with torch.enable_grad():
        for step in range(settings.steps):
            at = (step * settings.batch_size) % len(order)
            loss = _batch_loss(enc, tok, order[at : at + settings.batch_size], layer, settings.max_length)
            if loss is not None:
                loss.backward()
                opt.step()
                opt.zero_grad()
                losses.append(float(loss.detach()))
            if progress is not None:
                progress(step, losses[-1] if losses else float("nan"))
    enc.eval()
    report = {
        "layer": layer,
        "trained_layers": list(range(layer)),
        "settings": asdict(settings),
        "pairs": len(order),
        "loss_first": round(sum(losses[:25]) / max(len(losses[:25]), 1), 4),
        "loss_last": round(sum(losses[-25:]) / max(len(losses[-25:]), 1), 4),
        "seconds": round(time.perf_counter() - start, 1),
    }
    return enc, tok, report


def tuning_record(model: str | None) -> dict | None:
    """What a manifest says of a tuned encoder folder (base, data by file name and hash, settings), read
    from its ``xprep_model.json``; None for any other model."""
    path = Path(model) / MODEL_INFO if model else None
    if path is None or not path.is_file():
        return None
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict) or info.get("kind") != KIND:
        return None
    data = [
        {"source": Path(d["source"]).name, "target": Path(d["target"]).name, "sha256": d["sha256"], "pairs": d["pairs"]}
        for d in info.get("data", [])
    ]
    settings = info.get("settings", {})
    return {
        "base": Path(str(info.get("base"))).name,
        "layer": info.get("layer"),
        "steps": settings.get("steps"),
        "seed": settings.get("seed"),
        "data": data,
    }


def save_tuned(enc: Any, tok: Any, out: Path, info: dict) -> Path:
    """Write the tuned encoder (safetensors), its tokenizer and ``xprep_model.json`` into ``out``, the
    marker last, so a folder with the marker is whole."""
    out.mkdir(parents=True, exist_ok=True)
    enc.save_pretrained(out, safe_serialization=True)
    tok.save_pretrained(out)
    tmp = out / (MODEL_INFO + ".tmp")
    tmp.write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(out / MODEL_INFO)
    return out
