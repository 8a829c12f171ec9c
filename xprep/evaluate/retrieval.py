"""Retrieval without training (Tatoeba, BUCC): sentences embedded by an encoder, nearest neighbours by cosine.

As XTREME does, sentence vectors are the mean of the token vectors of one hidden layer (layer 14 of
24 for XLM-R Large; proportionally for other depths: ``default_layer``), L2-normalised. Tatoeba
accuracy is the share of non-English sentences whose nearest English sentence is their translation.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from xprep.errors import InputError
from xprep.evaluate.metrics import accuracy


def default_layer(num_layers: int) -> int:
    """XTREME's retrieval layer scaled to the encoder's depth (14 of 24 -> 7 of 12)."""
    return max(1, round(num_layers * 14 / 24))


def embed_sentences(
    model_dir: str | Path,
    sentences: Sequence[str],
    layer: int | None = None,
    prefix: str = "",
    batch_size: int = 32,
    max_length: int = 256,
) -> Any:
    """``(n, hidden)`` float tensor of L2-normalised mean-pooled sentence vectors from ``layer``."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModel.from_pretrained(str(model_dir)).eval()
    layer = layer if layer is not None else default_layer(model.config.num_hidden_layers)
    out = []
    for i in range(0, len(sentences), batch_size):
        enc = tok(
            [prefix + s for s in sentences[i : i + batch_size]],
            padding=True,
            truncation=True,
            max_length=max_length,
            return_tensors="pt",
        )
        with torch.inference_mode():
            hidden = model(**enc, output_hidden_states=True).hidden_states[layer]
        mask = enc["attention_mask"].unsqueeze(-1).float()
        out.append(torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1))
    return torch.cat(out)


def read_tatoeba(data_dir: Path, lang3: str) -> tuple[list[str], list[str]]:
    """(non-English sentences, English sentences) of XTREME's ``tatoeba.X-eng.{X,eng}``, line-aligned."""
    xx, en = data_dir / f"tatoeba.{lang3}-eng.{lang3}", data_dir / f"tatoeba.{lang3}-eng.eng"
    for path in (xx, en):
        if not path.is_file():
            raise InputError("Tatoeba file not found", where=str(path))
    src = xx.read_text(encoding="utf-8").splitlines()
    tgt = en.read_text(encoding="utf-8").splitlines()
    if len(src) != len(tgt):
        raise InputError(f"{len(src)} vs {len(tgt)} lines: the two files must be line-aligned", where=str(xx))
    return src, tgt


def tatoeba_accuracy(
    model_dir: str | Path, src: Sequence[str], tgt: Sequence[str], layer: int | None = None, prefix: str = ""
) -> float:
    """Share of ``src`` sentences whose nearest ``tgt`` sentence (cosine) is the one on the same line."""
    a = embed_sentences(model_dir, src, layer, prefix)
    b = embed_sentences(model_dir, tgt, layer, prefix)
    nearest = (a @ b.T).argmax(dim=1).tolist()
    return accuracy(nearest, list(range(len(src))))


def evaluate_tatoeba(
    model_dir: str | Path,
    data_dir: Path,
    langs: Sequence[str],
    layer: int | None = None,
    prefix: str = "",
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """One result row per language: task, language, metric, value (percent), n, layer."""
    from transformers import AutoConfig

    if layer is None:
        layer = default_layer(AutoConfig.from_pretrained(str(model_dir)).num_hidden_layers)
    rows = []
    for lang3 in langs:
        src, tgt = read_tatoeba(Path(data_dir), lang3)
        src, tgt = src[:limit], tgt[:limit]
        acc = tatoeba_accuracy(model_dir, src, tgt, layer, prefix)
        rows.append(
            {
                "task": "tatoeba",
                "lang": lang3,
                "metric": "accuracy",
                "value": round(100 * acc, 2),
                "n": len(src),
                "layer": layer,
                "prefix": prefix,
            }
        )
    return rows
