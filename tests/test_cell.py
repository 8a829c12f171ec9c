"""The one cell writer: a complete cell or nothing, never a half-written one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xprep.cell import is_complete, open_cell
from xprep.errors import InputError
from xprep.manifest import Manifest, verify
from xprep.records import PairRecord

# a real translate build's manifest (the shipped demo reference): its declared part, and its computed part
# without what the writer adds
REFERENCE = Path(__file__).resolve().parents[1] / "manifests/reference/demo-apertium/mnli/es/train/manifest.json"
_REF = json.loads(REFERENCE.read_text(encoding="utf-8"))
DECLARED = _REF["declared"]
COMPUTED = {k: v for k, v in _REF["computed"].items() if k not in ("peak_rss_mb", "versions", "records_sha256")}
N = COMPUTED["counts"]["out"]


def _records(n: int) -> list[PairRecord]:
    return [PairRecord(id=str(i), lang="de", text_a=f"a {i}", text_b=f"b {i}", label=i % 3) for i in range(n)]


def test_a_finished_cell_is_complete_and_verifies(tmp_path):
    final = tmp_path / "out" / "mnli" / "de" / "train"
    with open_cell(final, Manifest(declared=dict(DECLARED)), "pair", owner=tmp_path / "out") as cell:
        for rec in _records(N):
            cell.write(rec)
        man = cell.finish(dict(COMPUTED))
    assert verify(final) == [] and is_complete(final, man)
    lines = (final / "records.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["id"] for x in lines] == [str(i) for i in range(N)]
    assert list(man.computed)[-3:] == ["peak_rss_mb", "versions", "records_sha256"]
    assert [p.name for p in final.parent.iterdir() if p.name.startswith(".train.tmp")] == []


def test_a_failure_leaves_the_old_cell_untouched(tmp_path):
    final = tmp_path / "cell"
    with open_cell(final, Manifest(declared=dict(DECLARED)), "pair") as cell:
        for rec in _records(N):
            cell.write(rec)
        old = cell.finish(dict(COMPUTED))
    before = (final / "records.jsonl").read_bytes()
    with pytest.raises(ValueError), open_cell(final, Manifest(declared=dict(DECLARED)), "pair") as cell:
        cell.write(_records(2)[1])
        raise ValueError("disk trouble")
    assert (final / "records.jsonl").read_bytes() == before and is_complete(final, old)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".cell.tmp")) == []


def test_an_unfinished_block_is_an_error_and_leaves_nothing(tmp_path):
    final = tmp_path / "cell"
    with pytest.raises(RuntimeError, match="not finished"), open_cell(final, Manifest(declared={}), "pair") as cell:
        cell.write(_records(1)[0])
    assert not final.exists()


def test_a_folder_xprep_did_not_write_is_never_replaced(tmp_path):
    final = tmp_path / "mine"
    final.mkdir()
    (final / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(InputError, match="not an xprep output"), open_cell(final, Manifest(declared={}), "pair"):
        pass
    assert (final / "notes.txt").read_text(encoding="utf-8") == "keep me"
