"""Schemas of the two smaller manifests beside the build cells: a perturbed retrieval folder (Tatoeba/BUCC)
and an XTREME-layout export."""

from __future__ import annotations

from xprep.schemas.cells import registry_names
from xprep.schemas.parts import (
    NAME,
    Schema,
    array,
    document,
    enum,
    integer,
    number,
    obj,
    open_map,
    string,
    xprep_version,
)


def retrieval_perturbed_set() -> Schema:
    names = registry_names()
    applied = obj("one file's applied rate", {
        "changed": integer("units changed"), "units": integer("perturbable units"),
        "rate": number("changed / units, in [0, 1]", 0, 1),
    })  # fmt: skip
    body = obj("a perturbed Tatoeba/BUCC folder", {
        "declared": obj("what was asked", {
            "xprep_version": xprep_version(),
            "source": string("the clean Tatoeba/BUCC folder"),
            "perturbation": obj("the perturbation", {
                "name": enum("perturbation", names["perturbations"]),
                "rate": number("requested rate, in [0, 1]", 0, 1),
                "seed": integer("seed", None),
                "side": enum("which side is perturbed", ["non-English only"]),
            }),
        }),
        "computed": obj("what happened", {"applied": open_map("file name -> applied rate", applied)}),
    })  # fmt: skip
    return document("retrieval-perturbed-set", "xprep perturbed retrieval folder manifest",
                    "manifest.json of a Tatoeba/BUCC folder perturbed for retrieval evaluation", body)  # fmt: skip


def xtreme_export() -> Schema:
    body = obj("an XTREME-layout folder of one task", {
        "kind": enum("always xtreme-layout", ["xtreme-layout"]),
        "task": string("XTREME task name", pattern=NAME),
        "languages": array("languages written (test-LANG files)", string("a language code")),
        "source": {"description": "'gold', or what the predictions came from (a run folder or results.json)"},
    }, required=["kind", "task", "languages"], closed=False)  # fmt: skip
    return document("xtreme-export", "xprep XTREME-layout export manifest",
                    "manifest.json of `xprep export-xtreme` output (OUT/TASK/test-LANG.*)", body)  # fmt: skip
