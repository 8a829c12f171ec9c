"""Bad input over every command: exit code 2, one line on stderr starting ``xprep: error:``, no traceback,
and nothing left behind (every file under the test's folder is the same before and after).

Commands run in-process (click's CliRunner) from a working folder inside the test's folder, so a stray
relative write is caught too.
"""

from __future__ import annotations

import errno
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from xprep.cli import main
from xprep.tasks import TASKS, sample_path
from xprep.tasks.targets import TARGETS

MNLI = str(sample_path(TASKS.get("mnli")))
SQUAD = str(sample_path(TASKS.get("squad_v2")))
XNLI = str(Path(sample_path(TASKS.get("mnli"))).with_name(TARGETS.get("xnli").sample))


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every path below ``root`` with its bytes (None for folders)."""
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


def pair_records(path: Path, n: int = 3, lang: str = "de") -> Path:
    rows = [
        {"kind": "pair", "id": str(i), "lang": lang, "text_a": f"Satz {i}.", "text_b": "Noch einer.", "label": i % 3}
        for i in range(n)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def recipe(env: dict[str, Path], **changes: object) -> str:
    """A smoke-sized recipe file with ``changes`` applied (key paths as ``a.b`` or a callable)."""
    data: dict = {
        "name": "bad",
        "model": "tiny-xlmr",
        "seeds": [0],
        "translate": {"mt": "auto", "beam_size": 1},
        "conditions": [
            {"name": "none"},
            {"name": "translated", "tasks": ["mnli"], "langs": ["es"], "source": "sample"},
        ],
        "targets": [{"task": "xnli", "train": "sample", "eval": {"de": "sample"}}],
        "perturbations": [{"name": "typos", "rate": 0.2}],
    }
    for key, value in changes.items():
        if callable(value):
            value(data)
        else:
            data[key] = value
    path = env["in"] / f"recipe-{abs(hash(json.dumps(data, sort_keys=True, default=str)))}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(path)


@pytest.fixture()
def env(tmp_path: Path, tiny_m2m100: Path, tiny_marian: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    inp, work = tmp_path / "in", tmp_path / "work"
    inp.mkdir()
    work.mkdir()
    (inp / "bad-utf8.tsv").write_bytes(Path(MNLI).read_bytes().replace(b"museum", b"mus\xffeum"))
    (inp / "bad-utf8.json").write_bytes(Path(SQUAD).read_bytes().replace(b"lighthouse", b"light\xfehouse"))
    (inp / "bad-utf8.jsonl").write_bytes(b'{"kind": "pair", "id": "1", "text_a": "caf\xe9"}\n')
    (inp / "bad-label.tsv").write_text("pairID\tsentence1\tsentence2\tgold_label\n1\tA b.\tC d.\tperhaps\n")
    squad = json.loads(Path(SQUAD).read_text(encoding="utf-8"))
    squad["data"][0]["paragraphs"][0]["qas"][0]["answers"] = [{"answer_start": 45}]
    (inp / "no-text.json").write_text(json.dumps(squad), encoding="utf-8")
    squad["data"][0]["paragraphs"][0]["qas"][0]["answers"] = [{"text": "1874", "answer_start": 3}]
    (inp / "bad-offset.json").write_text(json.dumps(squad), encoding="utf-8")
    (inp / "a-file").write_text("not a folder\n")
    (inp / "not-sqlite").write_text("hello\n")
    (inp / "folder").mkdir()
    (inp / "folder" / "canary.txt").write_text("must survive\n")
    (inp / "empty").mkdir()
    (inp / "empty" / "records.jsonl").write_text("")
    pair_records(inp / "pairs.jsonl")
    (inp / "run").mkdir()
    (inp / "run" / "results.json").write_text(json.dumps({"names": {"target": "xnli"}}))
    monkeypatch.chdir(work)
    return {"in": inp, "work": work, "out": tmp_path / "out", "m2m": tiny_m2m100, "marian": tiny_marian}


def _t(
    env: dict[str, Path], *extra: str, to: str = "de", model: str | None = None, source: str = MNLI, out: str = ""
) -> list[str]:
    """``xprep translate mnli`` with the tiny M2M100 on the MNLI sample, and ``extra`` options."""
    args = ["translate", "mnli", "--to", to, "--model", model or str(env["m2m"]), "--out", out or str(env["out"])]
    return [*args, "--source", source, "--quiet", *extra]


I = "in"  # noqa: E741 - short key for the input folder in the case table
CASES: list[tuple[str, Callable[[dict[str, Path]], list[str]], str]] = [
    # translate
    ("unknown task", lambda e: ["translate", "mnlii", "--to", "de", "--model", str(e["m2m"])], "did you mean 'mnli'"),
    ("unknown language", lambda e: _t(e, to="xx"), "unknown language 'xx'"),
    ("language not in the model", lambda e: _t(e, to="qu"), "'__qu__'"),
    ("duplicate language", lambda e: _t(e, to="de,de"), "given twice"),
    ("unsafe language", lambda e: _t(e, to="../de"), "cannot be used in a path"),
    ("unsafe split", lambda e: _t(e, "--split", "../../../victim3"), "cannot be used in a path"),
    ("dot split", lambda e: _t(e, "--split", ".."), "cannot be used in a path"),
    ("unknown source language", lambda e: _t(e, "--from", "xx"), "unknown language 'xx'"),
    ("missing --source", lambda e: _t(e, source=str(e[I] / "nope.tsv")), "no such file"),
    ("--source is a folder without data files", lambda e: _t(e, source=str(e[I] / "folder")), "no data files"),
    ("invalid UTF-8 in TSV", lambda e: _t(e, source=str(e[I] / "bad-utf8.tsv")), "not valid UTF-8"),
    ("bad label", lambda e: _t(e, source=str(e[I] / "bad-label.tsv")), "bad-label.tsv:2"),
    ("--limit -1", lambda e: _t(e, "--limit", "-1"), "--limit must be 0 or more"),
    ("--beam-size 0", lambda e: _t(e, "--beam-size", "0"), "--beam-size must be 1 or more"),
    ("--chunk-records 0", lambda e: _t(e, "--chunk-records", "0"), "--chunk-records must be 1 or more"),
    ("--out is a file", lambda e: _t(e, out=str(e[I] / "a-file")), "is not a folder"),
    ("--cache is a folder", lambda e: _t(e, "--cache", str(e[I] / "folder")), "is a folder, not an SQLite file"),
    ("--cache is not SQLite", lambda e: _t(e, "--cache", str(e[I] / "not-sqlite")), "not an SQLite database"),
    ("missing model", lambda e: _t(e, model=str(e[I] / "nomodel")), "no model.bin"),
    ("wrong Marian pair", lambda e: _t(e, to="fr", model=str(e["marian"])), "not en->fr"),
    ("no hub copy", lambda e: ["translate", "ccg", "--to", "de", "--model", str(e["m2m"])], "no public hub copy"),
    ("unknown projection", lambda e: _t(e, "--projection", "chian"), "chian"),
    (
        "SQuAD answer without text",
        lambda e: ["translate", "squad_v2", *_t(e, source=str(e[I] / "no-text.json"))[2:]],
        "answer without 'text'",
    ),
    (
        "invalid UTF-8 in SQuAD JSON",
        lambda e: ["translate", "squad_v2", *_t(e, source=str(e[I] / "bad-utf8.json"))[2:]],
        "not valid UTF-8",
    ),
    ("bad --beam-size type", lambda e: _t(e, "--beam-size", "four"), "'four' is not a valid integer"),
    # verify, models, top level
    ("verify: no cells", lambda e: ["verify", str(e[I] / "folder")], "no build cells"),
    ("verify: no such folder", lambda e: ["verify", str(e[I] / "nope")], "does not exist"),
    ("models convert: bad quantization", lambda e: ["models", "convert", "x", "--out", "m", "--quantization", "int3"],
     "unknown quantization"),  # fmt: skip
    ("unknown command", lambda e: ["translat"], "No such command"),
    # perturb
    ("perturb: unknown task", lambda e: ["perturb", str(e[I] / "pairs.jsonl"), "--task", "xnlii", "--perturbation",
     "typos", "--out", str(e["out"])], "did you mean 'xnli'"),  # fmt: skip
    ("perturb: task of another kind", lambda e: ["perturb", str(e[I] / "pairs.jsonl"), "--task", "xquad",
     "--perturbation", "typos", "--out", str(e["out"])], "xquad is a span task"),  # fmt: skip
    ("perturb: --out is a file", lambda e: ["perturb", str(e[I] / "pairs.jsonl"), "--task", "xnli", "--perturbation",
     "typos", "--out", str(e[I] / "a-file")], "is not a folder"),  # fmt: skip
    ("perturb: --out is someone's folder", lambda e: ["perturb", str(e[I] / "pairs.jsonl"), "--task", "xnli",
     "--perturbation", "typos", "--out", str(e[I] / "folder")], "not an xprep output"),  # fmt: skip
    ("perturb: rate 3", lambda e: ["perturb", str(e[I] / "pairs.jsonl"), "--task", "xnli", "--perturbation", "typos",
     "--rate", "3", "--out", str(e["out"])], "rate must be in [0, 1]"),  # fmt: skip
    ("perturb: unknown perturbation", lambda e: ["perturb", str(e[I] / "pairs.jsonl"), "--task", "xnli",
     "--perturbation", "typoz", "--out", str(e["out"])], "typoz"),  # fmt: skip
    ("perturb: invalid UTF-8", lambda e: ["perturb", str(e[I] / "bad-utf8.jsonl"), "--task", "xnli", "--perturbation",
     "typos", "--out", str(e["out"])], "not valid UTF-8"),  # fmt: skip
    ("perturb: empty build", lambda e: ["perturb", str(e[I] / "empty"), "--task", "xnli", "--perturbation", "typos",
     "--out", str(e["out"])], "no records to perturb"),  # fmt: skip
    # projection score
    ("projection score: unknown --lang", lambda e: ["projection", "score", "--source", SQUAD, "--target", SQUAD,
     "--method", "exact", "--lang", "xx"], "unknown language 'xx'"),  # fmt: skip
    ("projection score: gold offset off its text", lambda e: ["projection", "score", "--source", SQUAD, "--target",
     str(e[I] / "bad-offset.json"), "--method", "exact"], "answer_start offsets do not point"),  # fmt: skip
    ("projection score: invalid UTF-8", lambda e: ["projection", "score", "--source", str(e[I] / "bad-utf8.json"),
     "--target", SQUAD, "--method", "exact"], "not valid UTF-8"),  # fmt: skip
    ("projection score: unknown method", lambda e: ["projection", "score", "--source", SQUAD, "--target", SQUAD,
     "--method", "exactt"], "exactt"),  # fmt: skip
    ("projection score: unknown layout", lambda e: ["projection", "score", "--source", str(e[I] / "a-file"),
     "--target", SQUAD, "--method", "exact"], "cannot tell the layout"),  # fmt: skip
    # native
    ("native build: multilingual without --lang", lambda e: ["native", "build", "tydiqa-goldp", "--out",
     str(e["out"])], "pass --lang"),  # fmt: skip
    ("native build: unknown dataset", lambda e: ["native", "build", "klue-nlii", "--out", str(e["out"])],
     "did you mean"),  # fmt: skip
    ("native build: unsafe split", lambda e: ["native", "build", "klue-nli", "--split", "../x", "--out",
     str(e["out"])], "cannot be used in a path"),  # fmt: skip
    ("native build: invalid UTF-8", lambda e: ["native", "build", "klue-nli", "--source", str(e[I] / "bad-utf8.jsonl"),
     "--out", str(e["out"])], "not valid UTF-8"),  # fmt: skip
    ("native build: --limit -1", lambda e: ["native", "build", "klue-nli", "--limit", "-1", "--out", str(e["out"])],
     "not in the range"),  # fmt: skip
    ("native mix: unsafe name", lambda e: ["native", "mix", "--part", f"{e[I]}:1", "--name", "../evil", "--out",
     str(e["out"])], "cannot be used in a path"),  # fmt: skip
    ("native mix: bad weight", lambda e: ["native", "mix", "--part", f"{e[I]}:x", "--name", "m", "--out",
     str(e["out"])], "bad --part"),  # fmt: skip
    # train, evaluate
    ("train: unknown model", lambda e: ["train", "--target", str(e[I] / "pairs.jsonl"), "--eval", "de=hub", "--model",
     "tiny-xlmrr", "--out", str(e["out"])], "neither a local folder nor reachable on the hub"),  # fmt: skip
    ("train: --out is a file", lambda e: ["train", "--target", "xnli", "--eval", "de=hub", "--out",
     str(e[I] / "a-file")], "is not a folder"),  # fmt: skip
    ("evaluate: unsafe tag", lambda e: ["evaluate", str(e[I] / "run"), "--task", "xnli", "--eval",
     f"de={e[I] / 'pairs.jsonl'}", "--tag", "../../../../evil"], "cannot be used in a path"),  # fmt: skip
    ("evaluate: task does not match the run", lambda e: ["evaluate", str(e[I] / "run"), "--task", "pawsx", "--eval",
     f"de={e[I] / 'pairs.jsonl'}"], "trained on xnli, not pawsx"),  # fmt: skip
    ("evaluate: not a run", lambda e: ["evaluate", str(e[I] / "folder"), "--task", "xnli", "--eval", "de=hub"],
     "not a run folder"),  # fmt: skip
    ("evaluate: unsafe eval language", lambda e: ["evaluate", str(e[I] / "run"), "--task", "xnli", "--eval",
     f"../de={e[I] / 'pairs.jsonl'}"], "cannot be used in a path"),  # fmt: skip
    ("evaluate: --limit -1", lambda e: ["evaluate", "m", "--task", "tatoeba", "--data", str(e[I]), "--limit", "-1"],
     "not in the range"),  # fmt: skip
    # run (recipes): --dry-run fails where the run would
    ("recipe: language ex", lambda e: ["run", recipe(e, conditions=[{"name": "translated", "tasks": ["mnli"],
     "langs": ["ex"], "source": "sample"}]), "--dry-run"], "conditions[0].langs[0]"),  # fmt: skip
    ("recipe: projection chian", lambda e: ["run", recipe(e, translate={"projection": "chian"}), "--dry-run"],
     "translate.projection"),  # fmt: skip
    ("recipe: mt apertiumm", lambda e: ["run", recipe(e, translate={"mt": "apertiumm"}), "--dry-run"],
     "translate.mt"),  # fmt: skip
    ("recipe: rate 3", lambda e: ["run", recipe(e, perturbations=[{"name": "typos", "rate": 3}]), "--dry-run"],
     "perturbations[0].rate"),  # fmt: skip
    ("recipe: model tiny-xlmrr", lambda e: ["run", recipe(e, model="tiny-xlmrr"), "--dry-run"],
     "neither a local folder nor reachable on the hub"),  # fmt: skip
    ("recipe: missing eval file", lambda e: ["run", recipe(e, targets=[{"task": "xnli", "train": "sample",
     "eval": {"de": str(e[I] / "nope.tsv")}}]), "--dry-run"], "targets[0].eval.de"),  # fmt: skip
    ("recipe: seeds [0, 0]", lambda e: ["run", recipe(e, seeds=[0, 0]), "--dry-run"], "seeds repeat"),
    ("recipe: out /", lambda e: ["run", recipe(e, out="/"), "--dry-run"], "refusing to use /"),
    ("recipe: escaping tag", lambda e: ["run", recipe(e, perturbations=[{"name": "typos",
     "tag": "../../../../victim"}]), "--dry-run"], "perturbations[0].tag"),  # fmt: skip
    ("recipe: escaping condition", lambda e: ["run", recipe(e, conditions=[{"name": "../x", "kind": "none"}]),
     "--dry-run"], "conditions[0].name"),  # fmt: skip
    ("recipe: escaping name", lambda e: ["run", recipe(e, name="../../evil"), "--dry-run"], "recipe name"),
    ("recipe: invalid UTF-8", lambda e: ["run", str(e[I] / "bad-utf8.tsv"), "--dry-run"], "not valid UTF-8"),
    ("recipe: not found", lambda e: ["run", str(e[I] / "nope.yaml")], "recipe file not found"),
]


def assert_one_line_error(res: object, needle: str) -> None:
    err = [ln for ln in res.stderr.splitlines() if ln.strip()]  # type: ignore[attr-defined]
    assert res.exit_code == 2, (res.exit_code, res.output, res.exception)  # type: ignore[attr-defined]
    assert len(err) == 1 and err[0].startswith("xprep: error: "), res.stderr  # type: ignore[attr-defined]
    assert needle in err[0], err[0]
    assert "Traceback" not in res.output  # type: ignore[attr-defined]


def test_the_matrix_is_big_enough():
    assert len(CASES) >= 40


@pytest.mark.parametrize(("name", "args", "needle"), CASES, ids=[c[0] for c in CASES])
def test_bad_input(env: dict[str, Path], name: str, args: Callable, needle: str) -> None:
    argv = args(env)
    before = snapshot(env["in"].parent)
    res = CliRunner().invoke(main, argv)
    assert_one_line_error(res, needle)
    assert snapshot(env["in"].parent) == before, "nothing is written, nothing is changed"


def test_full_disk_leaves_no_cell(env: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import xprep.cell

    def full(*args: object, **kw: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(env["out"]))

    monkeypatch.setattr(xprep.cell, "write_hf_dataset", full)
    res = CliRunner().invoke(main, _t(env, "--limit", "2"))
    assert_one_line_error(res, "No space left on device")
    lang_dir = env["out"] / "mnli" / "de"
    assert [p.name for p in lang_dir.iterdir()] == [".train.lock"], "no cell, no temporary folder"


def test_read_only_output_folder(env: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import xprep.owned

    real = xprep.owned.os.access
    zone = env["in"] / "readonly-zone"  # as root os.access always allows: the folder is made to look read-only
    monkeypatch.setattr(xprep.owned.os, "access", lambda p, mode: real(p, mode) and str(zone) not in str(p))
    zone.mkdir()
    before = snapshot(env["in"].parent)
    res = CliRunner().invoke(main, _t(env, out=str(zone / "build")))
    assert_one_line_error(res, "read-only or no permission")
    assert snapshot(env["in"].parent) == before


@pytest.mark.parametrize("content", ['{"data": []}', ""], ids=["no-articles", "empty-file"])
def test_empty_input_is_an_empty_dataset(env: dict[str, Path], content: str) -> None:
    import datasets

    src = env["in"] / "empty.json"
    src.write_text(content)
    res = CliRunner().invoke(main, ["translate", "squad_v2", *_t(env, source=str(src))[2:]])
    if not content:  # an empty file is not JSON: one line
        assert_one_line_error(res, "invalid JSON")
        return
    assert res.exit_code == 0, res.output
    assert "WARNING" in res.stderr and "empty dataset" in res.stderr
    cell = env["out"] / "squad_v2" / "de" / "train"
    ds = datasets.load_from_disk(str(cell))
    assert len(ds) == 0 and {"context", "question", "answers"} <= set(ds.column_names)
    assert CliRunner().invoke(main, ["verify", str(env["out"])]).exit_code == 0
