"""Real English text through Apertium (rule-based MT from Debian), projected by every method."""

import json
import shutil

import pytest
from click.testing import CliRunner

from xprep.cli import main
from xprep.mt.apertium import installed_modes
from xprep.tasks import TASKS, sample_path

pytestmark = pytest.mark.skipif(
    shutil.which("apertium") is None or "eng-spa" not in installed_modes(),
    reason="Apertium with apertium-eng-spa is not installed (apt-get install apertium apertium-eng-spa)",
)


@pytest.mark.parametrize("method", ["exact", "align", "fuzzy", "chain"])
def test_apertium_build_projects_spans(method, tmp_path):
    args = [
        "translate",
        "squad_v2",
        "--to",
        "es",
        "--model",
        "apertium",
        "--out",
        str(tmp_path),
        "--source",
        str(sample_path(TASKS.get("squad_v2"))),
        "--projection",
        method,
        "--quiet",
        "--json",
    ]
    res = CliRunner().invoke(main, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    (man,) = json.loads(res.output)
    assert man["declared"]["model"]["family"] == "apertium"
    assert man["computed"]["quality"]["langid_rate"] == 1.0  # real Spanish
    proj = man["computed"]["projection"]
    assert proj["projected"] >= 6 and proj["not_needed"] == 2  # two unanswerable questions stay unanswerable
    rows = [json.loads(line) for line in (tmp_path / "squad_v2/es/train/records.jsonl").open()]
    for row in rows:
        if row["meta"]["projection"]["status"] == "projected":
            for a in row["answers"]:
                assert row["context"][a["start"] : a["start"] + len(a["text"])] == a["text"]
        assert "  " not in row["context"]
    lighthouse = next(r for r in rows if r["id"] == "sq2-1")
    assert "faro" in lighthouse["context"] and lighthouse["answers"][0]["text"] == "1874"


def test_apertium_unsupported_pair_is_one_line_error(tmp_path):
    res = CliRunner().invoke(
        main,
        [
            "translate",
            "mnli",
            "--to",
            "ja",
            "--model",
            "apertium",
            "--out",
            str(tmp_path),
            "--source",
            str(sample_path(TASKS.get("mnli"))),
        ],
    )
    assert res.exit_code == 2 and "no Apertium mode 'eng-jpn'" in res.output
