"""The shipped reference builds: a change in what they produce is always a visible diff.

``manifests/reference/`` holds the normalised manifests (:func:`xprep.provenance.normalise`: no timings,
peak memory, versions or output paths) of the ``make demo`` builds, and of the smoke recipe's plan and
results. The demo builds are rebuilt here (about a minute on 2 cores) and the smoke plan is re-planned;
the smoke recipe's training runs take minutes, so their results.json references are checked for shape
and against the plan, not retrained. ``XPREP_WRITE_REFERENCE=1`` rewrites the references instead.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from xprep.manifest import manifest_files
from xprep.provenance import differences, normalise
from xprep.schemas import read_json, validate

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "manifests" / "reference"
WRITE = os.environ.get("XPREP_WRITE_REFERENCE") == "1"


def collect(root: Path, out: Path) -> dict[str, object]:
    """Every manifest under ``root``, normalised (``out``, the output folder, becomes OUT), by path relative
    to ``root``."""
    return {p.relative_to(root).as_posix(): normalise(read_json(p), out) for p in manifest_files(root)}


def compare(found: dict[str, object], ref: Path, complete: bool = True) -> None:
    """Fail with one line per differing stable field (``complete``: also per missing or new file)."""
    if WRITE:
        for rel, data in found.items():
            (ref / rel).parent.mkdir(parents=True, exist_ok=True)
            (ref / rel).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return
    expected = {p.relative_to(ref).as_posix(): read_json(p) for p in sorted(ref.rglob("*.json"))}
    if not complete:
        expected = {rel: data for rel, data in expected.items() if rel in found}
    lines = [f"{rel}: missing (reference has it)" for rel in sorted(set(expected) - set(found))]
    lines += [f"{rel}: new (no reference)" for rel in sorted(set(found) - set(expected))]
    for rel in sorted(set(found) & set(expected)):
        lines += [f"{rel}: {line}" for line in differences(expected[rel], found[rel])]
    assert not lines, "stable fields differ from manifests/reference (XPREP_WRITE_REFERENCE=1 to accept):\n" + (
        "\n".join(lines[:40])
    )


def test_demo_builds_match_the_reference(tmp_path):
    from xprep.demo import demo_engine, run_demo

    engine = demo_engine("auto")
    out = tmp_path / "demo"
    run_demo(out, engine=engine, echo=lambda _: None)
    found = collect(out / "build", out)
    ref = REFERENCE / f"demo-{engine}"
    if engine == "apertium" and not WRITE:
        made = {d["declared"]["model"]["source"] for d in found.values()}
        want = {read_json(p)["declared"]["model"]["source"] for p in ref.rglob("manifest.json")}
        if made != want:
            pytest.skip(f"the reference was built with {want}, this machine has {made}: another MT engine")
    compare(found, ref)


def _smoke_plan(root: Path) -> list[dict[str, str]]:
    from xprep.plan import plan
    from xprep.recipe_load import load_recipe

    steps = plan(load_recipe(ROOT / "recipes" / "smoke.yaml"), root)
    rel = [Path(os.path.relpath(s.folder, root)).as_posix() for s in steps]
    return [{"stage": s.stage, "name": s.name, "hash": s.hash, "folder": f} for s, f in zip(steps, rel, strict=True)]


def test_smoke_plan_matches_the_reference(tmp_path):
    entries = _smoke_plan(tmp_path / "smoke")
    (tmp_path / "plan.json").write_text(json.dumps(entries), encoding="utf-8")
    validate(tmp_path / "plan.json")
    compare({"plan.json": entries}, REFERENCE / "smoke", complete=False)


def test_smoke_results_references_match_their_plan():
    folders = {e["folder"]: e for e in read_json(REFERENCE / "smoke" / "plan.json") if e["stage"] == "target"}
    results = sorted((REFERENCE / "smoke").rglob("results.json"))
    assert {p.parent.relative_to(REFERENCE / "smoke").as_posix() for p in results} == set(folders)
    for path in results:
        data = read_json(path)
        step = folders[path.parent.relative_to(REFERENCE / "smoke").as_posix()]
        assert step["name"].startswith(
            f"{data['names']['arm']} -> {data['names']['target']} seed {data['seeds']['target']}"
        )


def test_reference_manifests_match_their_schemas():
    files = manifest_files(REFERENCE)
    assert len(files) >= 20
    for path in files:
        validate(path)  # normalised fields keep their shape: a reference is a valid manifest
