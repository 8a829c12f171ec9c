"""Attack rows of the comparison report, and transfer of one run's adversaries to other runs.

``attach_attacks`` finds every ``attack.json`` under a runs folder and files it with the run it attacked
(``content["run"]``), under the tag ``attack:<folder name>``. ``attack_rows`` gives one row per (target,
language, arm, attack) next to the perturbation rows: the clean score of the run's evaluation, the score under
attack (accuracy for pair and choice, F1 for span and tagging: the task's headline metric), the drop, flip
rate and robust accuracy from the per-item scores, the attack success rate (means over seeds), and the
robustness gain over the English arm on the items both attacked, with the paired bootstrap CI
(:func:`xprep.evaluate.robustness.robustness_gain`).

Each run is attacked with its own adversaries, so the gain compares how hard each model is to break.
:func:`transfer` instead scores the adversaries found against one reference run on other runs, so that two
conditions are compared on the same adversarial items.
"""

from __future__ import annotations

import json
import os
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from xprep.arms import Run, arms_of, gain_columns, in_report_order, mean_sd, reference
from xprep.evaluate.robustness import robustness

UNDER_ATTACK = {"pair": "accuracy_under_attack", "choice": "accuracy_under_attack", "span": "f1_under_attack",
                "tagging": "f1_under_attack", "transfer": "accuracy_under_attack"}  # fmt: skip


def attach_attacks(runs_dir: Path, runs: Sequence[Run]) -> None:
    """File every attack.json under ``runs_dir`` with its run: ``run.attacks[(lang, tag)] = per-language data``."""
    by_folder = {r.folder.resolve(): r for r in runs}
    for path in sorted(runs_dir.rglob("transfer.json")):  # a reference run's adversaries scored on other runs
        content = json.loads(path.read_text(encoding="utf-8"))
        for folder, langs in content.get("runs", {}).items():
            run = by_folder.get((path.parent / folder).resolve())  # relative to the attack folder (absolute: as is)
            for lang, data in langs.items() if run is not None else ():
                run.attacks[(lang, f"transfer:{path.parent.name}")] = {
                    "kind": "transfer",
                    "metrics": data["metrics"],
                    "items": dict(zip(data["ids"], zip(data["clean_items"], data["attacked_items"], strict=True),
                                      strict=True)),
                }  # fmt: skip
    for path in sorted(runs_dir.rglob("attack.json")):
        content = json.loads(path.read_text(encoding="utf-8"))
        run = by_folder.get((path.parent / content.get("run", "")).resolve())  # relative to the attack folder
        if run is None:
            continue
        for lang, metrics in content.get("metrics", {}).items():
            items = content["items"][lang]
            run.attacks[(lang, f"attack:{path.parent.name}")] = {
                "kind": content["kind"],
                "metrics": metrics,
                "items": dict(zip(items["ids"], zip(items["clean_items"], items["attacked_items"], strict=True),
                                  strict=True)),
            }  # fmt: skip


def _seed_items(group: Sequence[Run], key: tuple[str, str]) -> dict[str, tuple[float, float]]:
    """id -> (clean, attacked) item scores averaged over the seeds, on the ids every seed attacked."""
    maps = [r.attacks[key]["items"] for r in group if key in r.attacks]
    if not maps:
        return {}
    common = set(maps[0]).intersection(*map(set, maps[1:]))
    return {
        i: (statistics.fmean(m[i][0] for m in maps), statistics.fmean(m[i][1] for m in maps))
        for i in maps[0]
        if i in common
    }


def attack_rows(base_rows: Sequence[dict[str, Any]], runs: Sequence[Run], samples: int, seed: int) -> list[dict]:
    """One row per (target, language, arm, attack); ``base_rows`` give each arm's clean score."""
    clean = {(r["target"], r["lang"], r["arm"]): r for r in base_rows}
    rows: list[dict[str, Any]] = []
    for target in sorted({r.target for r in runs}):
        arm_runs = arms_of(runs, target)
        keys = sorted({k for r in runs if r.target == target for k in r.attacks})
        for lang, tag in keys:
            for arm, group in in_report_order(arm_runs):
                mine = [r.attacks[(lang, tag)] for r in group if (lang, tag) in r.attacks]
                base = clean.get((target, lang, arm))
                if not mine or base is None:
                    continue
                under = mean_sd([m["metrics"][UNDER_ATTACK[m["kind"]]] for m in mine])
                stats = [robustness([c for c, _ in m["items"].values()], [a for _, a in m["items"].values()])
                         for m in mine]  # fmt: skip
                row = {
                    **{k: base[k] for k in ("target", "lang", "arm", "condition", "intermediate", "metric")},
                    "seeds": len(mine),
                    "clean": base["clean"],
                    "clean_sd": base["clean_sd"],
                    "perturbation": tag,
                    "perturbed": under[0],
                    "perturbed_sd": under[1],
                    "drop": round(base["clean"] - under[0], 2),
                    "relative_drop": round((base["clean"] - under[0]) / base["clean"], 4) if base["clean"] else 0.0,
                    "flip_rate": round(statistics.fmean(s["flip_rate"] for s in stats), 2),
                    "robust_accuracy": round(statistics.fmean(s["robust_accuracy"] for s in stats), 2),
                    "attack_success_rate": round(statistics.fmean(m["metrics"]["attack_success_rate"] for m in mine),
                                                 2),
                    "items": stats[0]["n"],
                }  # fmt: skip
                ref = reference(arm_runs, arm)
                ours, theirs = _seed_items(group, (lang, tag)), _seed_items(arm_runs.get(ref, []), (lang, tag))
                both = [i for i in ours if i in theirs]
                if ref and both:
                    english = ([theirs[i][0] for i in both], [theirs[i][1] for i in both])
                    row.update(gain_columns(ref, english, ([ours[i][0] for i in both], [ours[i][1] for i in both]),
                                            samples, seed))  # fmt: skip
                rows.append(row)
    return rows


def transfer(attack_out: Path, task: str, runs: Sequence[Path], device: str = "cpu") -> dict[str, Any]:
    """Score the adversaries in ``attack_out`` (one attack's output folder) on other ``runs``; writes and returns
    ``attack_out/transfer.json``: per run and language the per-item scores on the original and on the adversarial
    items, the mean scores (percent) and the transfer success rate (items right on the original, wrong on its
    adversary, over items right on the original)."""
    from xprep.attack.report import write_text_atomic
    from xprep.evaluate.scoring import item_scores
    from xprep.io import read_records
    from xprep.records import record_from_dict
    from xprep.train.loop import TrainConfig, predict
    from xprep.train.run import load_trained

    content = json.loads((attack_out / "attack.json").read_text(encoding="utf-8"))
    out: dict[str, Any] = {"reference_run": content["run"], "attack": content["attack"]["name"], "runs": {}}
    for run in runs:
        saved = (
            json.loads((run / "results.json").read_text(encoding="utf-8")) if (run / "results.json").is_file() else {}
        )
        cfg = TrainConfig(**{**((saved.get("config") or {}).get("target") or {}), "device": device})
        model, tok, labels = load_trained(run, content["kind"])
        per_lang = {}
        for lang in content["metrics"]:
            adversarial = list(read_records(attack_out / lang / "records.jsonl"))
            rows = (attack_out / lang / "examples.jsonl").read_text(encoding="utf-8").splitlines()
            originals = [record_from_dict(json.loads(x)["clean"]["record"]) for x in rows]
            clean = item_scores(task, originals, predict(model, tok, originals, cfg, labels), lang)
            attacked = item_scores(task, adversarial, predict(model, tok, adversarial, cfg, labels), lang)
            right = [i for i, c in enumerate(clean) if c >= 0.5]
            score = round(100 * statistics.fmean(attacked), 2)
            per_lang[lang] = {
                "ids": [r.id for r in originals],
                "clean_items": [round(x, 4) for x in clean],
                "attacked_items": [round(x, 4) for x in attacked],
                "metrics": {
                    "clean": round(100 * statistics.fmean(clean), 2),
                    "accuracy_under_attack": score,
                    "f1_under_attack": score,
                    "attack_success_rate": round(100 * sum(attacked[i] < 0.5 for i in right) / len(right), 2)
                    if right else 0.0,
                },
            }  # fmt: skip
        # keyed relative to the attack folder, as attack.json names its run: a moved runs folder still reads
        out["runs"][os.path.relpath(run.resolve(), attack_out.resolve())] = per_lang
    write_text_atomic(attack_out / "transfer.json", json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    return out
