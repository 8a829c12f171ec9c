"""Attack a trained run on evaluation sets, one example at a time, resumably; see :mod:`xprep.attack.report`
for the outputs.

For every example: the clean query (skipped, and counted, when the goal already holds), the sites the
constraints allow, their candidates, then the recipe's search under the per-example query budget. Each
finished example is appended to ``OUT/.state/progress-<config hash>.jsonl`` and the output cache committed,
so a killed attack resumes where it stopped; the same command (same seed) gives the same adversaries.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xprep.attack.catalog import ATTACKS, AttackRecipe
from xprep.attack.constraints import Settings, Similarity, allowed_candidates, allowed_sites
from xprep.attack.goals import GOAL_OF_KIND, GOALS, Verdict, partial
from xprep.attack.lexicon import Lexicon, load_lexicon
from xprep.attack.search import SEARCHES, Attempt, Problem
from xprep.attack.sites import View
from xprep.attack.transforms import TransformContext, candidates
from xprep.attack.victim import Budget, OutputCache, Victim, fingerprint
from xprep.errors import InputError
from xprep.hashing import stable_hash
from xprep.records import Record, SpanRecord

CURVE = (10, 25, 50, 100, 200)


@dataclass(frozen=True)
class AttackConfig:
    """Every setting of an attack (recipe defaults are filled in by :func:`resolve`)."""

    recipe: str
    budget: int = 200
    seed: int = 0
    search: str | None = None
    width: int | None = None
    max_change: float | None = None
    threshold: float = 0.5  # tagging goal
    embed: tuple[str, ...] = ()  # codemix: embedded languages (default: every language the lexicons reach)
    per_language: int = 1
    variants: int = 3
    min_similarity: float | None = None
    similarity_model: str | None = None
    batch_size: int = 64
    device: str = "cpu"
    limit: int | None = None
    curve: tuple[int, ...] = CURVE

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def resolve(cfg: AttackConfig, kind: str) -> tuple[AttackRecipe, AttackConfig]:
    """The recipe and the configuration with its defaults; bad settings raise :class:`InputError`."""
    recipe = ATTACKS.get(cfg.recipe)
    if kind not in recipe.kinds:
        raise InputError(f"attack '{recipe.name}' does not apply to {kind} tasks", hint=f"it attacks {recipe.kinds}")
    SEARCHES.get(cfg.search or recipe.search)
    if cfg.budget < 1:
        raise InputError(f"--budget must be at least 1, got {cfg.budget}")
    if cfg.min_similarity is not None and not cfg.similarity_model:
        raise InputError("--min-similarity needs --similarity-model (an HF encoder folder, e.g. e5-small)")
    if cfg.similarity_model and not (Path(cfg.similarity_model) / "config.json").is_file():
        raise InputError("not an HF encoder folder (no config.json)", where=cfg.similarity_model,
                         hint="`xprep models e5-small` builds multilingual-e5-small")  # fmt: skip
    if not 0 < (cfg.max_change if cfg.max_change is not None else recipe.max_change) <= 1:
        raise InputError(f"--max-change must be in (0, 1], got {cfg.max_change}")
    full = dataclasses.replace(
        cfg,
        search=cfg.search or recipe.search,
        width=cfg.width or recipe.width,
        max_change=cfg.max_change if cfg.max_change is not None else recipe.max_change,
        curve=tuple(sorted({b for b in cfg.curve if b <= cfg.budget} | {cfg.budget})),
    )
    return recipe, full


def vocabulary(records: Sequence[Record]) -> set[str]:
    """Lower-cased words of the attacked fields (what a lexicon needs to keep)."""
    return {w.lower() for r in records for ws in View(r).words.values() for w in ws}


def language_context(
    recipe: AttackRecipe, cfg: AttackConfig, task: str, lang: str, records: Sequence[Record], lexicons: Sequence[Any]
) -> TransformContext:
    """Transformation settings for one language: its lexicon (when the recipe uses one) and distractor pool."""
    lexicon: Lexicon | None = None
    if recipe.lexicon == "required" and not lexicons:
        raise InputError(f"attack '{recipe.name}' needs lexicons", hint="--lexicon DIR or SRC-TGT=FILE (MUSE)")
    if lexicons and recipe.lexicon != "unused":
        lexicon = load_lexicon(lexicons, lang, cfg.embed or None, vocabulary(records))
        if recipe.lexicon == "required" and not lexicon.languages():
            raise InputError(f"no lexicon route from '{lang}' into another language", hint="see --lexicon")
    pool = sorted({r.context for r in records if isinstance(r, SpanRecord)}) if recipe.distractor else []
    return TransformContext(cfg.seed, task, lang, lexicon, cfg.per_language, cfg.variants, pool)


def _problem(
    rec: Record, recipe: AttackRecipe, cfg: AttackConfig, ctx: TransformContext, victim: Victim, settings: Settings
) -> tuple[Problem, dict[tuple[str, str], Any]]:
    view = View(rec)
    sites = allowed_sites(view, view.sites(distractor=recipe.distractor), recipe.constraints)
    cands: dict[str, list[Any]] = {}
    info: dict[tuple[str, str], Any] = {}
    for site in sites:
        got = allowed_candidates(view, site, candidates(site, rec, recipe.transformations, ctx), recipe.constraints)
        if got:
            cands[site.key] = got
            info.update({(site.key, c.text): c for c in got})
    goal = GOALS.get(GOAL_OF_KIND[rec.KIND])

    def judge(r: Record, out: dict[str, Any]) -> Verdict:
        return goal.judge(rec, out, cfg.threshold, ctx.task)  # always against the gold labels of the original

    sites = [s for s in sites if s.key in cands]
    problem = Problem(view, sites, cands, judge, victim, Budget(cfg.budget), recipe.constraints, settings)
    return problem, info


def _attempt_dict(a: Attempt, problem: Problem, info: dict[tuple[str, str], Any], victim: Victim) -> dict[str, Any]:
    edits = []
    for key, new in a.edits:
        site = problem.by_key[key]
        cand = info[(key, new)]
        edits.append(
            {
                "site": key,
                "field": site.field,
                "from": site.word,
                "to": new,
                "transformation": cand.transformation,
                "detail": cand.detail,
            }
        )
    (out,) = victim.cache.get([victim.key(a.record)]).values()
    return {
        "record": a.record.to_dict(),
        "edits": edits,
        "score": round(a.verdict.score, 6),
        "item": round(a.verdict.item, 4),
        "changed_words": a.changed,
        "query": a.query,
        "output": out,
    }


def attack_example(
    rec: Record, recipe: AttackRecipe, cfg: AttackConfig, ctx: TransformContext, victim: Victim, settings: Settings
) -> dict[str, Any]:
    """One example's attack record: status, original, adversary, edits, queries, forward passes."""
    passes0, hits0 = victim.forward_passes, victim.cache_hits
    problem, info = _problem(rec, recipe, cfg, ctx, victim, settings)
    start = problem.begin()
    status, found = "skipped", None
    if not start.verdict.success:
        found = SEARCHES.get(cfg.search or recipe.search)(problem, cfg.width or 1)
        adv = found.best.verdict
        status = "success" if adv.success else "partial" if partial(start.verdict, adv) else "failed"
    best = found.best if found and status in ("success", "partial") else start
    result = {
        "id": rec.id,
        "status": status,
        "words": problem.view.n_words,
        "sites": len(problem.sites),
        "queries": problem.budget.used,
        "first_success_query": problem.first_success if status == "success" else None,
        "forward_passes": victim.forward_passes - passes0,
        "cache_hits": victim.cache_hits - hits0,
        "invalid_candidates": problem.invalid,
        "clean": _attempt_dict(start, problem, info, victim),
        "adversarial": _attempt_dict(best, problem, info, victim),
    }
    if found is not None and found.strongest is not None and found.strongest is not found.best:
        result["strongest"] = _attempt_dict(found.strongest, problem, info, victim)
    return result


def load_victim(run: Path, kind: str, cfg: AttackConfig, cache: OutputCache) -> Victim:
    """The run's target model as a :class:`Victim` with the run's encoding settings."""
    from xprep.train.run import load_trained

    model, tok, labels = load_trained(run, kind)
    saved = json.loads((run / "results.json").read_text(encoding="utf-8")) if (run / "results.json").is_file() else {}
    target_cfg = (saved.get("config") or {}).get("target") or {}
    target_dir = run / "target" if (run / "target").is_dir() else run
    return Victim(
        model,
        tok,
        kind,
        labels,
        fingerprint(target_dir),
        int(target_cfg.get("max_length", 256)),
        int(target_cfg.get("stride", 128)),
        cfg.device,
        cfg.batch_size,
        cache,
    )


def _done(progress: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """Examples a previous (killed) attack finished; a torn last line is dropped and the file rewritten."""
    if not progress.is_file():
        return {}
    done, good = {}, []
    for line in progress.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            break
        done[(row["lang"], row["id"])] = row
        good.append(line)
    progress.write_text("".join(f"{x}\n" for x in good), encoding="utf-8")
    return done


def attack_sets(
    run: Path,
    task: str,
    evals: dict[str, Sequence[Record]],
    cfg: AttackConfig,
    out: Path,
    lexicons: Sequence[Any] = (),
    progress: bool = True,
    echo: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Attack ``run`` on every language's records and write the outputs into ``out``; returns attack.json."""
    empty = [lang for lang, recs in evals.items() if not recs]
    if not evals or empty:
        raise InputError(f"no records to attack for {', '.join(empty) or 'any language'}", hint="--eval LANG=FILE")
    from xprep.owned import check_name, check_output_dir, locked

    for lang in evals:
        check_name(lang, "language")  # it names a folder of the output
    check_output_dir(out)
    kind = next(iter(evals.values()))[0].KIND
    recipe, cfg = resolve(cfg, kind)
    evals = {lang: list(recs)[: cfg.limit] if cfg.limit else list(recs) for lang, recs in evals.items()}
    contexts = {lang: language_context(recipe, cfg, task, lang, recs, lexicons) for lang, recs in evals.items()}
    victim = load_victim(run, kind, cfg, OutputCache())  # a bad run fails before anything is written
    with locked(out / "attack.json", "attack"):  # one attack at a time writes into an output folder
        return _attack_locked(run, task, evals, cfg, recipe, contexts, victim, out, progress, echo)


def _attack_locked(run: Path, task: str, evals: dict[str, list[Record]], cfg: AttackConfig, recipe: AttackRecipe,
                   contexts: dict[str, TransformContext], victim: Victim, out: Path, progress: bool,
                   echo: Callable[[str], None]) -> dict[str, Any]:  # fmt: skip
    from xprep.attack.report import write_outputs

    state = out / ".state"
    cache = victim.cache = OutputCache(state / "cache.sqlite")
    try:
        similarity = (
            Similarity(cfg.similarity_model, cfg.min_similarity, cfg.device)
            if cfg.min_similarity is not None and cfg.similarity_model
            else None
        )
        settings = Settings(max_change=cfg.max_change or 1.0, similarity=similarity)
        declared = _declared(run, out, task, recipe, cfg, victim, contexts, evals)
        path = state / f"progress-{stable_hash(declared, length=16)}.jsonl"
        done = _done(path)
        results: dict[str, list[dict[str, Any]]] = {lang: [] for lang in evals}
        with _bar(sum(map(len, evals.values())), progress) as bar, path.open("a", encoding="utf-8") as fh:
            for lang, records in evals.items():
                for rec in records:
                    row = done.get((lang, rec.id))
                    if row is None:
                        row = {"lang": lang, **attack_example(rec, recipe, cfg, contexts[lang], victim, settings)}
                        fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                        fh.flush()
                        cache.commit()
                    results[lang].append(row)
                    bar.update(1)
        declared["similarity_passes"] = similarity.passes if similarity else 0
        return write_outputs(out, declared, results, evals, echo)
    finally:
        cache.close()


def _declared(
    run: Path,
    out: Path,
    task: str,
    recipe: AttackRecipe,
    cfg: AttackConfig,
    victim: Victim,
    contexts: dict[str, TransformContext],
    evals: dict[str, list[Record]],
) -> dict[str, Any]:
    from xprep import __version__

    return {
        "xprep_version": __version__,
        "run": os.path.relpath(run.resolve(), out.resolve()),  # relative: no path of this machine
        "model_fingerprint": victim.fp,
        "task": task,
        "kind": victim.kind,
        "attack": dataclasses.asdict(recipe),
        "config": cfg.as_dict(),
        "goal": GOAL_OF_KIND[victim.kind],
        "inputs": {lang: stable_hash([r.to_dict() for r in recs], length=16) for lang, recs in evals.items()},
        "lexicons": {lang: c.lexicon.describe() if c.lexicon else None for lang, c in contexts.items()},
    }


class _bar:
    def __init__(self, total: int, enabled: bool) -> None:
        import sys

        from tqdm import tqdm

        self.bar = tqdm(total=total, desc="attack", unit="ex", file=sys.stderr, disable=not enabled, mininterval=1.0)

    def __enter__(self) -> Any:
        return self.bar

    def __exit__(self, *exc: object) -> None:
        self.bar.close()
