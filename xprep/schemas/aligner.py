"""Schema of the translate build's ``declared.aligner``: the align projector's word aligner, how its
encoder was tuned (``models align-tune``) and the tag-projection policy."""

from __future__ import annotations

from xprep.projection.articles import ARTICLE_MODES
from xprep.projection.refine import REFINE_MODES
from xprep.schemas.parts import Schema, array, enum, integer, nullable_string, obj, string


def aligner(names: dict[str, list[str]]) -> Schema:
    return obj(
        "the word aligner of the align projector (null: align is not in the chain or the kind needs none)",
        {
            "name": enum("aligner that ran ('auto' is resolved before the manifest is written)",
                         [*names["aligners"], "auto"]),  # fmt: skip
            "model": nullable_string("encoder named by asset (folder name or hub id); null: eflomal"),
            "tuning": obj("how the encoder folder was tuned (models align-tune); null: not tuned by xprep", {
                "base": string("folder name or hub id of the encoder it was tuned from"),
                "layer": integer("alignment layer it was tuned for", minimum=1),
                "steps": integer("optimiser steps", minimum=1),
                "seed": integer("seed of the shuffle and the initial state", minimum=None),
                "data": array("the bitext it was tuned on", obj("one pair of line-aligned files", {
                    "source": string("file name of the source side"),
                    "target": string("file name of the target side"),
                    "sha256": string("sha256 of the two files, source then target"),
                    "pairs": integer("sentence pairs read", minimum=1),
                })),
            }, nullable=True),
            "bitext": nullable_string("file name of the extra bitext eflomal trained on (null: none)"),
            "tag_policy": obj("tagging: what unaligned target words get", {
                "unaligned": enum("fallback tag or the neighbour's tag", ["fallback", "neighbour"]),
                "fallback": string("the fallback tag"),
                "refine": enum("corpus refinement of projected tags (auto: probe with the encoder aligner, "
                               "else types)", list(REFINE_MODES)),
                "articles": enum("whether the source's definite article projects its tag (auto: not onto a "
                                 "language without one, xprep.projection.articles)", list(ARTICLE_MODES)),
            }),
        },
        nullable=True,
    )  # fmt: skip
