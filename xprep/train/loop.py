"""Heads per kind, the training loop, prediction and scoring, on any HF encoder, CPU or CUDA.

Defaults follow the study's published run scripts (Phang et al. 2020, jiant): learning rate 1e-5,
10% linear warm-up, batch 4 with gradient accumulation, maximum length 256 (384 with stride 128 for
QA). Every value is a :class:`TrainConfig` field and a ``xprep train`` option.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from xprep.evaluate.metrics import accuracy, chunk_f1, mlqa_scores
from xprep.records import Record, SpanRecord
from xprep.train.features import IGNORE, encode

HEAD_CLASSES = {
    "pair": "AutoModelForSequenceClassification",
    "choice": "AutoModelForMultipleChoice",
    "span": "AutoModelForQuestionAnswering",
    "tagging": "AutoModelForTokenClassification",
}


@dataclass
class TrainConfig:
    learning_rate: float = 1e-5
    epochs: float = 3.0
    batch_size: int = 4
    grad_accum: int = 8
    warmup: float = 0.1
    max_length: int = 256
    stride: int = 128
    seed: int = 0
    device: str = "cpu"
    precision: str = "fp32"  # fp32, bf16 or fp16 (CUDA)
    max_steps: int | None = None
    checkpoint_dir: str | None = None  # where to save and resume from
    save_every: int = 500  # optimizer steps between checkpoints

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_head(
    kind: str, model: str, num_labels: int | None = None, labels: Sequence[str] | None = None, seed: int | None = None
) -> Any:
    """An encoder with a fresh head for ``kind``; any head ``model`` carried (an intermediate one) is dropped.

    ``seed`` fixes the new head's random initialisation (runs are reproducible only with it).
    """
    import transformers

    cls = getattr(transformers, HEAD_CLASSES[kind])
    kwargs: dict[str, Any] = {}
    if kind == "pair":
        kwargs["num_labels"] = num_labels or 3
    if kind == "tagging":
        kwargs.update(
            num_labels=len(labels or []),
            id2label=dict(enumerate(labels or [])),
            label2id={t: i for i, t in enumerate(labels or [])},
        )
    if seed is not None:
        import torch

        torch.manual_seed(seed)
    from xprep.progress import quiet_loading

    with quiet_loading():
        return cls.from_pretrained(model, ignore_mismatched_sizes=True, **kwargs)


@dataclass
class Task:
    """One task of a (multi-task) phase: its head model, records and tag set."""

    model: Any
    records: Sequence[Record]
    tag_labels: Sequence[str] | None = None


def share_encoder(models: Sequence[Any]) -> None:
    """Make every model use one encoder (heads stay separate): multi-task training.

    The shared encoder is one that has a pooler when any has (XLM-R's multiple-choice head reads the
    pooled output; its classification head builds its encoder without one).
    """
    encoders = [getattr(m, m.base_model_prefix) for m in models]
    encoder = next((e for e in encoders if getattr(e, "pooler", None) is not None), encoders[0])
    for model in models:
        setattr(model, model.base_model_prefix, encoder)


class BatchStream:
    """Shuffled batches, reshuffled at every pass, forever; its state can be saved and restored."""

    def __init__(self, n: int, size: int, seed: int) -> None:
        self.n, self.size, self.rng = n, size, random.Random(seed)
        self.order: list[int] = []
        self.pos = 0

    def next_indices(self) -> list[int]:
        if self.pos >= len(self.order):
            self.order = list(range(self.n))
            self.rng.shuffle(self.order)
            self.pos = 0
        batch = self.order[self.pos : self.pos + self.size]
        self.pos += self.size
        return batch

    def state(self) -> dict[str, Any]:
        return {"rng": self.rng.getstate(), "order": self.order, "pos": self.pos}

    def restore(self, state: dict[str, Any]) -> None:
        self.rng.setstate(state["rng"])
        self.order, self.pos = list(state["order"]), state["pos"]


def train(
    model: Any,
    tok: Any,
    records: Sequence[Record],
    cfg: TrainConfig,
    tag_labels: Sequence[str] | None = None,
    progress: Callable[[int, float], None] | None = None,
) -> dict[str, Any]:
    """Fine-tune ``model`` on ``records`` (one kind); returns the loss curve and the number of steps."""
    return train_tasks([Task(model, records, tag_labels)], tok, cfg, progress)


def train_tasks(
    tasks: Sequence[Task], tok: Any, cfg: TrainConfig, progress: Callable[[int, float], None] | None = None
) -> dict[str, Any]:
    """Fine-tune one or several tasks; each micro-batch comes from a task drawn in proportion to its size
    (the study's proportional multi-task sampling). Share the encoder first (:func:`share_encoder`)."""
    import torch

    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    params: dict[int, Any] = {}
    for task in tasks:
        task.model.to(cfg.device).train()
        params.update({id(p): p for p in task.model.parameters()})
    n_records = sum(len(t.records) for t in tasks)
    total = cfg.max_steps or max(1, math.ceil(n_records / cfg.batch_size / cfg.grad_accum * cfg.epochs))
    opt = torch.optim.AdamW(list(params.values()), lr=cfg.learning_rate)
    warm = int(total * cfg.warmup)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / max(1, warm) if s < warm else max(0.0, (total - s) / max(1, total - warm))
    )
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(cfg.precision)
    streams = [BatchStream(len(t.records), cfg.batch_size, cfg.seed + i) for i, t in enumerate(tasks)]
    weights = [len(t.records) for t in tasks]
    losses: list[float] = []
    sampled = [0] * len(tasks)
    step = micro = 0
    ckpt = Path(cfg.checkpoint_dir) / "checkpoint.pt" if cfg.checkpoint_dir else None
    if ckpt is not None and ckpt.is_file():  # resume where the last checkpoint left off
        state = torch.load(ckpt, weights_only=False)
        for task, sd in zip(tasks, state["models"], strict=True):
            task.model.load_state_dict(sd)
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        for stream, st in zip(streams, state["streams"], strict=True):
            stream.restore(st)
        rng.setstate(state["rng"])
        torch.set_rng_state(state["torch_rng"])
        step, micro, losses, sampled = state["step"], state["micro"], state["losses"], state["sampled"]
    while step < total:
        k = rng.choices(range(len(tasks)), weights=weights)[0] if len(tasks) > 1 else 0
        sampled[k] += 1
        task = tasks[k]
        batch = [task.records[i] for i in streams[k].next_indices()]
        enc = encode(batch, tok, cfg.max_length, cfg.stride, task.tag_labels)
        inputs = {name: v.to(cfg.device) for name, v in enc.inputs.items()}
        if isinstance(enc.labels, dict):
            inputs.update({name: v.to(cfg.device) for name, v in enc.labels.items()})
        else:
            inputs["labels"] = enc.labels.to(cfg.device)
        with torch.autocast(cfg.device, dtype=dtype, enabled=dtype is not None):
            loss = task.model(**inputs).loss / cfg.grad_accum
        loss.backward()
        micro += 1
        if micro % cfg.grad_accum == 0:
            torch.nn.utils.clip_grad_norm_(list(params.values()), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            losses.append(loss.item() * cfg.grad_accum)
            if ckpt is not None and (step % cfg.save_every == 0 or step == total):
                _save_checkpoint(
                    ckpt,
                    {
                        "models": [t.model.state_dict() for t in tasks],
                        "opt": opt.state_dict(),
                        "sched": sched.state_dict(),
                        "streams": [s.state() for s in streams],
                        "rng": rng.getstate(),
                        "torch_rng": torch.get_rng_state(),
                        "step": step,
                        "micro": micro,
                        "losses": losses,
                        "sampled": sampled,
                    },
                )
            if progress:
                progress(step, losses[-1])
    return {"steps": step, "losses": losses, "batches_per_task": sampled}


def _save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """Write a checkpoint atomically (a kill mid-write leaves the previous one intact)."""
    import os

    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def predict(
    model: Any,
    tok: Any,
    records: Sequence[Record],
    cfg: TrainConfig,
    tag_labels: Sequence[str] | None = None,
    batch_size: int = 16,
) -> list[Any]:
    """Predictions per record: a label (pair, choice), answer text (span) or word tags (tagging)."""
    import torch

    model.to(cfg.device).eval()
    out: list[Any] = []
    for k in range(0, len(records), batch_size):
        batch = list(records[k : k + batch_size])
        enc = encode(batch, tok, cfg.max_length, cfg.stride, tag_labels)
        with torch.inference_mode():
            res = model(**{n: v.to(cfg.device) for n, v in enc.inputs.items()})
        if batch[0].KIND in ("pair", "choice"):
            out += res.logits.argmax(-1).tolist()
        elif batch[0].KIND == "span":
            out += _best_spans(batch, enc, res)
        else:
            pred = res.logits.argmax(-1).tolist()
            for b, rec in enumerate(batch):
                words = enc.word_ids[b]  # from the batch encoding: no second tokenisation
                tags, seen = [], set()
                for pos, w in enumerate(words):
                    if w is not None and w not in seen and pos < len(pred[b]):
                        seen.add(w)
                        tags.append(tag_labels[pred[b][pos]] if tag_labels else str(pred[b][pos]))
                out.append(tags + ["X"] * (len(rec.tokens) - len(tags)))  # words cut by max_length
    return out


def _best_spans(batch: list[SpanRecord], enc: Any, res: Any, max_answer: int = 30) -> list[str]:
    best: dict[int, tuple[float, str]] = {}
    for w, owner in enumerate(enc.record_index):
        s_log, e_log = res.start_logits[w].tolist(), res.end_logits[w].tolist()
        offsets = enc.offsets[w].tolist()
        ctx = batch[owner].context
        top_s = sorted(range(len(s_log)), key=lambda i: -s_log[i])[:20]
        top_e = sorted(range(len(e_log)), key=lambda i: -e_log[i])[:20]
        for s in top_s:
            for e in top_e:
                if e < s or e - s + 1 > max_answer or offsets[s][1] == 0 or offsets[e][1] == 0:
                    continue
                score = s_log[s] + e_log[e]
                if owner not in best or score > best[owner][0]:
                    best[owner] = (score, ctx[offsets[s][0] : offsets[e][1]])
    return [best.get(i, (0.0, ""))[1] for i in range(len(batch))]


def score(records: Sequence[Record], predictions: Sequence[Any], lang: str) -> dict[str, float]:
    """The task kind's metrics in percent: accuracy; EM/F1 (MLQA normalisation); token F1/accuracy."""
    kind = records[0].KIND
    if kind in ("pair", "choice"):
        return {"accuracy": round(100 * accuracy(predictions, [r.label for r in records]), 2)}  # type: ignore[attr-defined]
    if kind == "span":
        ems, f1s = [], []
        for rec, pred in zip(records, predictions, strict=True):
            golds = [a["text"] for a in rec.answers] or [""]  # type: ignore[attr-defined]
            em, f1 = mlqa_scores(pred, golds, lang)
            ems.append(em)
            f1s.append(f1)
        return {"em": round(100 * sum(ems) / len(ems), 2), "f1": round(100 * sum(f1s) / len(f1s), 2)}
    golds = [r.tags for r in records]  # type: ignore[attr-defined]
    flat_p = [t for p in predictions for t in p]
    flat_g = [t for g in golds for t in g]
    out = {
        "f1": round(100 * chunk_f1(predictions, golds)["f1"], 2),
        "token_accuracy": round(100 * accuracy(flat_p, flat_g), 2),
    }
    if any(t[:2] in ("B-", "I-") for t in flat_g):  # NER: also entity tokens and O tokens apart
        from xprep.evaluate.robustness import entity_and_o_accuracy

        out.update(entity_and_o_accuracy(predictions, golds))
    return out


def item_scores(records: Sequence[Record], predictions: Sequence[Any], lang: str) -> list[float]:
    """Per-item correctness in [0, 1] (the robustness statistics' input): 1/0 for pair and choice, the best
    answer F1 for span (MLQA normalisation), the share of right tags for tagging."""
    kind = records[0].KIND
    out: list[float] = []
    for rec, pred in zip(records, predictions, strict=True):
        if kind in ("pair", "choice"):
            out.append(float(pred == rec.label))  # type: ignore[attr-defined]
        elif kind == "span":
            out.append(mlqa_scores(pred, [a["text"] for a in rec.answers] or [""], lang)[1])  # type: ignore[attr-defined]
        else:
            gold = rec.tags  # type: ignore[attr-defined]
            out.append(sum(p == g for p, g in zip(pred, gold, strict=True)) / max(len(gold), 1))
    return out


__all__ = ["IGNORE", "TrainConfig", "item_scores", "load_head", "predict", "score", "train"]
