"""The ``attacks:`` section of a recipe: its checks (the steps are :class:`xprep.steps.training.Attack`).

Each entry attacks every trained run (condition x target x seed) on the target's clean evaluation sets, where
the attack applies to the target's kind (``ner-context`` only tagging targets, the QA attacks only span
targets; the others every kind). Outputs go to ``runs/<condition>/<target>/seed<N>/attacks/<label>/``, where
``xprep compare`` finds them. An entry's ``transfer_from`` names a condition whose runs' adversaries are also
scored on every other condition's run of the same target and seed (``transfer.json``).
"""

from __future__ import annotations

from typing import Any

from xprep.errors import RecipeError, XprepError


def validate_attacks(recipe: Any, file: str) -> None:
    """Recipe names, labels, budgets and lexicon needs of ``recipe.attacks``; a located RecipeError otherwise."""
    from xprep.attack.catalog import ATTACKS

    labels = [a.label for a in recipe.attacks]
    conditions = [c.name for c in recipe.conditions]
    for i, spec in enumerate(recipe.attacks):
        where = f"{file}: attacks[{i}]"
        try:
            attack = ATTACKS.get(spec.recipe)
        except XprepError as exc:
            raise RecipeError(exc.message, where=f"{where}.recipe", hint=exc.hint) from None
        from xprep.owned import check_name

        try:
            check_name(spec.label, "attack tag")  # it names a folder of every run
        except XprepError as exc:
            raise RecipeError(exc.message, where=f"{where}.tag", hint=exc.hint) from None
        if labels.count(spec.label) > 1:
            raise RecipeError(f"two attacks filed as '{spec.label}'", where=where, hint="set tag: NAME")
        if spec.budget < 1:
            raise RecipeError(f"budget must be at least 1, got {spec.budget}", where=f"{where}.budget")
        if attack.lexicon == "required" and not spec.lexicons:
            raise RecipeError(f"'{spec.recipe}' needs lexicons", where=f"{where}.lexicons",
                              hint="a folder of MUSE en-XX.txt files, or SRC-TGT=FILE")  # fmt: skip
        if spec.transfer_from and spec.transfer_from not in conditions:
            raise RecipeError(f"no condition '{spec.transfer_from}'", where=f"{where}.transfer_from",
                              hint=f"one of: {', '.join(conditions)}")  # fmt: skip
