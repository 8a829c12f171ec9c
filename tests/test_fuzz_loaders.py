"""Property-based fuzzing of every loader: random bytes and random JSON shapes give records or an
:class:`XprepError`, never another exception (example counts are small: this runs in seconds)."""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xprep.errors import XprepError
from xprep.io import read_records
from xprep.manifest import Manifest
from xprep.native import NATIVE, load_native
from xprep.perturb.lexicons import read_lexicons
from xprep.recipe_load import parse_recipe
from xprep.tasks import TASKS, load_task

FUZZ = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
EXTENSIONS = {
    "squad-json": ".json",
    "jsonl": ".jsonl",
    "tsv": ".tsv",
    "csv": ".csv",
    "auto": ".auto",
    "conll": ".conll",
    "siqa-jsonl": ".jsonl",
    "hub-jsonl": ".jsonl",
    "jglue-json": ".json",
    "conllu": ".conllu",
}
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
# rows that look like the real ones: the right keys with random values, so loaders get past their first check
KEYS = """id text answer_start context question answers qas paragraphs data label sentence1 sentence2 gold_label
pairID premise hypothesis choices ctx endings tokens tags kind lang text_a text_b is_impossible title sentence
answerA""".split()
keyed = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 50) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=6),
    max_leaves=15,
)
payloads = (
    st.binary(max_size=200)
    | json_values.map(lambda v: json.dumps(v).encode())
    | keyed.map(lambda v: json.dumps(v).encode())
    | st.lists(keyed, max_size=4).map(lambda rows: "".join(json.dumps(r) + "\n" for r in rows).encode())
    | st.lists(st.lists(st.text(max_size=5), max_size=7), max_size=4).map(
        lambda rows: "".join("\t".join(r) + "\n" for r in rows).encode()
    )
)


@contextlib.contextmanager
def _write(data: bytes, suffix: str) -> Iterator[Path]:
    """The payload in a file of a fresh folder that is removed afterwards (hypothesis runs each test many
    times inside one call, so pytest's function-scoped ``tmp_path`` would be shared by every example)."""
    with tempfile.TemporaryDirectory(prefix="xprep-fuzz-") as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        yield path


def _only_xprep_errors(call) -> None:  # noqa: ANN001 - any loader call
    with contextlib.suppress(XprepError):  # anything else fails the test
        call()


TASK_FORMATS = [(name, fmt) for name in TASKS for fmt in TASKS.get(name).local]
NATIVE_FORMATS = [(name, fmt) for name in NATIVE for fmt in NATIVE.get(name).formats]


@pytest.mark.parametrize(("task", "fmt"), TASK_FORMATS, ids=[f"{t}-{f}" for t, f in TASK_FORMATS])
@FUZZ
@given(data=payloads)
def test_task_loaders(task: str, fmt: str, data: bytes) -> None:
    with _write(data, EXTENSIONS.get(fmt, ".txt")) as path:
        _only_xprep_errors(lambda: list(load_task(task, "train", path, fmt)))


@pytest.mark.parametrize(("name", "fmt"), NATIVE_FORMATS, ids=[f"{n}-{f}" for n, f in NATIVE_FORMATS])
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(data=payloads)
def test_native_loaders(name: str, fmt: str, data: bytes) -> None:
    spec = NATIVE.get(name)
    lang = "de" if spec.langs == ("*",) else spec.langs[0]
    with _write(data, EXTENSIONS.get(fmt, ".txt")) as path:
        _only_xprep_errors(lambda: list(load_native(name, lang, "train", path, fmt)))


@FUZZ
@given(data=payloads)
def test_records_manifest_lexicon_conllu(data: bytes) -> None:
    from xprep.conllu import read_conllu

    with _write(data, ".jsonl") as path:
        _only_xprep_errors(lambda: list(read_records(path)))
        _only_xprep_errors(lambda: read_lexicons([path]))
        _only_xprep_errors(lambda: list(read_conllu(path)))
        (path.parent / "manifest.json").write_bytes(data)
        _only_xprep_errors(lambda: Manifest.read(path.parent))


@FUZZ
@given(data=json_values | st.dictionaries(st.sampled_from(["name", "model", "conditions", "targets", "seeds",
       "perturbations", "train", "translate", "out"]), keyed, max_size=6))  # fmt: skip
def test_recipe_shapes(data: object) -> None:
    _only_xprep_errors(lambda: parse_recipe(data, "fuzz.yaml"))


@FUZZ
@given(data=payloads)
def test_target_loaders(data: bytes) -> None:
    from xprep.tasks.targets import TARGETS, load_target

    for name in ("xnli", "xquad", "udpos"):
        spec = TARGETS.get(name)
        with _write(data, ".json" if spec.kind == "span" else ".tsv") as path:
            _only_xprep_errors(lambda: load_target(name, spec.langs[0], path))  # noqa: B023 - called at once
