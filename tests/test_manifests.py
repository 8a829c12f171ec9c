"""The published manifest schemas: in step with the code, documented, and enforced by `xprep verify`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from xprep.cli import main
from xprep.schemas import BUILDERS, render, schema

PUBLISHED = Path(__file__).resolve().parents[1] / "manifests" / "schema"


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_published_schema_is_the_codes(kind):
    path = PUBLISHED / f"{kind}.schema.json"
    assert path.is_file(), f"{path} missing: python -m xprep.schemas --write manifests/schema"
    assert path.read_text(encoding="utf-8") == render(kind), (
        f"{path} differs from xprep/schemas: python -m xprep.schemas --write manifests/schema"
    )
    Draft202012Validator.check_schema(schema(kind))


def _undocumented(node, where="$"):
    if isinstance(node, dict):
        if ("type" in node or "enum" in node) and "description" not in node:
            yield where
        for key, value in node.items():
            yield from _undocumented(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _undocumented(value, f"{where}[{i}]")


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_every_field_is_documented(kind):
    assert list(_undocumented(schema(kind))) == []


@pytest.fixture
def perturbed(tmp_path):
    from xprep.perturb.testsets import perturb_file
    from xprep.tasks.targets import target_sample

    out = tmp_path / "xnli-de-typos"
    perturb_file(target_sample("xnli"), out, "typos", 0.3, 0, "xnli", lang="de")
    return out


def _edit(path, change):
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_verify_checks_shape_and_names_the_json_path(perturbed):
    man = perturbed / "manifest.json"
    data = json.loads(man.read_text(encoding="utf-8"))
    assert data["declared"]["source"]["path"] == "xnli_sample.tsv" or "/" not in data["declared"]["source"]["path"]
    ok = CliRunner().invoke(main, ["verify", str(perturbed)])
    assert ok.exit_code == 0, ok.output
    _edit(man, lambda d: d["computed"]["applied"].update(rate=1.5))
    bad = CliRunner().invoke(main, ["verify", str(perturbed)])
    assert bad.exit_code == 1
    line = next(x for x in bad.output.splitlines() if "$.computed.applied.rate" in x)
    assert str(man) in line and "1.5 is greater than the maximum of 1" in line


def test_verify_refuses_an_undocumented_field_and_a_forged_signature(perturbed):
    man = perturbed / "manifest.json"
    _edit(man, lambda d: (d["declared"].update(extra=1), d.update(signature="xprep:0|forged")))
    out = CliRunner().invoke(main, ["verify", str(perturbed)]).output
    assert "$.declared: Additional properties are not allowed ('extra' was unexpected)" in out
    assert "$.signature differs from the one recomputed from 'declared'" in out


def test_verify_explain_and_against(perturbed, tmp_path):
    from xprep.perturb.testsets import perturb_file
    from xprep.tasks.targets import target_sample

    other = tmp_path / "xnli-de-typos-seed1"
    perturb_file(target_sample("xnli"), other, "typos", 0.3, 1, "xnli", lang="de")
    res = CliRunner().invoke(main, ["verify", str(other), "--explain", "--against", str(perturbed)])
    assert res.exit_code == 0, res.output
    sig = json.loads((other / "manifest.json").read_text(encoding="utf-8"))["signature"]
    assert f"signature: {sig}" in res.output
    assert "data: xnli" in res.output and "sha256" in res.output
    assert "$.declared.perturbation.seed: 0 -> 1" in res.output
    assert "$.computed.records_sha256" in res.output


def test_verify_shape_of_run_files_and_one_line_errors(tmp_path):
    (tmp_path / "run").mkdir()
    results = {"xprep_version": "0", "model": "tiny-xlmr", "names": {}, "condition": "sideways", "config": {},
               "seeds": {"intermediate": None, "target": 0}, "training": {}, "results": [], "note": "-"}  # fmt: skip
    (tmp_path / "run" / "results.json").write_text(json.dumps(results))
    res = CliRunner().invoke(main, ["verify", str(tmp_path)])
    assert res.exit_code == 1
    assert "results.json: $.condition: 'sideways' is not one of" in res.output
    (tmp_path / "run" / "results.json").write_text("{not json")
    res = CliRunner().invoke(main, ["verify", str(tmp_path)])
    assert "results.json: not valid JSON (JSONDecodeError)" in res.output
    empty = tmp_path / "empty"
    empty.mkdir()
    res = CliRunner().invoke(main, ["verify", str(empty)])
    assert res.exit_code == 2 and res.output.count("\n") == 1 and "xprep: error:" in res.output
