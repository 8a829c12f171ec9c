"""Published JSON Schemas (draft 2020-12) of every manifest xprep writes, and their validation.

The schemas are built here, from the registries and the fields the writers fill; ``manifests/schema/`` holds
the published copies (``python -m xprep.schemas --write manifests/schema``), and a test fails when the two
differ, so the schema never drifts from the code. :func:`validate` raises a one-line
:class:`~xprep.errors.InputError` naming the file and the JSON path of the first problem.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from xprep.errors import InputError
from xprep.schemas import cells, folders, runs
from xprep.schemas.parts import Schema

BUILDERS: dict[str, Callable[[], Schema]] = {
    "translate-build": cells.translate_build,
    "native-build": cells.native_build,
    "native-mix": cells.native_mix,
    "perturbed-set": cells.perturbed_set,
    "adversarial-set": cells.adversarial_set,
    "retrieval-perturbed-set": folders.retrieval_perturbed_set,
    "xtreme-export": folders.xtreme_export,
    "attack-set": runs.attack_set,
    "run-results": runs.run_results,
    "recipe-plan": runs.recipe_plan,
}
FILES = ("manifest.json", "results.json", "attack.json", "plan.json")  # every manifest file name


@functools.cache
def schema(kind: str) -> Schema:
    """The schema of one manifest kind (see :data:`BUILDERS`)."""
    if kind not in BUILDERS:
        raise InputError(f"unknown manifest kind {kind!r}", hint=f"one of {', '.join(BUILDERS)}")
    return BUILDERS[kind]()


def kind_of(name: str, data: Any) -> str | None:
    """The kind of a manifest from its file name and content; None where it is no xprep manifest."""
    if name in ("results.json", "attack.json", "plan.json"):
        return {"results.json": "run-results", "attack.json": "attack-set", "plan.json": "recipe-plan"}[name]
    if not isinstance(data, dict):
        return None
    if data.get("kind") == "xtreme-layout":
        return "xtreme-export"
    declared = data.get("declared")
    if not isinstance(declared, dict):
        return None
    if "perturbation" in declared:
        return "perturbed-set" if "task" in declared else "retrieval-perturbed-set"
    kinds = (
        ("native", "native-build"), ("mix", "native-mix"), ("attack", "adversarial-set"), ("model", "translate-build"),
    )  # fmt: skip
    for key, kind in kinds:
        if key in declared:
            return kind
    return None


def read_json(path: Path) -> Any:
    """A manifest file's content; unreadable or invalid JSON is a one-line error naming the file."""
    from xprep.io import read_text

    try:
        return json.loads(read_text(path))
    except (ValueError, RecursionError) as exc:
        raise InputError(f"not valid JSON ({type(exc).__name__})", where=str(path)) from None


def problems(data: Any, kind: str) -> list[tuple[str, str]]:
    """Every schema violation as (JSON path, message), in document order."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema(kind))
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    return [(e.json_path, _short(e)) for e in errors]


def _short(error: Any) -> str:
    if error.validator == "additionalProperties":
        return f"{error.message} (a field the schema does not document)"
    if error.validator in ("oneOf", "anyOf") and error.context:
        best = min(error.context, key=lambda e: len(list(e.absolute_path)) * -1)
        return f"matches no allowed shape: {best.message}"
    message = error.message
    return message if len(message) <= 160 else message[:157] + "..."


def validate(path: str | Path, data: Any = None, kind: str | None = None) -> str:
    """Check one manifest file against its schema; returns its kind.

    Raises :class:`InputError` (``FILE: $.json.path: message``) for the first violation, or when the file is
    no manifest xprep knows."""
    path = Path(path)
    data = read_json(path) if data is None else data
    kind = kind or kind_of(path.name, data)
    if kind is None:
        raise InputError("not a manifest xprep writes (no known kind)", where=str(path))
    found = problems(data, kind)
    if found:
        at, message = found[0]
        more = f" (+{len(found) - 1} more)" if len(found) > 1 else ""
        raise InputError(f"{at}: {message}{more}", where=str(path), hint=f"schema: manifests/schema/{kind}.schema.json")
    return kind


def render(kind: str) -> str:
    """The published text of one schema (what ``manifests/schema/KIND.schema.json`` holds)."""
    return json.dumps(schema(kind), indent=2, ensure_ascii=False) + "\n"


def write_published(folder: Path) -> list[Path]:
    """Write every schema into ``folder`` as ``KIND.schema.json``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in BUILDERS:
        path = folder / f"{kind}.schema.json"
        path.write_text(render(kind), encoding="utf-8")
        written.append(path)
    return written
