"""Small modules with one job, short functions: no module over 400 lines, no function over 60 lines.

Declarative tables are the exception, and each is named here with what it declares (a table grows by rows,
not by logic). The check reads the source only (``ast``); nothing is imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "xprep"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
TABLES = {  # (module, function): what the table declares
    ("xprep/native/choice.py", "_specs"): "the native multiple-choice datasets",
    ("xprep/native/pair.py", "_specs"): "the native sentence-pair datasets",
    ("xprep/native/span.py", "_specs"): "the native extractive-QA datasets",
    ("xprep/tasks/pair.py", "_specs"): "the sentence-pair intermediate tasks",
    ("xprep/cli/translate.py", "_translate_options"): "the options of xprep translate",
}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


def test_no_module_is_over_the_limit():
    long = {_rel(p): n for p in _modules() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_no_function_is_over_the_limit_but_declared_tables():
    long = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > MAX_FUNCTION_LINES and (_rel(path), node.name) not in TABLES:
                    long[f"{_rel(path)}:{node.name}"] = size
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {long}"


@pytest.mark.parametrize("where", sorted(TABLES))
def test_every_declared_table_still_exists(where):
    module, name = where
    tree = ast.parse((PACKAGE.parent / module).read_text(encoding="utf-8"))
    assert any(isinstance(n, ast.FunctionDef) and n.name == name for n in ast.walk(tree)), f"{module}:{name} is gone"
