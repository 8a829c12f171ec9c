"""Schemas of the build cells' ``manifest.json``: translate build, native build, native mix, perturbed set
(the two smaller manifests beside them, a perturbed retrieval folder and an XTREME-layout export, are in
:mod:`xprep.schemas.folders`).

Closed vocabularies come from the registries (checks, projectors, aligners, model families, perturbations),
so a new registered name changes the published schema and the test that compares it with ``manifests/schema``.
"""

from __future__ import annotations

from xprep.schemas.aligner import aligner
from xprep.schemas.parts import (
    KINDS,
    Schema,
    array,
    at_load,
    boolean,
    build_counts,
    counts,
    document,
    enum,
    integer,
    languages,
    nullable_string,
    number,
    obj,
    peak_rss,
    sha256,
    string,
    task,
    versions,
    xprep_version,
)

SIGNATURE = (
    "one line naming everything that decides the output: xprep version, task/split, languages, model family "
    "@ checksum, quantization, compute type, beam, max length, projection chain, filter and config hash; "
    "verify recomputes it from 'declared'"
)


def registry_names() -> dict[str, list[str]]:
    from xprep.mt.families import FAMILIES
    from xprep.perturb.registry import PERTURBATIONS
    from xprep.projection.align import ALIGNERS
    from xprep.projection.methods import PROJECTORS
    from xprep.quality.checks import CHECKS

    return {
        "checks": CHECKS.names(),
        "projectors": PROJECTORS.names(),
        "aligners": ALIGNERS.names(),
        "families": [*FAMILIES.names(), "apertium"],
        "perturbations": PERTURBATIONS.names(),
    }


def _envelope(declared: Schema, computed: Schema, signed: bool = True) -> Schema:
    props = {"declared": declared, "computed": computed}
    if signed:
        props["signature"] = string(SIGNATURE)
        props["config_hash"] = sha256("hash of the declared settings that decide the output (not command, "
                                      "version or model path); the content of .complete")  # fmt: skip
    return obj("a build cell's manifest", props)


def _source(description: str) -> Schema:
    file = obj(
        "a local source file (or sharded folder), named by its file name",
        {
            "path": string("file or folder name of the source (never the machine's absolute path)"),
            "sha256": sha256("content hash of the file, or of a folder's files' names and hashes in name order"),
            "format": nullable_string("the --format given (null: guessed from the file name)"),
        },
        required=["path", "sha256"],
    )
    hub_entry = obj(
        "one Hugging Face Hub dataset read",
        {
            "id": nullable_string("hub dataset id"),
            "config": nullable_string("hub config name"),
            "split": nullable_string("hub split name"),
            "revision": nullable_string("pinned hub revision (commit), null: the default branch"),
        },
        required=["id"],
    )
    hub = obj("records read from the Hugging Face Hub",
              {"hub": {"oneOf": [array("hub datasets read, in order", hub_entry), hub_entry],
                       "description": "the hub dataset(s) the records come from"}})  # fmt: skip
    return {"oneOf": [file, hub], "description": description}


def _quality_summary(names: dict[str, list[str]]) -> Schema:
    thresholds = _thresholds()
    return obj(
        "quality checks over the written records (scores in each record's meta.quality)",
        {
            "records": integer("records scored"),
            "flagged": integer("records with at least one flag"),
            "flag_reasons": counts("flagged records by reason (check name, or 'truncated')"),
            "langid_rate": number(
                "share of records detected as the target language, in [0, 1] (null: the detector does not know it)",
                0,
                1,
                nullable=True,
            ),  # fmt: skip
            "langid_supported": boolean("whether the language detector knows the target language"),
            "langid_backend": enum("language detector used", ["langdetect", "lingua"]),
            "mean_length_ratio": number("mean target/source character ratio over the script's expected ratio", 0),
            "thresholds": thresholds,
        },
    )


def _thresholds() -> Schema:
    return obj(
        "thresholds of the filter that decides flags from the check scores",
        {
            "min_length_ratio": number("flag below this length ratio (target/source over expected)", 0),
            "max_length_ratio": number("flag above this length ratio", 0),
            "max_copy": number("flag above this share of fields copied untranslated, in [0, 1]", 0, 1),
            "max_repetition": integer("flag at or above this longest run of a repeated 1-4-gram (n-grams)"),
            "min_langid_prob": number("flag below this language-id probability, in [0, 1]", 0, 1),
            "min_meaning": number("flag below this source/translation cosine similarity (only with the meaning "
                                  "check)", -1, 1),
        },
        required=["min_length_ratio", "max_length_ratio", "max_copy", "max_repetition", "min_langid_prob"],
    )  # fmt: skip


def _model(names: dict[str, list[str]]) -> Schema:
    return obj(
        "the MT model, named by asset and identified by checksum",
        {
            "path": string("model folder name (or 'apertium'); not part of the config hash"),
            "family": enum("MT model family", names["families"]),
            "checksum": sha256("checksum of the model's files (Apertium: of its installed modes)"),
            "quantization": nullable_string("weight quantization of the converted model (null: as converted)"),
            "source": nullable_string("what the model was converted from (a hub id, 'tiny', an Apertium version)"),
            "restricted_to": {"type": ["array", "null"], "items": string("a language code"),
                              "description": "languages the vocabulary was restricted to (xprep models restrict)"},
        },
    )  # fmt: skip


def _decoding() -> Schema:
    return obj(
        "every CTranslate2 decoding option (all enter the translation cache key)",
        {
            "beam_size": integer("beam width (1: greedy)", 1),
            "max_input_length": integer("segments longer than this many tokens are split at word boundaries", 1),
            "max_decoding_length": integer("longest output in tokens; reaching it flags 'truncated'", 1),
            "min_decoding_length": integer("shortest output in tokens"),
            "length_penalty": number("CTranslate2 length penalty"),
            "repetition_penalty": number("CTranslate2 repetition penalty (1: none)"),
            "no_repeat_ngram_size": integer("forbid repeating n-grams of this size (0: off)"),
            "sampling_topk": integer("top-k sampling (1: argmax)", 1),
            "sampling_temperature": number("sampling temperature", 0),
        },
    )


def _device() -> Schema:
    return obj(
        "where and how the model ran",
        {
            "device": enum("CTranslate2 device", ["cpu", "cuda"]),
            "device_index": array("GPU ids (0 on CPU)", integer("a device index")),
            "compute_type": string("compute type the translator reports it runs (resolved from 'auto')"),
            "compute_type_requested": string("compute type asked for (--compute-type)"),
            "batch_tokens": integer("token budget per batch", 1),
        },
    )


def _translate_declared(names: dict[str, list[str]]) -> Schema:
    return obj(
        "what was asked: every setting that decides the output",
        {
            "xprep_version": xprep_version(),
            "command": string("the command that reproduces the build (as typed; paths as the user gave them)"),
            "task": task(),
            "source": _source("where the English records come from"),
            "model": _model(names),
            "decoding": _decoding(),
            "device": _device(),
            "segmentation": enum("sentence segmentation before MT", ["sentences", "none"]),
            "projection": array("label projection chain, in order (empty: the kind needs none)",
                                enum("a projection method", names["projectors"])),
            "aligner": aligner(names),
            "checks": array("quality checks scored", enum("a check", names["checks"])),
            "thresholds": _thresholds(),
            "filter": boolean("whether flagged records were dropped (--filter)"),
            "languages": languages(),
            "qe_model": string("the meaning check's encoder, by folder name (only with the meaning check)"),
        },
        required=["xprep_version", "command", "task", "source", "model", "decoding", "device", "segmentation",
                  "projection", "aligner", "checks", "thresholds", "filter", "languages"],
    )  # fmt: skip


def _translate_computed(names: dict[str, list[str]]) -> Schema:
    counters = ("segments", "segments_unique", "cache_hits", "segments_translated", "segments_split_overlong",
                "tokens_in", "tokens_out")  # fmt: skip
    return obj(
        "what happened",
        {
            "counts": build_counts(),
            "at_load": at_load(),
            "quality": _quality_summary(names),
            "projection": counts("projection outcomes: status counts (projected, failed, not_needed), "
                                 "'method:NAME' and 'failed:REASON' counts, MT segments spent on markers/answers",
                                 "answers or records"),  # fmt: skip
            "translation": obj("translation counters (all languages of the run together)",
                               {k: integer(f"{k.replace('_', ' ')} (count)") for k in counters}),
            "timing": obj("timings (volatile)", {
                "wall_s": number("wall time of the run, in seconds", 0),
                "mt_s": number("time spent in CTranslate2, in seconds", 0),
                "segments_per_s": number("segments per second of wall time", 0, nullable=True),
                "note": string("what the timings cover"),
            }),
            "peak_rss_mb": peak_rss(),
            "versions": versions(),
            "records_sha256": sha256("content hash of records.jsonl (verify recomputes it)"),
        },
    )  # fmt: skip


def translate_build() -> Schema:
    names = registry_names()
    return document("translate-build", "xprep translate build manifest",
                    "manifest.json of a cell built by `xprep translate` (OUT/TASK/LANG/SPLIT/)",
                    _envelope(_translate_declared(names), _translate_computed(names)))  # fmt: skip


def _native_checks() -> Schema:
    return obj(
        "checks of a native build's records",
        {
            "records": integer("records checked"),
            "langid_rate": number("share detected as the declared language, in [0, 1]", 0, 1, nullable=True),
            "langid_supported": boolean("whether the detector knows the language"),
            "detected_languages": counts("the five most detected languages"),
            "length": obj("length outliers", {
                "median_chars": number("median record length, in characters", 0),
                "outliers": integer("records outside the rule"),
                "rule": string("the outlier rule"),
            }),
            "duplicates": integer("records repeating an earlier record's text"),
            "labels": counts("the 20 most frequent labels (tags for tagging)"),
            "warnings": array("warnings printed at build time", string("a warning")),
        },
    )  # fmt: skip


def _cell_computed(description: str, extra: dict[str, Schema], repaired: bool = False) -> Schema:
    return obj(description, {
        "counts": build_counts(repaired),
        **extra,
        "records_sha256": sha256("content hash of records.jsonl (verify recomputes it)"),
        "peak_rss_mb": peak_rss(),
        "versions": versions(),
    })  # fmt: skip


def native_build() -> Schema:
    declared = obj("what was asked", {
        "xprep_version": xprep_version(),
        "command": string("the command that reproduces the build (as typed)"),
        "task": task(),
        "native": obj("the native dataset's registry entry", {
            "stands_in_for": string("the intermediate task it stands in for"),
            "origin": string("how the data was made (native, human-translated...)"),
            "licence": string("licence of the data"),
            "no_derivatives": boolean("whether the licence forbids derivatives"),
            "citation": string("citation of the dataset"),
        }),
        "source": _source("the release file read, or the hub dataset"),
        "languages": languages(),
        "projection": array("always empty: native records carry their own labels", string("-"), maxItems=0),
    })  # fmt: skip
    computed = _cell_computed("what happened", {"quality": _native_checks()}, repaired=True)
    return document("native-build", "xprep native build manifest",
                    "manifest.json of a cell built by `xprep native build` (OUT/NAME/LANG/SPLIT/)",
                    _envelope(declared, computed))  # fmt: skip


def native_mix() -> Schema:
    part = obj("one part of the mix", {
        "path": string("the part's cell folder as given"),
        "weight": number("relative weight (> 0)", 0),
    })  # fmt: skip
    declared = obj("what was asked", {
        "xprep_version": xprep_version(),
        "command": string("the command that reproduces the build (as typed)"),
        "task": task(),
        "mix": obj("the mix", {
            "parts": array("parts, in the order given", part),
            "size": integer("records asked for (default: the sum of the parts)"),
            "seed": integer("sampling seed", None),
        }),
        "languages": languages("always 'mix'/'mix'"),
        "projection": array("always empty", string("-"), maxItems=0),
    })  # fmt: skip
    taken = obj("what one part gave", {
        "path": string("the part's cell folder as given"),
        "weight": number("relative weight", 0),
        "wanted": integer("round(size * weight / total weight)"),
        "taken": integer("records drawn without replacement"),
        "available": integer("records the part holds"),
        "capped": boolean("whether the part held fewer than wanted"),
    })  # fmt: skip
    computed = _cell_computed("what happened", {
        "mix": array("per part, in order", taken),
        "languages": counts("records by language"),
    })  # fmt: skip
    return document("native-mix", "xprep native mix manifest",
                    "manifest.json of a cell built by `xprep native mix` (OUT/NAME/mix/train/)",
                    _envelope(declared, computed))  # fmt: skip


def perturbed_set() -> Schema:
    names = registry_names()
    declared = obj("what was asked", {
        "xprep_version": xprep_version(),
        "task": task(KINDS),
        "languages": languages("the test set's language (source = target)"),
        "projection": array("always empty", string("-"), maxItems=0),
        "source": obj("the clean test set", {
            "path": string("file name of the clean records or release file (never an absolute path)"),
            "sha256": sha256("content hash of the clean file"),
        }),
        "perturbation": obj("the perturbation", {
            "name": enum("perturbation", names["perturbations"]),
            "rate": number("requested rate: probability per perturbable unit, in [0, 1]", 0, 1),
            "seed": integer("seed (each example's generator derives from it and the example id)", None),
            "fields": array("fields perturbed (empty: the task's defaults)", string("a record field")),
            "description": string("what the perturbation does"),
        }),
    })  # fmt: skip
    computed = obj("what happened", {
        "counts": build_counts(),
        "applied": obj("the rate actually applied", {
            "changed": integer("units changed"),
            "units": integer("perturbable units (words or characters, per perturbation)"),
            "rate": number("changed / units, in [0, 1]", 0, 1),
        }),
        "peak_rss_mb": peak_rss(),
        "versions": versions(),
        "records_sha256": sha256("content hash of records.jsonl (verify recomputes it)"),
    })  # fmt: skip
    return document("perturbed-set", "xprep perturbed test set manifest",
                    "manifest.json of `xprep perturb` output (records.jsonl + HF dataset of the perturbed test set)",
                    _envelope(declared, computed))  # fmt: skip


def adversarial_set() -> Schema:
    declared = obj("what was attacked, and how", {
        "xprep_version": xprep_version(),
        "task": task(KINDS),
        "languages": languages("the attacked set's language (source = target)"),
        "projection": array("always empty", string("-"), maxItems=0),
        "attack": obj("the attack (its full settings are in ../attack.json)", {
            "name": string("the attack recipe"),
            "run": string("the attacked run folder, relative to the attack's folder"),
            "model_fingerprint": string("fingerprint of the attacked model's files"),
            "goal": string("the attack goal"),
            "input": string("hash of the evaluation records attacked", pattern="^[0-9a-f]{16}$"),
            "settings": string("hash of the attack recipe, configuration and lexicons", pattern="^[0-9a-f]{16}$"),
        }),
    })  # fmt: skip
    computed = obj("what happened", {
        "counts": build_counts(),
        "outcomes": counts("examples by outcome (success, partial, failed, skipped)"),
        "peak_rss_mb": peak_rss(),
        "versions": versions(),
        "records_sha256": sha256("content hash of records.jsonl (verify recomputes it)"),
    })  # fmt: skip
    return document("adversarial-set", "xprep adversarial set manifest",
                    "manifest.json of OUT/LANG/ of `xprep attack` (the adversarial set, records.jsonl + HF dataset)",
                    _envelope(declared, computed))  # fmt: skip
