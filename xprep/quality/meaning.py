"""The meaning check: cross-lingual cosine similarity between each translated field and its source.

A field of several sentences is compared sentence by sentence (paired as the segmenter and the projection
pair them) and scores its least similar pair: on XQuAD's English paragraphs translated by Apertium, the
whole-field cosine flagged 1.7% of translations with one sentence swapped for another paragraph's and none
cut to two thirds, sentence pairs flag 99.1% and 61.2% (docs/translate.md).

Both sides are embedded by one multilingual sentence encoder (multilingual-e5-small built offline by
:func:`xprep.assets.e5.ensure_e5_small`, or any Hugging Face encoder folder given as ``--qe-model``):
mean-pooled last-layer vectors, L2-normalised, so a field's score is the dot product of its two vectors.
A record's score is its least similar field (``min``), with the mean and that field's path beside it.

The check is a *batch* check: the texts of a whole chunk are embedded together, each unique text once,
sorted by length so that padding is small. The encoder is loaded on first use, once per process and
(model, device); nothing is imported or loaded while the check is off.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from xprep.errors import ModelError, XprepError
from xprep.records import Record

E5_PREFIX = "query: "  # e5's prefix for symmetric similarity (its model card)
_ENCODERS: dict[tuple[str, str], Any] = {}


def resolve_qe_model(value: str | Path | None) -> Path:
    """The encoder folder of ``--qe-model`` (None: multilingual-e5-small, built offline on first use).

    A folder without a transformers encoder config or tokenizer is refused with a one-line error."""
    if value is None or str(value) == "e5-small":
        from xprep.assets.e5 import ensure_e5_small

        return ensure_e5_small()
    path = Path(value)
    if not path.is_dir():
        raise ModelError("--qe-model is not a folder", where=str(path), hint="an HF encoder folder, or e5-small")
    config = path / "config.json"
    try:
        model_type = json.loads(config.read_text(encoding="utf-8")).get("model_type")
    except (OSError, ValueError, AttributeError):
        model_type = None
    if not model_type:
        raise ModelError("--qe-model has no readable config.json with a model_type", where=str(path))
    if not any((path / f).is_file() for f in ("tokenizer.json", "sentencepiece.bpe.model", "vocab.txt")):
        raise ModelError("--qe-model has no tokenizer (tokenizer.json, sentencepiece or vocab.txt)", where=str(path))
    return path


def prefix_for(model: Path) -> str:
    """e5 encoders want ``query: `` before each text; other encoders get the text as it is."""
    asset = model / "xprep_asset.json"
    name = model.name.lower()
    if "e5" in name or (asset.is_file() and "e5" in asset.read_text(encoding="utf-8").lower()):
        return E5_PREFIX
    return ""


def load(model: Path, device: str = "cpu") -> Any:
    """The encoder of ``model`` on ``device``, loaded once per process."""
    key = (str(model), device)
    if key not in _ENCODERS:
        from xprep.evaluate.retrieval import load_encoder

        try:
            _ENCODERS[key] = load_encoder(model, device)
        except XprepError:
            raise
        except (OSError, ValueError, RuntimeError) as exc:  # transformers' errors for a bad folder
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(f"--qe-model cannot be loaded: {first}", where=str(model)) from None
    return _ENCODERS[key]


def embed(texts: Sequence[str], model: Path, device: str = "cpu", batch_size: int = 32) -> Any:
    """``(n, hidden)`` L2-normalised vectors of ``texts`` (in order), each unique text embedded once."""
    import torch

    from xprep.evaluate.retrieval import embed_sentences

    unique = sorted(set(texts), key=len)
    if not unique:
        return torch.zeros((0, 0))
    encoder = load(model, device)
    depth = encoder.model.config.num_hidden_layers
    vectors = embed_sentences(encoder, unique, layer=depth, prefix=prefix_for(model), batch_size=batch_size)
    index = {t: i for i, t in enumerate(unique)}
    return vectors[[index[t] for t in texts]]


def _fields(src: Record, tgt: Record) -> list[tuple[str, str, str]]:
    """(path, source text, translated text) of every field both sides have, non-empty on both."""
    target = dict(tgt.segments())
    return [(p, s, target[p]) for p, s in src.segments() if s.strip() and target.get(p, "").strip()]


def sentence_pairs(src: str, tgt: str) -> list[tuple[str, str]]:
    """What a field is compared by: its sentence pairs as projection pairs them
    (:func:`xprep.mt.segment.pair_sentences`: one to one where both sides have as many, else Gale-Church
    beads); the whole field where it is one sentence or no pairing covers both sides. Pairing by length even where
    the counts agree caught fewer planted failures on XQuAD paragraphs (one sentence swapped: 90.1% against
    98.7%; true paragraphs 0.4% either way): a swapped sentence of another length gets merged with its
    neighbour."""
    from xprep.mt.segment import pair_sentences, split_sentences

    a = [(x.start, x.end) for x in split_sentences(src)]
    b = [(x.start, x.end) for x in split_sentences(tgt)]
    if len(a) <= 1 and len(b) <= 1:
        return [(src, tgt)]
    a, b = pair_sentences(a, b, len(src), len(tgt))
    return [(src[x:y], tgt[u:v]) for (x, y), (u, v) in zip(a, b, strict=True)]


def score_pairs(pairs: Sequence[tuple[Record, Record]], model: Path, device: str = "cpu") -> list[dict[str, Any]]:
    """Per (source, translation) pair: ``{"min", "mean", "field"}`` cosine similarities (``None`` values for a
    record with no field to compare). A field scores its least similar sentence pair (:func:`sentence_pairs`),
    so one hallucinated or cut sentence of a paragraph counts as it would alone; ``min`` is the least similar
    field, ``mean`` the fields' mean, ``field`` the path of the least similar. One embedding pass for all."""
    fields = [_fields(src, tgt) for src, tgt in pairs]
    units = [[sentence_pairs(s, t) for _, s, t in fs] for fs in fields]
    flat = [pair for per_record in units for per_field in per_record for pair in per_field]
    if not flat:
        return [{"min": None, "mean": None, "field": None} for _ in pairs]
    vectors = embed([s for s, _ in flat] + [t for _, t in flat], model, device)
    sims = (vectors[: len(flat)] * vectors[len(flat) :]).sum(-1).tolist()
    out, pos = [], 0
    for fs, per_record in zip(fields, units, strict=True):
        mine = []
        for per_field in per_record:
            mine.append(min(sims[pos : pos + len(per_field)]))
            pos += len(per_field)
        if not mine:
            out.append({"min": None, "mean": None, "field": None})
            continue
        worst = min(range(len(mine)), key=mine.__getitem__)
        out.append({"min": round(mine[worst], 4), "mean": round(sum(mine) / len(mine), 4), "field": fs[worst][0]})
    return out
