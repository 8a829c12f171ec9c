"""Build cells from native datasets, and mixed intermediate corpora, in the translate builds' layout.

``build_native`` writes ``OUT/<name>/<lang>/<split>/`` (records.jsonl, HF dataset, manifest.json,
.complete) after validating every record and checking it: the langdetect rate of the expected
language (a file declared Korean that is English is reported, not accepted silently), length outliers,
duplicates and the label distribution. ``build_mix`` samples several built cells of one kind into a
mixed corpus with stated proportions and per-source counts.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from xprep import __version__
from xprep.cell import open_cell
from xprep.drops import split_counts
from xprep.errors import InputError
from xprep.hashing import stable_hash
from xprep.io import read_records, source_sha256
from xprep.languages import check_language
from xprep.manifest import RECORDS, Manifest
from xprep.native import NATIVE, load_native
from xprep.owned import check_name, check_output_dir
from xprep.quality.checks import detect_language, langdetect_supports
from xprep.records import ChoiceRecord, PairRecord, Record, SpanRecord, TaggingRecord

LANGID_WARN_RATE = 0.5


def _label_key(rec: Record) -> str:
    if isinstance(rec, (PairRecord, ChoiceRecord)):
        return str(rec.label)
    if isinstance(rec, SpanRecord):
        return "answerable" if rec.answers else "unanswerable"
    return "tags"


def check_records(records: list[Record], lang: str) -> dict[str, Any]:
    """Language id rate, length outliers, duplicates and label distribution over a list of records."""
    texts = [" ".join(t for _, t in r.segments()) for r in records]
    supported = langdetect_supports(lang)
    detected: Counter = Counter()
    if supported:
        from tqdm import tqdm

        for t in tqdm(
            texts, desc=f"langid {lang}", unit="rec", file=sys.stderr, disable=len(texts) < 2000, mininterval=1.0
        ):
            detected[detect_language(t)[0]] += 1
    lengths = [len(t) for t in texts]
    med = statistics.median(lengths) if lengths else 0
    outliers = sum(1 for n in lengths if med and not med / 5 <= n <= med * 5)
    hashes = Counter(stable_hash(t) for t in texts)
    labels: Counter = Counter()
    for rec in records:
        if isinstance(rec, TaggingRecord):
            labels.update(rec.tags)
        else:
            labels[_label_key(rec)] += 1
    n = max(len(records), 1)
    rate = round(detected[lang] / n, 4) if supported and records else None
    warnings = [] if records else ["no records were read: the build is an empty dataset"]
    if rate is not None and rate < LANGID_WARN_RATE:
        top = ", ".join(f"{k} {v}" for k, v in detected.most_common(3))
        warnings.append(
            f"only {100 * rate:.1f}% of records are detected as '{lang}' (found: {top}): is the language right?"
        )
    return {
        "records": len(records),
        "langid_rate": rate,
        "langid_supported": supported,
        "detected_languages": dict(detected.most_common(5)),
        "length": {"median_chars": med, "outliers": outliers, "rule": "outside [median/5, median*5]"},
        "duplicates": sum(c - 1 for c in hashes.values() if c > 1),
        "labels": dict(labels.most_common(20)),
        "warnings": warnings,
    }


def _write_cell(
    final: Path, records: list[Record], declared: dict[str, Any], computed: dict[str, Any], kind: str
) -> Manifest:
    with open_cell(final, Manifest(declared=declared), kind) as cell:
        for rec in records:
            cell.write(rec)
        return cell.finish(computed)


def build_native(
    name: str,
    out: Path,
    lang: str | None = None,
    split: str = "train",
    source: Path | None = None,
    fmt: str | None = None,
    limit: int | None = None,
    command: str = "",
    config: str | None = None,
) -> tuple[Path, Manifest]:
    """Validate, check and write one native dataset split; returns (cell folder, manifest)."""
    spec = NATIVE.get(name)
    if lang is None and (len(spec.langs) != 1 or spec.langs == ("*",)):
        shown = "any (a UD treebank's)" if spec.langs == ("*",) else ", ".join(spec.langs)
        raise InputError(f"'{name}' covers several languages: pass --lang", hint=f"languages: {shown}")
    lang = check_language(lang or spec.langs[0], "--lang")
    check_name(split, "split", "--split")
    check_output_dir(out)
    drops: Counter = Counter()
    records = list(load_native(name, lang, split, source, fmt, limit, config, drops=drops))
    declared = {
        "xprep_version": __version__,
        "command": command,
        "task": {"name": name, "kind": spec.kind, "split": split, "limit": limit},
        "native": {
            "stands_in_for": spec.stands_in_for,
            "origin": spec.origin,
            "licence": spec.licence,
            "no_derivatives": spec.no_derivatives,
            "citation": spec.citation,
        },
        "source": (
            {"path": Path(source).name, "sha256": source_sha256(source), "format": fmt}
            if source
            else {"hub": {"id": spec.hub_id, "config": spec.config_for(lang), "split": split}}
        ),
        "languages": {"source": lang, "target": lang},
        "projection": [],
    }
    checks = check_records(records, lang)
    at_load = split_counts(drops)
    n_dropped = sum(at_load["dropped"].values())
    computed = {
        "counts": {"in": len(records) + n_dropped, "out": len(records), "dropped": n_dropped,
                   "dropped_by_reason": at_load["dropped"], "repaired_by_reason": at_load["repaired"]},
        "quality": checks,
    }  # fmt: skip
    final = out / name / lang / split
    return final, _write_cell(final, records, declared, computed, spec.kind)


def build_mix(
    parts: list[tuple[Path, float]], out: Path, name: str, size: int | None = None, seed: int = 0, command: str = ""
) -> tuple[Path, Manifest]:
    """Sample built cells (same kind) by weight into ``OUT/<name>/mix/train``; per-source counts in the manifest.

    Each part gives ``round(size * weight / total)`` records drawn without replacement (capped at what the
    part holds, and said so); ``size`` defaults to the sum of the parts' sizes.
    """
    if not parts:
        raise InputError("no parts to mix", hint="--part build/mnli/en/train:0.5 --part build/ocnli/zh/train:0.5")
    check_name(name, "mix name", "--name")
    check_output_dir(out)
    loaded, kind = _load_parts(parts)
    size = size or sum(len(recs) for _, _, recs in loaded)
    mixed, per_source = _sample_parts(loaded, size, seed)
    declared = {
        "xprep_version": __version__,
        "command": command,
        "task": {"name": name, "kind": kind, "split": "train", "limit": None},
        "mix": {"parts": [{"path": str(p), "weight": w} for p, w, _ in loaded], "size": size, "seed": seed},
        "languages": {"source": "mix", "target": "mix"},
        "projection": [],
    }
    computed = {
        "counts": {"in": len(mixed), "out": len(mixed), "dropped": 0, "dropped_by_reason": {}},
        "mix": per_source,
        "languages": dict(Counter(r.lang for r in mixed)),
    }
    final = out / name / "mix" / "train"
    return final, _write_cell(final, mixed, declared, computed, kind)


def _load_parts(parts: list[tuple[Path, float]]) -> tuple[list[tuple[Path, float, list[Record]]], str]:
    """Every part's records, and the one task kind they share (anything else is a one-line error)."""
    loaded = []
    for path, weight in parts:
        if weight <= 0:
            raise InputError("weights must be positive", where=str(path))
        loaded.append((path, weight, list(read_records(Path(path) / RECORDS))))
    for path, _, recs in loaded:
        if not recs:
            raise InputError("this part has no records to mix", where=str(path))
    kinds = {r.KIND for _, _, recs in loaded for r in recs[:1]}
    if len(kinds) != 1:
        raise InputError(f"parts mix task kinds {sorted(kinds)}; a mixed corpus needs one kind")
    return loaded, kinds.pop()


def _sample_parts(
    loaded: list[tuple[Path, float, list[Record]]], size: int, seed: int
) -> tuple[list[Record], list[dict[str, Any]]]:
    """``round(size * weight / total)`` records of each part without replacement, shuffled; per-part counts."""
    total_w = sum(w for _, w, _ in loaded)
    rng = random.Random(seed)
    mixed: list[Record] = []
    per_source = []
    for path, weight, recs in loaded:
        want = round(size * weight / total_w)
        take = min(want, len(recs))
        chosen = rng.sample(recs, take)
        for rec in chosen:
            rec.meta = {**rec.meta, "mix": {"source": str(path)}}
            rec.id = f"{Path(path).parts[-3]}/{rec.lang}/{rec.id}" if len(Path(path).parts) >= 3 else rec.id
        mixed.extend(chosen)
        per_source.append(
            {
                "path": str(path),
                "weight": weight,
                "wanted": want,
                "taken": take,
                "available": len(recs),
                "capped": take < want,
            }
        )
    rng.shuffle(mixed)
    return mixed, per_source


def native_table(kind: str | None = None, lang: str | None = None) -> list[list[str]]:
    """Rows for ``xprep native list``."""
    rows = []
    for name in NATIVE:
        s = NATIVE.get(name)
        if (kind and s.kind != kind) or (lang and lang not in s.langs and s.langs != ("*",)):
            continue
        sizes = ", ".join(f"{k} {v:,}" for k, v in s.splits.items()) or "-"
        licence = s.licence + (" [NO DERIVATIVES]" if s.no_derivatives else "")
        langs = ", ".join(s.langs) if len(s.langs) <= 4 else f"{', '.join(s.langs[:4])} +{len(s.langs) - 4}"
        rows.append(
            [
                name,
                s.kind,
                s.stands_in_for,
                langs,
                licence,
                s.origin,
                sizes,
                s.hub_id or "local files",
                ", ".join(s.formats),
            ]
        )
    return rows


def describe(manifest: Manifest) -> str:
    """A short, readable summary of a native build's checks."""
    q = manifest.computed.get("quality", {})
    rate = q.get("langid_rate")
    lines = [
        f"records: {q.get('records')}  langid={manifest.declared['languages']['target']}: "
        f"{'n/a' if rate is None else f'{100 * rate:.1f}%'}  duplicates: {q.get('duplicates')}  "
        f"length outliers: {q.get('length', {}).get('outliers')}",
        "labels: " + json.dumps(q.get("labels", {}), ensure_ascii=False),
    ]
    lines += [f"WARNING: {w}" for w in q.get("warnings", [])]
    return "\n".join(lines)
