"""A run's predictions (and, when asked, gold labels) in the folder layout XTREME's ``evaluate.py`` reads.

``export_predictions(RUN, OUT)`` turns every ``RUN/eval/TASK.LANG.TAG.json`` of one tag into
``OUT/TASK/test-LANG.{tsv,json}``; a retrieval ``results.json`` of ``xprep evaluate --task tatoeba|bucc
--out`` is exported the same way (Tatoeba's three-letter file codes become XTREME's two-letter ones).
:func:`write_gold` writes gold files from records in the same layout, so that ``xprep score`` (or the
official script) can rescore a run. Each task folder is written whole into a temporary folder and renamed
into place, with a ``manifest.json`` saying where its files came from.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from xprep.errors import InputError
from xprep.evaluate.xtreme_layout import QA_TASKS, XTREME_NAMES
from xprep.records import Record

NLI_NAMES = ("entailment", "neutral", "contradiction")  # xprep's label ids 0, 1, 2
# Tatoeba's file codes -> XTREME's language codes (the table in XTREME's run_retrieval.py)
TATOEBA_CODES = {
    "ara": "ar", "heb": "he", "vie": "vi", "ind": "id", "jav": "jv", "tgl": "tl", "eus": "eu", "mal": "ml",
    "tam": "ta", "tel": "te", "afr": "af", "nld": "nl", "eng": "en", "deu": "de", "ell": "el", "ben": "bn",
    "hin": "hi", "mar": "mr", "urd": "ur", "fra": "fr", "ita": "it", "por": "pt", "spa": "es", "bul": "bg",
    "rus": "ru", "jpn": "ja", "kat": "ka", "kor": "ko", "tha": "th", "swh": "sw", "cmn": "zh", "kaz": "kk",
    "tur": "tr", "est": "et", "fin": "fi", "hun": "hu", "pes": "fa",
}  # fmt: skip


def _label(task: str, value: Any) -> str:
    if task == "xnli" and isinstance(value, int):
        return NLI_NAMES[value]
    return str(value)


def _lines(task: str, ids: Sequence[str], predictions: Sequence[Any]) -> str:
    """The content of one ``test-LANG`` file for ``predictions`` (in the order of ``ids``)."""
    if task in QA_TASKS:
        return json.dumps(dict(zip(ids, predictions, strict=True)), ensure_ascii=False) + "\n"
    if task in ("udpos", "panx"):
        return "".join("".join(f"{t}\n" for t in tags) + "\n" for tags in predictions)
    return "".join(f"{_label(task, p)}\n" for p in predictions)


def _write_task(out: Path, task: str, files: Mapping[str, str], source: Mapping[str, Any]) -> list[Path]:
    from xprep.io import atomic_dir

    suffix = "json" if task in QA_TASKS else "tsv"
    with atomic_dir(out / task, owner=out) as tmp:
        for lang, text in files.items():
            (tmp / f"test-{lang}.{suffix}").write_text(text, encoding="utf-8")
        manifest = {"kind": "xtreme-layout", "task": task, "languages": sorted(files), **source}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [out / task / f"test-{lang}.{suffix}" for lang in files]


def _from_eval_files(run: Path, tag: str) -> dict[str, dict[str, str]]:
    by_task: dict[str, dict[str, str]] = {}
    for path in sorted((run / "eval").glob(f"*.*.{tag}.json")):
        content = json.loads(path.read_text(encoding="utf-8"))
        task = XTREME_NAMES.get(content["task"], content["task"])
        by_task.setdefault(task, {})[content["lang"]] = _lines(task, content["ids"], content["predictions"])
    return by_task


def _from_retrieval(results: Path) -> dict[str, dict[str, str]]:
    doc = json.loads(results.read_text(encoding="utf-8"))
    by_task: dict[str, dict[str, str]] = {}
    for row in doc.get("results", []):
        if "predictions" not in row:
            raise InputError("a result row without predictions (re-run `xprep evaluate ... --out`)", where=str(results))
        task = XTREME_NAMES.get(row["task"], row["task"])
        lang = TATOEBA_CODES.get(row["lang"], row["lang"]) if task == "tatoeba" else row["lang"]
        by_task.setdefault(task, {})[lang] = "".join(f"{p}\n" for p in row["predictions"])
    return by_task


def export_predictions(source: Path, out: Path, tag: str = "clean") -> list[Path]:
    """Write the predictions of a run folder (one ``tag``) or a retrieval ``results.json`` under ``out``."""
    from xprep.owned import check_name, check_output_dir

    check_name(tag, "tag", "--tag")
    check_output_dir(out)
    if source.is_file():
        by_task, origin = _from_retrieval(source), {"source": source.name}
    elif (source / "eval").is_dir():
        by_task, origin = _from_eval_files(source, tag), {"source": source.name, "tag": tag}
    else:
        raise InputError("neither a run folder with eval/ nor a retrieval results.json", where=str(source))
    if not by_task:
        raise InputError(f"no evaluation files with tag {tag!r}", where=str(source / "eval"))
    out.mkdir(parents=True, exist_ok=True)
    return [p for task, files in by_task.items() for p in _write_task(out, task, files, origin)]


def _squad_gold(records: Iterable[Record]) -> str:
    paragraphs: dict[str, list[dict[str, Any]]] = {}
    for rec in records:
        qa = {"id": rec.id, "question": rec.question,  # type: ignore[attr-defined]
              "answers": [{"text": a["text"], "answer_start": a["start"]} for a in rec.answers]}  # type: ignore[attr-defined]  # fmt: skip
        paragraphs.setdefault(rec.context, []).append(qa)  # type: ignore[attr-defined]
    data = [{"title": "", "paragraphs": [{"context": c, "qas": q} for c, q in paragraphs.items()]}]
    return json.dumps({"version": "1.1", "data": data}, ensure_ascii=False) + "\n"


def write_gold(task: str, sets: Mapping[str, Sequence[Record]], out: Path) -> list[Path]:
    """Gold files of ``task`` (one record list per language) under ``out/TASK/``."""
    task = XTREME_NAMES.get(task, task)
    files = {}
    for lang, records in sets.items():
        if task in QA_TASKS:
            files[lang] = _squad_gold(records)
        elif task in ("udpos", "panx"):
            files[lang] = _lines(task, [], [r.tags for r in records])  # type: ignore[attr-defined]
        else:
            files[lang] = _lines(task, [], [r.label for r in records])  # type: ignore[attr-defined]
    out.mkdir(parents=True, exist_ok=True)
    return _write_task(out, task, files, {"source": "gold"})
