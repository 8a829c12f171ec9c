"""Commands that train and evaluate: train, evaluate."""

from __future__ import annotations

import json
from pathlib import Path

import click

from xprep.cli.app import _table, main
from xprep.errors import XprepError
from xprep.settings import CONDITIONS, DEVICES, PRECISIONS, TRAIN


def _read_build(folder: str) -> tuple[list, int]:
    """Records of a build folder (records.jsonl); records whose labels failed to project are left out."""
    from xprep.io import read_records

    path = Path(folder)
    path = path / "records.jsonl" if path.is_dir() else path
    if not path.is_file():
        raise XprepError("no records.jsonl here", where=str(folder), hint="a folder made by translate/native build")
    records = list(read_records(path))
    kept = [r for r in records if not r.labels_failed()]
    return kept, len(records) - len(kept)


@main.command("train")
@click.option(
    "--intermediate",
    default=None,
    help="Intermediate task(s), comma-separated: build folders, or task names (mnli, squad_v2, ...) for the English "
    "data from the hub. Several tasks train together: one shared "
    "encoder, a head per task kind, batches drawn in proportion to task size. Omit for the no-intermediate baseline.",
)
@click.option(
    "--target",
    required=True,
    help="An XTREME task name (xnli, pawsx, ...: its English training data from the hub), a build folder, or with "
    "--target-task a file in that task's format.",
)
@click.option(
    "--target-task",
    default=None,
    help="XTREME task (xnli, pawsx, udpos, panx, xquad, mlqa, tydiqa): --target and --eval are then files in its "
    "original format.",
)
@click.option(
    "--eval",
    "evals",
    multiple=True,
    required=True,
    help="LANG=FOLDER with evaluation records (zero-shot); repeat per language.",
)
@click.option("--model", default="xlm-roberta-large", show_default=True, help="HF encoder folder or hub id.")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Run folder (results.json, models).")
@click.option("--lr", default=TRAIN.learning_rate, show_default=True, help="Learning rate (the study: 1e-5).")
@click.option("--intermediate-epochs", default=TRAIN.intermediate_epochs, show_default=True)
@click.option(
    "--target-epochs",
    default=None,
    type=float,
    help="Default: the study's value for --target-task (XNLI 2, PAWS-X 5, UD-POS and PAN-X 10, QA 2), else 2.",
)
@click.option("--batch-size", default=TRAIN.batch_size, show_default=True)
@click.option(
    "--grad-accum", default=TRAIN.grad_accum, show_default=True, help="The study: 8 (classification, tagging), 4 (QA)."
)
@click.option("--max-length", default=TRAIN.max_length, show_default=True, help="The study: 256; QA 384.")
@click.option("--stride", default=TRAIN.stride, show_default=True, help="QA window overlap.")
@click.option("--warmup", default=TRAIN.warmup, show_default=True)
@click.option("--seed", default=0, show_default=True)
@click.option("--device", type=click.Choice(DEVICES), default=TRAIN.device, show_default=True)
@click.option("--precision", type=click.Choice(PRECISIONS), default=TRAIN.precision, show_default=True)
@click.option("--max-steps", default=None, type=int, help="Stop each phase after N optimizer steps (smoke runs).")
@click.option(
    "--processes",
    default=TRAIN.processes,
    show_default=True,
    type=click.IntRange(min=1),
    help="Data-parallel training processes (one per GPU; on a CPU, cores shared out). The global batch stays "
    "batch size x grad accum, so results match one process up to rounding.",
)
@click.option("--tf32/--no-tf32", default=True, show_default=True, help="CUDA: float32 products on TF32 tensor cores.")
@click.option(
    "--final-checkpoint", is_flag=True, help="Keep the optimizer state in each phase's last checkpoint (to train on)."
)
@click.option(
    "--condition",
    type=click.Choice(list(CONDITIONS)),
    default=None,
    help="What the intermediate data is, recorded for `xprep compare` (default: none without --intermediate).",
)
def train_cmd(
    intermediate: str | None,
    target: str,
    target_task: str | None,
    evals: tuple[str, ...],
    model: str,
    out: Path,
    lr: float,
    intermediate_epochs: float,
    target_epochs: float | None,
    batch_size: int,
    grad_accum: int,
    max_length: int,
    stride: int,
    warmup: float,
    seed: int,
    device: str,
    precision: str,
    max_steps: int | None,
    processes: int,
    tf32: bool,
    final_checkpoint: bool,
    condition: str | None,
) -> None:
    """Intermediate task -> target task -> zero-shot evaluation per language; writes OUT/results.json."""
    from xprep.owned import check_output_dir
    from xprep.preflight import check_encoder
    from xprep.train.loop import TrainConfig
    from xprep.train.run import run_two_phase

    check_output_dir(out)
    check_encoder(model)
    inter = _intermediate_records(intermediate)
    tgt, target, target_task, target_epochs = _target_records(target, target_task, target_epochs)
    eval_sets = _eval_sets(evals, target_task)
    base = dict(learning_rate=lr, batch_size=batch_size, grad_accum=grad_accum, warmup=warmup,
                max_length=max_length, stride=stride, seed=seed, device=device, precision=precision,
                max_steps=max_steps, tf32=tf32, final_checkpoint=final_checkpoint, processes=processes)  # fmt: skip
    result = run_two_phase(
        model,
        out,
        tgt,
        eval_sets,
        inter or None,
        TrainConfig(epochs=intermediate_epochs, **base),
        TrainConfig(epochs=target_epochs or 2.0, **base),
        names={"intermediate": intermediate or "none", "target": target_task or _build_task_name(target)},
        echo=click.echo,
        condition=condition,
    )
    rows = [[r["task"], r["lang"], r["metric"], r["value"], r["n"]] for r in result["results"]]
    click.echo(_table(rows, ["target", "lang", "metric", "value (%)", "n"]))
    click.echo(f"results: {out / 'results.json'} (per-item scores: {out / 'eval'})")


def _intermediate_records(intermediate: str | None) -> list:
    """--intermediate's records: build folders, or English tasks by name from the hub (each one non-empty)."""
    from xprep.tasks import TASKS, load_task

    inter: list = []
    for folder in (x.strip() for x in (intermediate or "").split(",")):
        if not folder:
            continue
        if folder in TASKS and not Path(folder).exists():  # an English intermediate task by name: the hub
            recs, skipped = list(load_task(folder, "train")), 0
        else:
            recs, skipped = _read_build(folder)
        if not recs:  # training on nothing would skip the phase while results.json names it
            raise XprepError("no intermediate records with projected labels", where=folder)
        inter += recs
        click.echo(f"intermediate {folder}: {len(recs)} records ({skipped} left out: labels not projected)")
    return inter


def _target_records(
    target: str, target_task: str | None, target_epochs: float | None
) -> tuple[list, str, str | None, float | None]:
    """--target's training records, with --target and --target-task resolved (``--target xnli``: the hub) and
    the study's epochs for that task where none were given."""
    from xprep.tasks.targets import TARGETS, load_target, load_target_train

    if target_task is None and target in TARGETS and not Path(target).exists():
        target_task, target = target, "hub"  # `--target xnli`: XTREME's English training data from the hub
    if target_task:
        tgt = load_target_train(target_task) if target == "hub" else load_target(target_task, "en", target)
        skipped = 0
        target_epochs = target_epochs or TARGETS.get(target_task).target_epochs
    else:
        tgt, skipped = _read_build(target)
    if not tgt:
        raise XprepError("no target training records with labels", where=target)
    click.echo(f"target {target}: {len(tgt)} records ({skipped} left out)")
    return tgt, target, target_task, target_epochs


def _eval_sets(evals: tuple[str, ...], target_task: str | None) -> dict[str, list]:
    """Language -> evaluation records of each --eval LANG=FOLDER (a file or hub with --target-task)."""
    from xprep.languages import check_language
    from xprep.tasks.targets import load_target

    eval_sets = {}
    for item in evals:
        lang, _, folder = item.partition("=")
        if not folder:
            raise XprepError(f"bad --eval {item!r}", hint="LANG=FOLDER, e.g. de=build/xnli/de/test")
        lang = check_language(lang, f"--eval {item}")  # it names the eval file
        eval_sets[lang] = (
            load_target(target_task, lang, None if folder == "hub" else folder)
            if target_task
            else _read_build(folder)[0]
        )
    return eval_sets


@main.command("evaluate")
@click.argument("model_or_run")
@click.option(
    "--task",
    required=True,
    help="tatoeba or bucc (retrieval, no training: MODEL is an encoder), or an XTREME task (xnli, pawsx, udpos, panx, "
    "xquad, mlqa, tydiqa: MODEL is a run folder from xprep train).",
)
@click.option(
    "--eval", "evals", multiple=True, help="XTREME tasks: LANG=FILE in the task's original format, or LANG=hub; repeat."
)
@click.option("--rescore", is_flag=True, help="XTREME tasks: re-score the run's saved predictions (no model needed).")
@click.option(
    "--tag",
    default="clean",
    show_default=True,
    help="XTREME tasks: name of the evaluation condition (clean, or the perturbation the --eval files carry); "
    "scores go to RUN/eval/TASK.LANG.TAG.json for `xprep compare`.",
)
@click.option(
    "--data",
    default=None,
    type=click.Path(path_type=Path, exists=True),
    help="Retrieval: folder with tatoeba.X-eng.{X,eng} or BUCC {lang}-en.test.{lang,en,gold} files.",
)
@click.option("--langs", default="deu,fra,spa", show_default=True, help="Retrieval: codes as in the file names.")
@click.option("--layer", default=None, type=int, help="tatoeba: layer to mean-pool (default 14/24 of the depth).")
@click.option("--prefix", default="", help="tatoeba: text before every sentence (e5 models: 'query: ').")
@click.option("--limit", default=None, type=click.IntRange(min=1), help="tatoeba: first N pairs per language.")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True)
@click.option("--out", default=None, type=click.Path(path_type=Path), help="tatoeba: write results.json here.")
def evaluate_cmd(
    model_or_run: str,
    task: str,
    evals: tuple[str, ...],
    rescore: bool,
    tag: str,
    data: Path | None,
    langs: str,
    layer: int | None,
    prefix: str,
    limit: int | None,
    device: str,
    out: Path | None,
) -> None:
    """Zero-shot evaluation: Tatoeba retrieval with an encoder, or an XTREME task with a trained run."""
    if task in ("tatoeba", "bucc"):
        from xprep.evaluate.retrieval import evaluate_bucc, evaluate_tatoeba

        if data is None:
            raise XprepError(f"{task} needs --data DIR")
        codes = [x.strip() for x in langs.split(",") if x.strip()]
        if task == "tatoeba":
            rows = evaluate_tatoeba(model_or_run, data, codes, layer, prefix, limit, device=device)
        else:
            rows = evaluate_bucc(model_or_run, data, codes, layer=layer, prefix=prefix, device=device)
        if out:
            from xprep.io import write_text_atomic

            write_text_atomic(out, json.dumps({"model": model_or_run, "results": rows}, indent=2) + "\n")
    else:
        from xprep.languages import check_language
        from xprep.owned import check_name
        from xprep.preflight import check_run_task
        from xprep.train.run import evaluate_run

        check_name(tag, "tag", "--tag")
        check_run_task(Path(model_or_run), task)
        if not evals:
            raise XprepError(f"{task} needs --eval LANG=FILE (one per language)")
        sets = {}
        for item in evals:
            lang, _, path = item.partition("=")
            if not path:
                raise XprepError(f"bad --eval {item!r}", hint="LANG=FILE")
            lang = check_language(lang, f"--eval {item}")
            sets[lang] = _eval_records(task, lang, path)
            if not sets[lang]:
                raise XprepError("no evaluation records", where=path)
        rows = evaluate_run(Path(model_or_run), task, sets, rescore, device, tag)
        out = Path(model_or_run) / "eval" / f"{task}.*.{tag}.json"  # what the message names (a pattern)
    click.echo(
        _table(
            [[r["task"], r["lang"], r["metric"], r["value"], r["n"]] for r in rows],
            ["task", "lang", "metric", "value (%)", "n"],
        )
    )
    if out:
        click.echo(f"results: {out}")


def _eval_records(task: str, lang: str, path: str) -> list:
    """Evaluation records: the hub, a file in the task's original format, or a records.jsonl / build folder
    (what `xprep perturb` writes)."""
    from xprep.tasks.targets import load_target

    if path == "hub":
        return load_target(task, lang)
    p = Path(path)
    if p.is_dir() or p.name.endswith(".jsonl"):
        return _read_build(path)[0]
    return load_target(task, lang, p)


@main.command("perturb")
@click.argument("source", type=click.Path(path_type=Path, exists=True))
@click.option(
    "--perturbation",
    required=True,
    help="typos, diacritics, casing, homoglyphs, punctuation, code-switch, word-order, distractor.",
)
@click.option(
    "--lexicon",
    "lexicons",
    multiple=True,
    type=click.Path(path_type=Path, exists=True),
    help="code-switch: word<TAB>translation lexicon(s), e.g. from `xprep dict import`; repeat.",
)
@click.option("--rate", default=0.1, show_default=True, help="Share of perturbable words to change.")
@click.option("--seed", default=0, show_default=True)
@click.option(
    "--task",
    required=True,
    help="Target task name (xnli, pawsx, xquad, ...): rules depend on it. tatoeba/bucc: SOURCE is a retrieval "
    "folder and only its non-English side is perturbed.",
)
@click.option("--fields", default=None, help="Span records: question (default) and/or context, comma-separated.")
@click.option("--lang", default=None, help="The language of SOURCE when it is a file in the task's release format.")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Output folder.")
def perturb_cmd(
    source: Path,
    perturbation: str,
    lexicons: tuple[Path, ...],
    rate: float,
    seed: int,
    task: str,
    fields: str | None,
    lang: str | None,
    out: Path,
) -> None:
    """Write a seeded, label-preserving perturbed copy of a test set (records.jsonl, a build folder, a test file
    in the task's release format with --lang, e.g. xquad.de.json, or a Tatoeba/BUCC folder)."""
    if task in ("tatoeba", "bucc"):  # retrieval folders: only the non-English side is perturbed
        from xprep.perturb.retrieval import perturb_retrieval

        man = perturb_retrieval(source, out, perturbation, rate, seed, lexicons)
        for name, a in man["computed"]["applied"].items():
            click.echo(f"{name}: requested rate {rate}, applied {a['rate']} ({a['changed']} of {a['units']} words)")
        click.echo(f"output: {out}")
        return
    from xprep.perturb.testsets import perturb_file

    chosen = [f.strip() for f in fields.split(",") if f.strip()] if fields else None
    man = perturb_file(source, out, perturbation, rate, seed, task, chosen, lexicons, lang)
    applied = man["computed"]["applied"]
    click.echo(
        f"{man['computed']['counts']['out']} records; requested rate {rate}, applied {applied['rate']} "
        f"({applied['changed']} of {applied['units']} words)"
    )
    click.echo(f"output: {out}")


def _build_task_name(folder: str) -> str:
    """The task a ``--target`` build folder holds (its manifest's task name, else the folder's name): it names
    the run's evaluation files, so it is never a path."""
    from xprep.manifest import Manifest
    from xprep.owned import check_name

    try:
        name = Manifest.read(folder).declared["task"]["name"]
    except (XprepError, KeyError, TypeError):
        name = Path(folder).name
    return check_name(name, "target task name", "--target")
