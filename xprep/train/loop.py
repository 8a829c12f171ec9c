"""Heads per kind, the training loop and prediction, on any HF encoder, CPU or CUDA (scores: ``evaluate.scoring``).

Defaults follow the study's published run scripts (Phang et al. 2020, jiant): learning rate 1e-5,
10% linear warm-up, batch 4 with gradient accumulation, maximum length 256 (384 with stride 128 for
QA). Every value is a :class:`TrainConfig` field and a ``xprep train`` option.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from xprep.records import Record, SpanRecord
from xprep.settings import TrainConfig
from xprep.train.distributed import SINGLE, Processes
from xprep.train.features import IGNORE, encode

HEAD_CLASSES = {
    "pair": "AutoModelForSequenceClassification",
    "choice": "AutoModelForMultipleChoice",
    "span": "AutoModelForQuestionAnswering",
    "tagging": "AutoModelForTokenClassification",
}


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
    dist: Processes = SINGLE,
) -> dict[str, Any]:
    """Fine-tune ``model`` on ``records`` (one kind); returns the loss curve and the number of steps."""
    return train_tasks([Task(model, records, tag_labels)], tok, cfg, progress, dist)


def train_tasks(
    tasks: Sequence[Task], tok: Any, cfg: TrainConfig, progress: Callable[[int, float], None] | None = None,
    dist: Processes = SINGLE,
) -> dict[str, Any]:  # fmt: skip
    """Fine-tune one or several tasks; each micro-batch comes from a task drawn in proportion to its size
    (the study's proportional multi-task sampling). Share the encoder first (:func:`share_encoder`). ``dist``:
    this process's share of each micro-batch when several train (:mod:`xprep.train.distributed`)."""
    import torch

    from xprep.train.checkpoint import CHECKPOINT

    cfg = replace(cfg, device=dist.device or cfg.device)
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    set_matmul_precision(cfg)
    params = _trainable(tasks, cfg)
    n_records = sum(len(t.records) for t in tasks)
    total = cfg.max_steps or max(1, math.ceil(n_records / cfg.batch_size / cfg.grad_accum * cfg.epochs))
    opt = torch.optim.AdamW(params, lr=cfg.learning_rate)
    warm = int(total * cfg.warmup)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / max(1, warm) if s < warm else max(0.0, (total - s) / max(1, total - warm))
    )
    # fp16 gradients underflow without loss scaling; bf16 and fp32 need none (the scaler is then a no-op)
    scaler = torch.amp.GradScaler(device_type(cfg.device), enabled=cfg.precision == "fp16")
    run = _Run(tasks, opt, sched, scaler, [BatchStream(len(t.records), cfg.batch_size, cfg.seed + i)
               for i, t in enumerate(tasks)], rng, dist)  # fmt: skip
    ckpt = Path(cfg.checkpoint_dir) / CHECKPOINT if cfg.checkpoint_dir else None
    if ckpt is not None and ckpt.is_file():  # resume where the last checkpoint left off
        run.resume(ckpt, total)
    weights = [len(t.records) for t in tasks]
    while run.step < total:
        k = rng.choices(range(len(tasks)), weights=weights)[0] if len(tasks) > 1 else 0
        run.sampled[k] += 1
        loss = _backward(tasks[k], run.streams[k], tok, cfg, scaler, dist)
        run.micro += 1
        if run.micro % cfg.grad_accum == 0:
            dist.sum_gradients(params)  # before unscaling: every process then sees the same gradients
            scaler.unscale_(opt)  # clip the true gradients
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            scaler.step(opt)
            scaler.update()
            sched.step()
            opt.zero_grad()
            run.step += 1
            run.losses.append(dist.total(loss) * cfg.grad_accum)
            if ckpt is not None and (run.step % cfg.save_every == 0 or run.step == total):
                run.save(ckpt, optimizer=run.step < total or cfg.final_checkpoint)
            if progress:
                progress(run.step, run.losses[-1])
    return {"steps": run.step, "losses": run.losses, "batches_per_task": run.sampled}


def _trainable(tasks: Sequence[Task], cfg: TrainConfig) -> list[Any]:
    """The tasks' models on the device in training mode; their trainable parameters, each once (the
    encoder is shared)."""
    params: dict[int, Any] = {}
    for task in tasks:
        task.model.to(cfg.device).train()
        if cfg.freeze_embeddings:  # XLM-R's 250k-row matrix: most of a small encoder's weights, little of its work
            task.model.get_input_embeddings().weight.requires_grad_(False)
        params.update({id(p): p for p in task.model.parameters() if p.requires_grad})
    return list(params.values())


def _backward(task: Task, stream: BatchStream, tok: Any, cfg: TrainConfig, scaler: Any, dist: Processes) -> Any:
    """One micro-batch of ``task`` (this process's share of it): encode, forward, scaled backward; returns its
    loss over ``grad_accum`` (a tensor: read on optimizer steps only, no device sync per micro-batch)."""
    batch = [task.records[i] for i in stream.next_indices()]
    part = dist.take(encode(batch, tok, cfg.max_length, cfg.stride, task.tag_labels), len(batch))
    loss = labels = None
    if part is not None:  # None when a micro-batch has fewer records than there are processes
        inputs, labels = part
        inputs = {**inputs, **(labels if isinstance(labels, dict) else {"labels": labels})}
        with autocast(cfg):
            loss = task.model(**{name: v.to(cfg.device) for name, v in inputs.items()}).loss
    loss = dist.weight(loss, labels, cfg.device) / cfg.grad_accum
    if loss.requires_grad:
        scaler.scale(loss).backward()
    return loss


@dataclass
class _Run:
    """What a training run carries from step to step, and its checkpoint (see :mod:`xprep.train.checkpoint`)."""

    tasks: Sequence[Task]
    opt: Any
    sched: Any
    scaler: Any
    streams: list[BatchStream]
    rng: random.Random
    dist: Processes = SINGLE
    step: int = 0
    micro: int = 0
    losses: list[float] = field(default_factory=list)
    sampled: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sampled = self.sampled or [0] * len(self.tasks)

    def save(self, path: Path, optimizer: bool) -> None:
        """Checkpoint; without ``optimizer`` (a finished run) the optimizer, scheduler and scaler are left out,
        a third of the size (AdamW keeps two float32 values per weight)."""
        from xprep.train.checkpoint import rng_state, save_checkpoint

        ranks = self.dist.gather(rng_state(self.rng))  # every process takes part; the main one writes
        if not self.dist.main:
            return
        state = {
            "models": [t.model.state_dict() for t in self.tasks],
            "opt": self.opt.state_dict() if optimizer else None,
            "sched": self.sched.state_dict() if optimizer else None,
            "scaler": self.scaler.state_dict() if optimizer else None,
            "streams": [s.state() for s in self.streams],
            "rng": ranks[0],
            "step": self.step,
            "micro": self.micro,
            "losses": self.losses,
            "sampled": self.sampled,
        }
        if self.dist.world > 1:  # each process's own generators (dropout masks differ between processes)
            state["rng_ranks"] = ranks
        save_checkpoint(path, state)

    def resume(self, path: Path, total: int) -> None:
        """Load a checkpoint (weights only, onto the CPU, then onto each parameter's device)."""
        from xprep.errors import InputError
        from xprep.train.checkpoint import load_checkpoint, restore_rng

        state = load_checkpoint(path)
        for task, sd in zip(self.tasks, state["models"], strict=True):
            task.model.load_state_dict(sd)
        if state["opt"] is None and state["step"] < total:
            raise InputError(
                f"checkpoint of a finished run (step {state['step']}, no optimizer state): cannot go on to {total}",
                where=str(path),
                hint="delete it to train from the start, or train with final_checkpoint=True to continue runs later",
            )
        if state["opt"] is not None:
            self.opt.load_state_dict(state["opt"])
            self.sched.load_state_dict(state["sched"])
            if self.scaler.is_enabled() and state.get("scaler"):
                self.scaler.load_state_dict(state["scaler"])
        for stream, st in zip(self.streams, state["streams"], strict=True):
            stream.restore(st)
        restore_rng(self.dist.own(state.get("rng_ranks")) or state["rng"], self.rng)  # else the main process's
        self.step, self.micro = state["step"], state["micro"]
        self.losses, self.sampled = list(state["losses"]), list(state["sampled"])


def predict(
    model: Any,
    tok: Any,
    records: Sequence[Record],
    cfg: TrainConfig,
    tag_labels: Sequence[str] | None = None,
    batch_size: int | None = None,
) -> list[Any]:
    """Predictions per record: a label (pair, choice), answer text (span) or word tags (tagging).

    Records are batched in order of length (little padding), the next batch is tokenised in a thread
    while the model runs, and the model runs under ``cfg.precision`` autocast; predictions come back in
    the order of ``records``. ``batch_size``: default ``cfg.predict_batch_size`` (16 CPU, 128 CUDA).
    """
    import torch

    size = batch_size or cfg.predict_batch_size or (128 if device_type(cfg.device) == "cuda" else 16)
    model.to(cfg.device).eval()
    set_matmul_precision(cfg)
    order = sorted(range(len(records)), key=lambda i: sum(len(t) for _, t in records[i].segments()))
    out: list[Any] = []
    for batch, enc in _encoded_batches([records[i] for i in order], size, tok, cfg, tag_labels):
        with torch.inference_mode(), autocast(cfg):
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
                # words cut by max_length get "O": no entity (PAN-X) and a miss (UD-POS), never a spurious chunk
                out.append(tags + ["O"] * (len(rec.tokens) - len(tags)))
    restored: list[Any] = [None] * len(records)
    for i, pred in zip(order, out, strict=True):
        restored[i] = pred
    return restored


def _encoded_batches(
    records: Sequence[Record], size: int, tok: Any, cfg: TrainConfig, tag_labels: Sequence[str] | None
) -> Iterator[tuple[list[Record], Any]]:
    """``(batch, encoding)`` pairs; batch k+1 is tokenised in a thread while the caller runs batch k."""
    from concurrent.futures import ThreadPoolExecutor

    batches = [list(records[k : k + size]) for k in range(0, len(records), size)]
    with ThreadPoolExecutor(1, thread_name_prefix="xprep-tokenise") as pool:
        ahead = [pool.submit(encode, b, tok, cfg.max_length, cfg.stride, tag_labels) for b in batches[:1]]
        for k, batch in enumerate(batches):
            if k + 1 < len(batches):
                ahead.append(pool.submit(encode, batches[k + 1], tok, cfg.max_length, cfg.stride, tag_labels))
            yield batch, ahead.pop(0).result()


def device_type(device: str) -> str:
    """``cuda`` for ``cuda:1``: what ``torch.autocast`` and ``GradScaler`` take."""
    return device.split(":", 1)[0]


def autocast(cfg: TrainConfig) -> Any:
    """``torch.autocast`` for ``cfg.precision`` on ``cfg.device`` (disabled for fp32)."""
    import torch

    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(cfg.precision)
    return torch.autocast(device_type(cfg.device), dtype=dtype, enabled=dtype is not None)


def set_matmul_precision(cfg: TrainConfig) -> None:
    """On CUDA, let float32 matrix products use TF32 (``cfg.tf32``) or keep full float32."""
    import torch

    if device_type(cfg.device) == "cuda":
        torch.set_float32_matmul_precision("high" if cfg.tf32 else "highest")


def best_spans(batch: Sequence[Any], enc: Any, res: Any, max_answer: int = 30) -> dict[int, tuple[float, str, tuple]]:
    """Per record (by batch index): the best span over its windows by start + end logit (the top 20 of each,
    at most ``max_answer`` tokens, never in the question): (score, answer text, (window, start, end))."""
    best: dict[int, tuple[float, str, tuple]] = {}
    for w, owner in enumerate(enc.record_index):
        s_log, e_log = res.start_logits[w].float().tolist(), res.end_logits[w].float().tolist()
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
                    best[owner] = (score, ctx[offsets[s][0] : offsets[e][1]], (w, s, e))
    return best


def _best_spans(batch: list[SpanRecord], enc: Any, res: Any, max_answer: int = 30) -> list[str]:
    best = best_spans(batch, enc, res, max_answer)
    return [best[i][1] if i in best else "" for i in range(len(batch))]


__all__ = ["IGNORE", "TrainConfig", "load_head", "predict", "train"]
