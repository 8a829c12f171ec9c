"""Training throughput of xprep's loop at real size: XLM-R-Large-shaped random weights, sequence length 256.

Builds an XLM-R Large configuration (24 layers, hidden 1024, 16 heads, FFN 4096, vocabulary 250,002)
with random weights and a sequence-pair classification head, then runs ``xprep.train.loop.train`` on
synthetic pairs padded to the full length for ``--steps`` optimizer steps, and prints steps/s,
sequences/s, peak memory (CUDA: ``max_memory_allocated``; CPU: peak RSS) and the time one MNLI
intermediate epoch (392,702 pairs) would take at that rate. The model is on the device before the
clock starts, and the clock starts after ``--warmup-steps`` optimizer steps (the first step allocates
the optimizer state and the CUDA kernels warm up), read when the step's loss is on the host (a device
sync). Meant for a GPU: ``python scripts/bench_train.py --device cuda --precision bf16 --steps 300``.
``--shape tiny`` runs the same path in seconds on a CPU (a smoke run, not a measurement).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

MNLI_TRAIN = 392_702
SHAPES = {
    "large": {
        "hidden_size": 1024,
        "num_hidden_layers": 24,
        "num_attention_heads": 16,
        "intermediate_size": 4096,
        "vocab_size": 250_002,
    },
    "tiny": {
        "hidden_size": 32,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "intermediate_size": 64,
        "vocab_size": 1_000,
    },
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=sorted(SHAPES), default="large")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--grad-accum", type=int, default=8)
    parser.add_argument("--seq", type=int, default=256)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--precision", choices=["fp32", "bf16", "fp16"], default="bf16")
    parser.add_argument("--warmup-steps", type=int, default=None, help="steps before the clock starts (default 3)")
    args = parser.parse_args()
    if args.warmup_steps is None:
        args.warmup_steps = min(3, args.steps - 1)
    if not 0 < args.warmup_steps < args.steps:
        parser.error("--warmup-steps must be at least 1 and fewer than --steps")
    cuda = args.device.startswith("cuda")

    import torch
    from transformers import XLMRobertaConfig, XLMRobertaForSequenceClassification

    from xprep.manifest import peak_rss_mb
    from xprep.mt.tiny import synthetic_sentences, xlmr_tokenizer
    from xprep.records import PairRecord
    from xprep.train.loop import TrainConfig, train

    with tempfile.TemporaryDirectory() as tmp:
        texts = synthetic_sentences(2000, seed=3, min_words=40, max_words=80)
        tok = xlmr_tokenizer(texts, Path(tmp), vocab_size=4000)
        shape = dict(SHAPES[args.shape])
        shape["vocab_size"] = max(shape["vocab_size"], len(tok))
        torch.manual_seed(0)
        model = XLMRobertaForSequenceClassification(
            XLMRobertaConfig(**shape, max_position_embeddings=514, num_labels=3, pad_token_id=1)
        )
        n_params = sum(p.numel() for p in model.parameters())
        records = [
            PairRecord(id=str(i), lang="en", text_a=texts[i], text_b=texts[i + 1], label=i % 3)
            for i in range(len(texts) - 1)
        ]
        cfg = TrainConfig(
            learning_rate=1e-5,
            batch_size=args.batch_size,
            grad_accum=args.grad_accum,
            max_length=args.seq,
            max_steps=args.steps,
            device=args.device,
            precision=args.precision,
        )
        model.to(args.device)  # the upload is not part of the measurement
        if cuda:
            torch.cuda.reset_peak_memory_stats()
        marks: dict[int, float] = {}

        def clock(step: int, loss: float) -> None:  # the loss reached the host: the step has finished
            marks[step] = time.perf_counter()

        log = train(model, tok, records, cfg, progress=clock)
        measured = log["steps"] - args.warmup_steps
        seconds = marks[log["steps"]] - marks[args.warmup_steps]
        peak = (torch.cuda.max_memory_allocated() / 2**20) if cuda else peak_rss_mb()
    report = {
        "shape": args.shape,
        "parameters": n_params,
        "device": args.device,
        "precision": args.precision,
        "seq": args.seq,
        "batch": args.batch_size,
        "grad_accum": args.grad_accum,
        "steps": log["steps"],
        "warmup_steps": args.warmup_steps,
        "measured_steps": measured,
        "seconds": round(seconds, 2),
        "steps_per_s": round(measured / seconds, 3),
        "sequences_per_s": round(measured * args.batch_size * args.grad_accum / seconds, 1),
        "mnli_epoch_hours": round(MNLI_TRAIN / (args.batch_size * args.grad_accum) / (measured / seconds) / 3600, 2),
        "peak_memory_mb": round(peak, 1),
        "last_loss": round(log["losses"][-1], 4),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
