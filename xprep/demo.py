"""The embedded default: every task's sample through the real translate path, offline.

A tiny random-weight M2M100 (real architecture, vocabulary trained on the samples, converted with
CTranslate2's converter) stands in for a real model, so the text it makes is nonsense; with a real
model folder the same ``xprep translate`` command makes a real build.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from xprep.mt.engine import DecodingSettings
from xprep.pipeline import CellResult, TranslateJob, translate_task
from xprep.report import quality_table
from xprep.tasks import TASKS, load_task, sample_path


def sample_texts(targets: bool = False) -> list[str]:
    """Every translatable text of every embedded sample (the tiny models' vocabulary corpus); with
    ``targets`` also the embedded XTREME target samples in all their languages (en, de, es)."""
    texts = [
        text
        for name in TASKS
        for rec in load_task(name, "train", sample_path(TASKS.get(name)))
        for _, text in rec.segments()
    ]
    if targets:
        from xprep.tasks.targets import TARGETS, load_target, target_sample

        for name, spec in TARGETS.items():
            if spec.sample:
                for lang in ("en", "de", "es"):
                    texts += [t for r in load_target(name, lang, target_sample(name)) for _, t in r.segments()]
    return texts


def demo_engine(requested: str) -> str:
    """``apertium`` when asked, or for ``auto`` when Apertium with eng-spa is installed; else ``tiny``."""
    from xprep.mt.apertium import installed_modes

    if requested == "auto":
        return "apertium" if "eng-spa" in installed_modes() else "tiny"
    return requested


def run_demo(
    out: Path, langs: list[str] | None = None, engine: str = "auto", echo: Callable[[str], None] = print
) -> list[CellResult]:
    """Translate every task's sample into ``langs``: with Apertium (real en->es/ca text) where installed,
    else with a tiny random-weight M2M100 built under ``out/model``."""
    from xprep.mt.tiny import build_tiny_model

    engine = demo_engine(engine)
    if engine == "apertium":
        model: Path | str = "apertium"
        langs = langs or ["es", "ca"]
        echo("engine: Apertium (rule-based MT from Debian packages): real, modest translations")
    else:
        langs = langs or ["de", "fr"]
        model = out / "model"
        echo("engine: tiny random-weight M2M100 (Apertium not installed: apt-get install apertium-eng-spa)")
        if not (model / "model.bin").is_file():
            echo(f"building a tiny random-weight M2M100 model in {model} ...")
            build_tiny_model("m2m100", model, sample_texts(), seed=0)
    results: list[CellResult] = []
    for name in TASKS:
        job = TranslateJob(
            task=name,
            langs=langs,
            model=Path(model),
            out=out / "build",
            source=sample_path(TASKS.get(name)),
            decoding=DecodingSettings(beam_size=1, max_decoding_length=64),
            progress=False,
            command=f"xprep demo --out {out} --engine {engine}",
        )
        results.extend(translate_task(job))
    echo(quality_table(results))
    echo("")
    if engine == "tiny":
        echo("NOTE: the demo model has random weights, so every translation above is nonsense and the checks")
        echo("      flag it (wrong language, repetition). The machinery is real: with a converted model, e.g.")
        echo("      xprep models convert facebook/nllb-200-distilled-600M --out models/nllb600")
        echo("      xprep translate mnli --to de,sw --model models/nllb600 --limit 2000")
        echo("      the same path makes a real build.")
    else:
        echo("Apertium makes real but modest translations; CTranslate2 models (NLLB, M2M100, OPUS-MT, MADLAD)")
        echo("are the fast, better path: xprep models convert facebook/nllb-200-distilled-600M --out models/nllb600")
    echo(f"output: {(out / 'build').resolve()}  (records.jsonl, HF dataset, manifest.json per task/lang/split)")
    echo(f"look at the labels: xprep projection report {out / 'build'}")
    return results
