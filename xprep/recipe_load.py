"""Reading a recipe: YAML -> :class:`~xprep.recipes.Recipe`, then every check (values, attacks, retrieval, and
with ``resources`` what the run needs from this machine). The one place that ties the recipe's dataclasses
(:mod:`xprep.recipes`) to the checks that need them, so neither imports the other's user.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from xprep.errors import RecipeError
from xprep.recipes import Recipe, build_section, validate_recipe


def parse_recipe(data: Any, file: str = "<recipe>") -> Recipe:
    """A validated :class:`Recipe` from parsed YAML; every problem is a located :class:`RecipeError`."""
    from xprep.recipe_checks import check_values

    recipe = build_section(Recipe, data, file, "")
    validate_recipe(recipe, file)
    check_values(recipe, file)
    from xprep.attack.plan import validate_attacks
    from xprep.retrieval_plan import validate_retrieval

    validate_attacks(recipe, file)
    validate_retrieval(recipe, file)
    return recipe


def load_recipe(path: Path, resources: bool = False) -> Recipe:
    """Read and validate a recipe file (``yaml.safe_load``: no code in YAML); with ``resources`` also what
    the run needs from this machine (models, Apertium, files: :func:`xprep.recipe_checks.check_resources`)."""
    import yaml

    if not path.is_file():
        raise RecipeError("recipe file not found", where=str(path))
    try:
        from xprep.io import read_text

        data = yaml.safe_load(read_text(path))
    except yaml.YAMLError as exc:
        raise RecipeError(f"not valid YAML: {' '.join(str(exc).split())}", where=str(path)) from None
    recipe = parse_recipe(data, str(path))
    if resources:
        from xprep.recipe_checks import check_resources

        check_resources(recipe, str(path))
    return recipe
