"""Provenance a person can read: ``xprep verify --explain`` and ``--against``, and the normal form of a
manifest that reference manifests are kept in.

:func:`normalise` strips what changes from machine to machine or run to run (timings, peak memory,
versions, the output folder's path) and keeps every field that decides or describes what was built;
:func:`differences` lists the stable fields that differ between two manifests, one readable line each.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

_VERSION = re.compile(r"^xprep:[^|]*")


def _placeholder(value: Any) -> Any:
    """The same shape with every number zeroed and every map emptied (a normalised volatile field)."""
    if isinstance(value, dict):
        return {k: _placeholder(v) for k, v in value.items()} if "note" in value else {}
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    return 0 if isinstance(value, (int, float)) else value


VOLATILE = {  # section -> fields whose value changes from run to run or machine to machine
    "computed": ("timing", "peak_rss_mb", "versions"),
    "declared": ("xprep_version",),
}
VOLATILE_TOP = ("xprep_version", "training")  # results.json / attack.json: versions, losses and seconds


def normalise(data: Any, root: str | Path | None = None) -> Any:
    """``data`` with its volatile fields normalised (versions to ``VERSION``, timings and memory to 0, version
    maps and training logs emptied), so that a normalised manifest still matches its schema; every
    occurrence of ``root`` (the output folder, as given or resolved) in a string becomes ``OUT``."""
    roots = sorted({str(root), str(Path(root).resolve())}, key=len, reverse=True) if root is not None else []

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items()}
        if isinstance(value, list):
            return [strip(v) for v in value]
        if isinstance(value, str):
            for r in roots:
                value = value.replace(r, "OUT")
        return value

    def blank(section: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
        return {k: ("VERSION" if k == "xprep_version" else _placeholder(v)) if k in keys else v
                for k, v in section.items()}  # fmt: skip

    if isinstance(data, dict):
        data = blank(data, VOLATILE_TOP)
        for section, keys in VOLATILE.items():
            if isinstance(data.get(section), dict):
                data[section] = blank(data[section], keys)
        if isinstance(data.get("signature"), str):
            data["signature"] = _VERSION.sub("xprep:VERSION", data["signature"])
    return strip(data)


def differences(old: Any, new: Any, path: str = "$") -> list[str]:
    """One line per differing field, ``$.json.path: OLD -> NEW`` (a missing side shows as ``(absent)``)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new), key=str):
            sub = f"{path}.{key}"
            if key not in old:
                out.append(f"{sub}: (absent) -> {_show(new[key])}")
            elif key not in new:
                out.append(f"{sub}: {_show(old[key])} -> (absent)")
            else:
                out += differences(old[key], new[key], sub)
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [
            line for i, (a, b) in enumerate(zip(old, new, strict=True)) for line in differences(a, b, f"{path}[{i}]")
        ]
    return [] if old == new else [f"{path}: {_show(old)} -> {_show(new)}"]


def _show(value: Any) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 120 else text[:117] + "..."


def explain(data: dict[str, Any], where: str) -> list[str]:
    """The readable provenance of one build cell's manifest: signature, the command that reproduces it,
    the model and data checksums, the counts."""
    declared, computed = data.get("declared") or {}, data.get("computed") or {}
    model = declared.get("model") or {}
    source = declared.get("source") or {}
    lines = [f"build: {where}", f"signature: {data.get('signature', '(none)')}"]
    if declared.get("command"):
        lines.append(f"reproduce: {declared['command']}")
    if model:
        lines.append(f"model: {model.get('path')} ({model.get('family')}, {model.get('source')}) "
                     f"sha256 {model.get('checksum')}")  # fmt: skip
    if "sha256" in source:
        lines.append(f"data: {source.get('path')} sha256 {source['sha256']}")
    for hub in _as_list(source.get("hub")):
        lines.append(f"data: hub {hub.get('id')} {hub.get('config') or ''} {hub.get('split') or ''} "
                     f"revision {hub.get('revision') or '(default branch)'}".replace("  ", " "))  # fmt: skip
    for part in (declared.get("mix") or {}).get("parts", []):
        lines.append(f"data: mix part {part.get('path')} weight {part.get('weight')}")
    if computed.get("records_sha256"):
        lines.append(f"records: records.jsonl sha256 {computed['records_sha256']}")
    counts = computed.get("counts") or {}
    if counts:
        lines.append(f"counts: in {counts.get('in')}, out {counts.get('out')}, dropped {counts.get('dropped')}")
    lines.append(f"config hash: {data.get('config_hash', '(none)')}")
    return lines


def _as_list(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    return [v for v in value or [] if isinstance(v, dict)]
