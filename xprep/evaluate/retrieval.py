"""Retrieval without training (Tatoeba, BUCC): sentences embedded by an encoder, searched as XTREME does.

As XTREME does, sentence vectors are the mean of the token vectors of one hidden layer (layer 14 of
24 for XLM-R Large; proportionally for other depths: ``default_layer``), L2-normalised. The search and
the mining follow XTREME's code path (:mod:`xprep.evaluate.mining`): Tatoeba queries with the English
sentences; BUCC mines with k = 4 neighbours both ways, ratio margin, one-to-one, and optimises the
threshold on the gold pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xprep.errors import InputError
from xprep.evaluate.metrics import accuracy


def default_layer(num_layers: int) -> int:
    """XTREME's retrieval layer scaled to the encoder's depth (14 of 24 -> 7 of 12)."""
    return max(1, round(num_layers * 14 / 24))


@dataclass
class Encoder:
    """An encoder loaded once (on ``device``) and used for every language of an evaluation."""

    model: Any
    tok: Any
    device: str = "cpu"


def load_encoder(model_dir: str | Path, device: str = "cpu") -> Encoder:
    """The HF encoder and tokenizer of ``model_dir`` on ``device``."""
    from transformers import AutoModel, AutoTokenizer

    from xprep.progress import quiet_loading

    tok = AutoTokenizer.from_pretrained(str(model_dir))
    with quiet_loading():
        model = AutoModel.from_pretrained(str(model_dir)).to(device).eval()
    return Encoder(model, tok, device)


def embed_sentences(
    model_dir: str | Path | Encoder,
    sentences: Sequence[str],
    layer: int | None = None,
    prefix: str = "",
    batch_size: int = 32,
    max_length: int = 256,
) -> Any:
    """``(n, hidden)`` float tensor (on the CPU) of L2-normalised mean-pooled sentence vectors from ``layer``.

    ``model_dir``: a folder (loaded on the CPU for this call) or an :class:`Encoder` loaded once."""
    import torch

    encoder = model_dir if isinstance(model_dir, Encoder) else load_encoder(model_dir)
    model, tok = encoder.model, encoder.tok
    depth = model.config.num_hidden_layers
    layer = layer if layer is not None else default_layer(depth)
    if not 0 <= layer <= depth:
        raise InputError(f"layer {layer} does not exist: this encoder has layers 0-{depth} (0: the embeddings)")
    out = []
    for i in range(0, len(sentences), batch_size):
        enc = tok(
            [prefix + s for s in sentences[i : i + batch_size]],
            padding=True,
            truncation=True,
            max_length=max_length,
            return_tensors="pt",
        )
        enc = enc.to(encoder.device)
        with torch.inference_mode():
            hidden = model(**enc, output_hidden_states=True).hidden_states[layer]
        mask = enc["attention_mask"].unsqueeze(-1).float()
        out.append(torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1))
    return torch.cat(out).cpu()


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


def tatoeba_predictions(
    model_dir: str | Path | Encoder, src: Sequence[str], tgt: Sequence[str], layer: int | None = None, prefix: str = ""
) -> list[int]:
    """For every English line (``tgt``), the line of its nearest non-English sentence (``src``)."""
    from xprep.evaluate.mining import tatoeba_search

    non_english = embed_sentences(model_dir, src, layer, prefix)
    return tatoeba_search(non_english, embed_sentences(model_dir, tgt, layer, prefix))


def tatoeba_accuracy(
    model_dir: str | Path, src: Sequence[str], tgt: Sequence[str], layer: int | None = None, prefix: str = ""
) -> float:
    """Share of English lines whose nearest non-English sentence (cosine) is the one on the same line."""
    nearest = tatoeba_predictions(model_dir, src, tgt, layer, prefix)
    return accuracy(nearest, list(range(len(tgt))))


def evaluate_tatoeba(
    model_dir: str | Path,
    data_dir: Path,
    langs: Sequence[str],
    layer: int | None = None,
    prefix: str = "",
    limit: int | None = None,
    device: str = "cpu",
) -> list[dict[str, Any]]:
    """One result row per language: task, language, metric, value (percent), n, layer. The encoder is
    loaded once, on ``device``."""
    encoder = load_encoder(model_dir, device)
    if layer is None:
        layer = default_layer(encoder.model.config.num_hidden_layers)
    rows = []
    for lang3 in langs:
        src, tgt = read_tatoeba(Path(data_dir), lang3)
        src, tgt = src[:limit], tgt[:limit]
        predictions = tatoeba_predictions(encoder, src, tgt, layer, prefix)
        acc = accuracy(predictions, list(range(len(tgt))))
        rows.append(
            {
                "task": "tatoeba",
                "lang": lang3,
                "metric": "accuracy",
                "value": 100 * acc,
                "n": len(src),
                "layer": layer,
                "prefix": prefix,
                "predictions": predictions,
            }
        )
    return rows


def read_bucc(data_dir: Path, lang: str, split: str = "test") -> tuple[dict[str, str], dict[str, str], set]:
    """BUCC 2018 files as XTREME ships them: ``{lang}-en.{split}.{lang}`` and ``.en`` (``id<TAB>sentence``)
    and ``{lang}-en.{split}.gold`` (``src_id<TAB>en_id``); the gold file may be absent (then empty)."""
    base = Path(data_dir) / f"{lang}-en.{split}"

    def table(path: Path) -> dict[str, str]:
        if not path.is_file():
            raise InputError("BUCC file not found", where=str(path))
        out = {}
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            parts = line.split("\t")
            if len(parts) != 2:
                raise InputError("expected 'id<TAB>sentence'", where=f"{path}:{lineno}")
            out[parts[0]] = parts[1]
        return out

    gold_path = Path(f"{base}.gold")
    gold = set()
    if gold_path.is_file():
        gold = {tuple(line.split("\t")[:2]) for line in gold_path.read_text(encoding="utf-8").splitlines() if line}
    return table(Path(f"{base}.{lang}")), table(Path(f"{base}.en")), gold


def evaluate_bucc(
    model_dir: str | Path,
    data_dir: Path,
    langs: Sequence[str],
    split: str = "test",
    layer: int | None = None,
    prefix: str = "",
    device: str = "cpu",
) -> list[dict[str, Any]]:
    """BUCC F1 per language: margin-scored candidates, the threshold that maximises F1 over the gold pairs.
    The encoder is loaded once, on ``device``."""
    from xprep.evaluate.mining import bucc_scores, candidate_scores, mine_pairs, unique_sentences

    encoder = load_encoder(model_dir, device)
    rows = []
    for lang in langs:
        src, tgt, gold = read_bucc(data_dir, lang, split)
        (s_sents, s_ids), (t_sents, t_ids) = unique_sentences(src), unique_sentences(tgt)
        a = embed_sentences(encoder, s_sents, layer, prefix)
        b = embed_sentences(encoder, t_sents, layer, prefix)
        cands = candidate_scores(mine_pairs(a, b), s_sents, t_sents, s_ids, t_ids)
        best = bucc_scores(cands, gold)
        rows.append(
            {
                "task": "bucc",
                "lang": lang,
                "metric": "f1",
                "value": 100 * best["f1"],
                "precision": 100 * best["precision"],
                "recall": 100 * best["recall"],
                "threshold": best["threshold"],
                "n": len(src),
                "predictions": ["\t".join(pair) for pair in best["pairs"]],
            }
        )
    return rows
