"""Every real release file in ../shared/data read by the loader a user would reach for.

For each file the number of records equals the file's own example count (counted here independently,
from the raw file) minus the rows the loader says it dropped, by reason; nothing vanishes uncounted.
"""

import csv
import json
import sys
from collections import Counter

import pytest

from xprep.native import load_native
from xprep.tasks import load_task

from .conftest import SHARED_DATA

pytestmark = pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="../shared/data is absent")
NATIVE, ENGLISH = SHARED_DATA / "native", SHARED_DATA / "english"
csv.field_size_limit(sys.maxsize)


def _lines(path):
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def _squad_questions(*paths):
    return sum(len(p["qas"]) for path in paths for a in json.loads(path.read_text())["data"] for p in a["paragraphs"])


def _csv_rows(path, delimiter=","):
    with path.open(encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.DictReader(fh, delimiter=delimiter, quoting=csv.QUOTE_NONE if delimiter == "\t"
                                              else csv.QUOTE_MINIMAL))  # fmt: skip


XCOPA = sorted(p for p in (NATIVE / "xcopa").glob("*/*.jsonl")) if (NATIVE / "xcopa").is_dir() else []
NATIVE_FILES = [
    # dataset, language, file, its example count, the drops the loader must report
    ("ocnli", "zh", "ocnli/dev.json", _lines, {"dropped:no_gold_label": 50}),
    ("ocnli", "zh", "ocnli/train.10k.json", _lines, None),
    ("klue-nli", "ko", "klue-nli/klue-nli-v1.1_dev.json", lambda p: len(json.loads(p.read_text())), {}),
    ("jnli", "ja", "jglue/jnli-valid-v1.3.json", _lines, {}),
    ("jcommonsenseqa", "ja", "jglue/jcommonsenseqa-train-v1.3.json", _lines, {}),
    ("jcommonsenseqa", "ja", "jglue/jcommonsenseqa-valid-v1.3.json", _lines, {}),
    ("jsquad", "ja", "jglue/jsquad-valid-v1.3.json", _squad_questions, {}),
    ("indonli", "id", "indonli/train.jsonl", _lines, None),
    ("indonli", "id", "indonli/val.jsonl", _lines, {"dropped:duplicate_id": 1}),  # pair_id 104684 twice
    ("indonli", "id", "indonli/test_lay.jsonl", _lines, None),
    ("kobest-copa", "ko", "kobest-copa/train.tsv", lambda p: _csv_rows(p, "\t"), None),
    ("kobest-copa", "ko", "kobest-copa/dev.tsv", lambda p: _csv_rows(p, "\t"), {}),
    ("kobest-copa", "ko", "kobest-copa/test.tsv", lambda p: _csv_rows(p, "\t"), None),
    ("c3", "zh", "c3/c3-d-train.json", lambda p: sum(len(d[1]) for d in json.loads(p.read_text())), {}),
    ("c3", "zh", "c3/c3-d-dev.json", lambda p: sum(len(d[1]) for d in json.loads(p.read_text())), {}),
    ("cmrc2018", "zh", "cmrc2018/cmrc2018_dev.json", _squad_questions, None),
    ("drcd", "zh-Hant", "drcd/DRCD_dev.json", _squad_questions, {}),
    ("korquad", "ko", "korquad/KorQuAD_v1.0_dev.json", _squad_questions, {}),
    ("jaquad", "ja", "jaquad/dev", lambda p: _squad_questions(*sorted(p.glob("*.json"))), {}),  # four shards
    *[("xcopa", p.parent.name, f"xcopa/{p.parent.name}/{p.name}", _lines, {}) for p in XCOPA],
]


@pytest.mark.parametrize(("name", "lang", "rel", "count", "expected_drops"), NATIVE_FILES, ids=lambda x: str(x))
def test_native_release_files(name, lang, rel, count, expected_drops):
    path = NATIVE / rel
    if not path.exists():
        pytest.skip(f"{path} is absent")
    drops: Counter = Counter()
    records = list(load_native(name, lang, "validation", path, drops=drops))
    dropped = sum(n for k, n in drops.items() if k.startswith("dropped:"))
    assert len(records) == count(path) - dropped
    if expected_drops is not None:
        assert {k: n for k, n in drops.items() if k.startswith("dropped:")} == expected_drops
    assert all(r.lang == lang for r in records)


def test_cmrc2018_offsets_are_located_and_missing_answers_counted():
    path = NATIVE / "cmrc2018" / "cmrc2018_dev.json"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    drops: Counter = Counter()
    records = {r.id: r for r in load_native("cmrc2018", "zh", "validation", path, drops=drops)}
    assert drops["repaired:answer_start_relocated"] > 0 and drops["repaired:answer_not_in_context"] > 0
    rec = records["DEV_6_QUERY_2"]  # the record the issue names, with answer_start -1
    assert all(rec.context[a["start"] : a["start"] + len(a["text"])] == a["text"] for a in rec.answers)


ENGLISH_FILES = [
    ("cosmosqa", "cosmosqa/valid.csv", _csv_rows),
    ("anli_plus", "anli-annotated/ANLI_analysis_r1_dev.csv", _csv_rows),
    ("anli_plus", "anli-annotated", lambda p: sum(_csv_rows(f) for f in sorted(p.glob("*.csv")))),  # rounds 1-3
    ("squad_v1", "squad-v1.1-dev-subset/xquad.en.json", _squad_questions),
]


@pytest.mark.parametrize(("task", "rel", "count"), ENGLISH_FILES, ids=lambda x: str(x))
def test_english_intermediate_files(task, rel, count):
    path = ENGLISH / rel
    if not path.exists():
        pytest.skip(f"{path} is absent")
    drops: Counter = Counter()
    records = list(load_task(task, "validation", path, drops=drops))
    assert len(records) == count(path) - sum(n for k, n in drops.items() if k.startswith("dropped:"))


def test_muse_lexicons_read_in_full():
    from xprep.perturb.lexicons import read_lexicons

    files = sorted((SHARED_DATA / "lexicons" / "muse").glob("en-*.txt"))
    if not files:
        pytest.skip("no MUSE lexicons")
    for path in files:
        lex = read_lexicons([path])
        assert sum(len(v) for v in lex.values()) == _lines(path), path.name


def test_ud_and_tatoeba_files():
    from xprep.evaluate.retrieval import read_tatoeba
    from xprep.tasks.targets import load_target

    for path in sorted((SHARED_DATA / "ud").glob("*.conllu")) + sorted((SHARED_DATA / "ud-pud").glob("*.conllu")):
        n = sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("# sent_id"))
        assert len(load_target("udpos", path.name.split("_")[0], path)) == n, path.name
    for lang3 in ("deu", "fra", "spa"):
        src, tgt = read_tatoeba(SHARED_DATA / "tatoeba", lang3)
        assert len(src) == len(tgt) == 1000


def test_native_build_of_a_real_release(tmp_path):
    from click.testing import CliRunner

    from xprep.cli import main

    path = NATIVE / "kobest-copa" / "dev.tsv"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    res = CliRunner().invoke(main, ["native", "build", "kobest-copa", "--split", "validation", "--source", str(path),
                                    "--out", str(tmp_path)])  # fmt: skip
    assert res.exit_code == 0, res.output
    man = json.loads((tmp_path / "kobest-copa" / "ko" / "validation" / "manifest.json").read_text())
    assert man["computed"]["counts"]["out"] == 500 and man["computed"]["quality"]["langid_rate"] > 0.9


def test_perturb_reads_a_release_format_test_file(tmp_path):
    from click.testing import CliRunner

    from xprep.cli import main
    from xprep.io import read_records

    path = ENGLISH / "squad-v1.1-dev-subset" / "xquad.en.json"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    args = ["perturb", str(path), "--task", "xquad", "--perturbation", "typos", "--out", str(tmp_path / "p")]
    res = CliRunner().invoke(main, [*args, "--lang", "en"])
    assert res.exit_code == 0, res.output
    records = list(read_records(tmp_path / "p" / "records.jsonl"))
    assert len(records) == _squad_questions(path)
    assert all(r.context[a["start"] : a["start"] + len(a["text"])] == a["text"] for r in records for a in r.answers)
    missing = CliRunner().invoke(main, [*args[:-1], str(tmp_path / "q")])
    assert missing.exit_code == 2 and "needs --lang" in missing.stderr and not (tmp_path / "q").exists()
