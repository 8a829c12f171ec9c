"""Attack metrics as TextAttack defines them, the robust-accuracy curve, and the output folder.

Per language, over the attacked examples (``n``; *skipped*: the goal already held on the clean input;
*successes* and *failures* the others, a partial span success counting as a failure):

- ``clean_accuracy`` = 100 (n - skipped) / n; ``accuracy_under_attack`` = 100 failures / n;
- ``attack_success_rate`` = 100 successes / (successes + failures);
- ``avg_perturbed_word_pct``: mean over successes of 100 words changed / words of the attacked fields;
- ``avg_queries``: mean queries over successes and failures (the clean query included);
- ``forward_passes``: the victim's forward passes (cached queries need none); ``skipped``: the count.

For span tasks the accuracies are F1-based and named so (``metric: "f1"``, also ``clean_f1`` and
``f1_under_attack``: mean per-item F1, skipped items at their clean F1 of 0) and ``partial_success_rate`` is
added. For tagging ``clean_accuracy`` is the share of sentences at or above the threshold, and corpus
``clean_f1``/``f1_under_attack`` (seqeval chunk F1 as XTREME computes it) are added. The curve: robust accuracy at each
budget B = 100 (n - skipped - successes reached within B queries) / n, read from one run at the full budget
(the queries at which each success was first scored).

Outputs in ``OUT``: ``attack.json`` (declared settings, metrics, curve, per-item scores for ``xprep compare``),
``LANG/records.jsonl`` (the adversarial set in the evaluation format: the adversary where the attack succeeded
or partly succeeded, else the original; ``xprep evaluate RUN --eval LANG=OUT/LANG`` reads it),
``LANG/examples.jsonl`` (per-example records) and ``robust_accuracy.png``. ``LANG/`` is a cell written by the one
cell writer (HF dataset, ``manifest.json`` naming the attack, ``.complete``); the other files are written to a
temporary name and renamed into place.
"""

from __future__ import annotations

import json
import os
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from xprep.evaluate.metrics import seqeval_scores
from xprep.records import Record

PRIMARY = {"pair": "accuracy", "choice": "accuracy", "span": "f1", "tagging": "sentences_above_threshold"}


def _pct(x: float) -> float:
    return round(100 * x, 2)


def language_metrics(kind: str, rows: Sequence[dict[str, Any]], curve: Sequence[int]) -> dict[str, Any]:
    """The metrics of one language from its per-example records (see the module docstring)."""
    n = len(rows)
    status = [r["status"] for r in rows]
    skipped, successes = status.count("skipped"), status.count("success")
    failures = n - skipped - successes
    attacked = [r for r in rows if r["status"] != "skipped"]
    won = [r for r in rows if r["status"] == "success"]
    out: dict[str, Any] = {
        "metric": PRIMARY[kind],
        "n": n,
        "clean_accuracy": _pct((n - skipped) / n) if n else 0.0,
        "accuracy_under_attack": _pct(failures / n) if n else 0.0,
        "attack_success_rate": _pct(successes / len(attacked)) if attacked else 0.0,
        "avg_perturbed_word_pct": round(
            statistics.fmean(100 * r["adversarial"]["changed_words"] / max(r["words"], 1) for r in won), 2
        )
        if won
        else 0.0,
        "avg_queries": round(statistics.fmean(r["queries"] for r in attacked), 2) if attacked else 0.0,
        "forward_passes": sum(r["forward_passes"] for r in rows),
        "forward_passes_per_success": round(sum(r["forward_passes"] for r in rows) / successes, 2)
        if successes
        else None,
        "queries": sum(r["queries"] for r in rows),
        "cache_hits": sum(r["cache_hits"] for r in rows),
        "skipped": skipped,
        "successes": successes,
        "failures": failures,
    }
    if kind == "span":
        out["clean_f1"] = out["clean_accuracy"] = _pct(statistics.fmean(r["clean"]["item"] for r in rows))
        out["f1_under_attack"] = out["accuracy_under_attack"] = _pct(
            statistics.fmean(r["adversarial"]["item"] for r in rows)
        )
        out["partial_success_rate"] = _pct(status.count("partial") / len(attacked)) if attacked else 0.0
    if kind == "tagging":
        golds = [r["clean"]["record"]["tags"] for r in rows]
        out["clean_f1"] = _pct(seqeval_scores(golds, [r["clean"]["output"]["tags"] for r in rows])["f1"])
        out["f1_under_attack"] = _pct(seqeval_scores(golds, [r["adversarial"]["output"]["tags"] for r in rows])["f1"])
    out["robust_accuracy_curve"] = {
        str(b): _pct((n - skipped - sum(1 for r in won if r["first_success_query"] <= b)) / n) if n else 0.0
        for b in curve
    }
    return out


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``path`` through a temporary file in the same folder and one rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_adversarial_set(out: Path, lang: str, declared: dict[str, Any], rows: Sequence[dict[str, Any]]) -> None:
    """``OUT/LANG`` as a cell (the one cell writer): the adversarial records (``records.jsonl`` + HF dataset, usable
    as an evaluation set), ``examples.jsonl`` (each example's attack) and a manifest naming the attack."""
    from xprep.cell import open_cell
    from xprep.hashing import stable_hash
    from xprep.manifest import Manifest

    attack = {k: declared[k] for k in ("run", "model_fingerprint", "goal")}
    cell_declared = {
        "xprep_version": declared["xprep_version"],
        "task": {"name": declared["task"], "kind": declared["kind"], "split": "test", "limit": None},
        "languages": {"source": lang, "target": lang},
        "projection": [],
        "attack": {**attack, "name": declared["attack"]["name"], "input": declared["inputs"][lang],
                   "settings": stable_hash({k: declared[k] for k in ("attack", "config", "lexicons")}, length=16)},
    }  # fmt: skip
    with open_cell(out / lang, Manifest(declared=cell_declared), declared["kind"], owner=out) as cell:
        for row in rows:
            cell.write(row["adversarial"]["record"])
        (cell.tmp / "examples.jsonl").write_text(_jsonl(rows), encoding="utf-8")
        n = len(rows)
        outcomes = dict(sorted(Counter(r["status"] for r in rows).items()))
        cell.finish({"counts": {"in": n, "out": n, "dropped": 0, "dropped_by_reason": {}}, "outcomes": outcomes})


def _jsonl(rows: Sequence[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def plot_curve(metrics: dict[str, dict[str, Any]], path: Path) -> None:
    """robust_accuracy.png: robust accuracy (or F1-based for span) against the query budget, one line a language."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    for lang, m in metrics.items():
        xs = [int(b) for b in m["robust_accuracy_curve"]]
        ax.plot(xs, list(m["robust_accuracy_curve"].values()), marker="o", label=lang)
    ax.set_xscale("log")
    ax.set_xlabel("query budget per example")
    ax.set_ylabel("robust accuracy (%)")
    ax.set_ylim(0, 100)
    ax.legend(fontsize="small")
    fig.tight_layout()
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}.png")
    fig.savefig(tmp, dpi=120)
    plt.close(fig)
    os.replace(tmp, path)


def write_outputs(
    out: Path,
    declared: dict[str, Any],
    results: dict[str, list[dict[str, Any]]],
    evals: dict[str, Sequence[Record]],
    echo: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Write every output of an attack into ``out`` and return the content of ``attack.json``."""
    kind = declared["kind"]
    metrics = {lang: language_metrics(kind, rows, declared["config"]["curve"]) for lang, rows in results.items()}
    items = {}
    for lang, rows in results.items():
        write_adversarial_set(out, lang, declared, rows)
        items[lang] = {
            "ids": [r["id"] for r in rows],
            "clean_items": [r["clean"]["item"] for r in rows],
            "attacked_items": [r["adversarial"]["item"] for r in rows],
            "status": [r["status"] for r in rows],
        }
    content = {**declared, "metrics": metrics, "items": items}
    plot_curve(metrics, out / "robust_accuracy.png")
    write_text_atomic(out / "attack.json", json.dumps(content, indent=1, ensure_ascii=False) + "\n")
    echo(f"attack: {out / 'attack.json'} (adversarial sets: {out}/LANG/records.jsonl)")
    return content
