"""Schemas of what a training run, an attack and a recipe run write: ``results.json``, ``attack.json`` and
``plan.json``."""

from __future__ import annotations

from xprep.schemas.parts import (
    KINDS,
    Schema,
    array,
    boolean,
    document,
    enum,
    integer,
    nullable_string,
    number,
    obj,
    open_map,
    string,
    xprep_version,
)


def run_results() -> Schema:
    from xprep.settings import CONDITIONS

    row = obj("one score", {
        "task": string("target task"),
        "lang": string("evaluation language"),
        "tag": string("evaluation tag: clean, a perturbation label, or attack:NAME"),
        "metric": string("metric name (accuracy, f1, exact_match...), as XTREME's evaluate.py names it"),
        "value": number("the score, in percent (0-100) for rates"),
        "n": integer("evaluated examples"),
    }, required=["task", "lang", "tag", "metric", "value", "n"], closed=False)  # fmt: skip
    train_cfg = open_map("a TrainConfig (xprep.train.loop): learning_rate, epochs, batch_size, grad_accum, "
                         "warmup (fraction of steps), max_length and stride (tokens), seed, device, precision, "
                         "max_steps, checkpoint_dir (volatile path), save_every (optimizer steps)...")  # fmt: skip
    body = obj("a training run's results.json", {
        "xprep_version": xprep_version(),
        "model": string("the encoder trained: a hub id, a folder, or a built encoder's name (tiny-xlmr)"),
        "names": open_map("names of what was trained: intermediate, target, arm (the condition's name)",
                          {"type": ["string", "null"], "description": "a task list, a task or an arm name"}),
        "condition": enum("what the intermediate phase trained on (null: not said)",
                          list(CONDITIONS), nullable=True),
        "config": obj("training settings per phase (a recipe run also names its recipe)", {
            "intermediate": {**train_cfg, "type": ["object", "null"]},
            "target": train_cfg,
            "retrieval": open_map("retrieval settings: layer, prefix, limit"),
            "recipe": string("the recipe's name"),
        }, required=[]),
        "seeds": obj("seeds per phase", {
            "intermediate": integer("seed of the intermediate phase (null: none ran)", None, nullable=True),
            "target": integer("seed of the target phase", None),
        }),
        "training": open_map("per phase: steps, epochs, losses, timings (seconds; volatile)"),
        "results": array("scores per task, language, tag and metric (a recipe run scores in eval/)", row),
        "note": string("how the scores are computed"),
    })  # fmt: skip
    return document("run-results", "xprep run results",
                    "results.json of `xprep train` or of a recipe's target step", body)  # fmt: skip


def _attack_names() -> dict[str, list[str]]:
    from xprep.attack.catalog import ATTACKS
    from xprep.attack.goals import GOALS
    from xprep.attack.search import SEARCHES

    return {"attacks": ATTACKS.names(), "goals": GOALS.names(), "searches": SEARCHES.names()}


def _attack_recipe(names: dict[str, list[str]]) -> Schema:
    return obj("the attack recipe (xprep.attack.catalog)", {
        "name": enum("attack recipe", names["attacks"]),
        "description": string("what the attack does"),
        "kinds": array("record kinds it attacks", enum("a kind", KINDS)),
        "transformations": array("transformations (xprep.attack.transforms)", string("a transformation")),
        "constraints": array("constraints (xprep.attack.constraints)", string("a constraint")),
        "search": enum("default search", names["searches"]),
        "width": integer("default beam width", 1),
        "max_change": number("default largest share of words changed, in (0, 1]", 0, 1),
        "lexicon": enum("whether a lexicon is needed", ["required", "optional", "unused"]),
        "distractor": boolean("whether it appends a distractor sentence"),
    })  # fmt: skip


def _attack_config(names: dict[str, list[str]]) -> Schema:
    return obj("every setting of the attack (recipe defaults filled in)", {
        "recipe": enum("attack recipe", names["attacks"]),
        "budget": integer("queries to the model per example", 1),
        "seed": integer("seed", None),
        "search": enum("search", names["searches"], nullable=True),
        "width": integer("beam width", 1, nullable=True),
        "max_change": number("largest share of words changed, in (0, 1]", 0, 1, nullable=True),
        "threshold": number("tagging goal: share of tags that must change, in [0, 1]", 0, 1),
        "embed": array("codemix: embedded languages (empty: every language the lexicons reach)", string("a code")),
        "per_language": integer("codemix: candidates per embedded language", 1),
        "variants": integer("variants per site", 1),
        "min_similarity": number("lowest cosine similarity to the original (above 1: nothing passes)", nullable=True),
        "similarity_model": nullable_string("encoder of the similarity constraint (folder name)"),
        "batch_size": integer("examples per forward pass", 1),
        "device": string("torch device"),
        "limit": integer("at most this many examples per language", 1, nullable=True),
        "curve": array("query budgets of the robust accuracy curve", integer("a budget", 1)),
    })  # fmt: skip


def _attack_metrics() -> Schema:
    pct = "percent, 0-100"
    return obj("one language's metrics", {
        "metric": string("headline metric of the kind (accuracy, f1, sentences_above_threshold)"),
        "n": integer("examples"),
        "clean_accuracy": number(f"score on the clean examples ({pct})", 0, 100),
        "accuracy_under_attack": number(f"score on the adversarial examples ({pct})", 0, 100),
        "attack_success_rate": number(f"successes over attacked examples ({pct})", 0, 100),
        "avg_perturbed_word_pct": number(f"words changed in successful adversaries ({pct})", 0, 100),
        "avg_queries": number("mean queries per attacked example", 0),
        "forward_passes": integer("model forward passes"),
        "forward_passes_per_success": number("forward passes per success", 0, nullable=True),
        "queries": integer("queries"),
        "cache_hits": integer("queries answered by the output cache"),
        "skipped": integer("examples already wrong (not attacked)"),
        "successes": integer("examples whose adversary succeeded"),
        "failures": integer("examples attacked without success"),
        "clean_f1": number(f"span/tagging: clean F1 ({pct})", 0, 100),
        "f1_under_attack": number(f"span/tagging: F1 under attack ({pct})", 0, 100),
        "partial_success_rate": number(f"span: partial successes over attacked ({pct})", 0, 100),
        "robust_accuracy_curve": open_map(f"query budget -> robust accuracy ({pct})", number("a score", 0, 100)),
    }, required=["metric", "n", "attack_success_rate", "robust_accuracy_curve"])  # fmt: skip


def attack_set() -> Schema:
    names = _attack_names()
    items = obj("per-item scores of one language, in example order", {
        "ids": array("example ids", string("an id")),
        "clean_items": array("item score on the original", number("score")),
        "attacked_items": array("item score on the adversary", number("score")),
        "status": array("outcome", enum("outcome", ["success", "partial", "failed", "skipped"])),
    })  # fmt: skip
    body = obj("an attack's attack.json", {
        "xprep_version": xprep_version(),
        "run": string("the attacked run folder, relative to this attack's folder"),
        "model_fingerprint": string("fingerprint of the attacked model's files"),
        "task": string("target task"),
        "kind": enum("record kind", KINDS),
        "attack": _attack_recipe(names),
        "config": _attack_config(names),
        "goal": enum("attack goal", names["goals"]),
        "inputs": open_map("language -> hash of the evaluation records attacked", string("a 16-hex-digit hash")),
        "lexicons": open_map("language -> lexicon routes and coverage (null: none)"),
        "similarity_passes": integer("forward passes of the similarity encoder"),
        "metrics": open_map("language -> metrics", _attack_metrics()),
        "items": open_map("language -> per-item scores", items),
    })  # fmt: skip
    return document("attack-set", "xprep attack manifest",
                    "attack.json of `xprep attack` (adversarial sets in LANG/records.jsonl beside it)",
                    body)  # fmt: skip


def recipe_plan() -> Schema:
    from xprep.steps.base import STAGES

    step = obj("one step, inputs before the steps that use them", {
        "stage": enum("stage", sorted(STAGES)),
        "name": string("readable name of the step"),
        "hash": string("hash of the step's settings and its inputs' hashes (16 hex digits)",
                       pattern="^[0-9a-f]{16}$"),
        "folder": string("the step's folder, relative to the run folder"),
    })  # fmt: skip
    return document("recipe-plan", "xprep recipe plan", "plan.json of `xprep run RECIPE`: every step of the study",
                    array("the steps, in order", step))  # fmt: skip
