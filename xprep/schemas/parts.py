"""Building blocks of the manifest schemas: typed, documented JSON Schema fragments.

Every helper takes the field's description first, so a field without one cannot be written; units go in
the description (seconds, MiB, percent, fraction in [0, 1]).
"""

from __future__ import annotations

from typing import Any

DRAFT = "https://json-schema.org/draft/2020-12/schema"
BASE_ID = "https://xprep.invalid/manifests/schema/"  # a name, never fetched: schemas are read from this package
SHA256 = "^[0-9a-f]{64}$"
KINDS = ["pair", "span", "choice", "tagging"]
NAME = "^[A-Za-z0-9][A-Za-z0-9._-]*$"  # a name that becomes a path (xprep.owned.check_name)

Schema = dict[str, Any]


def string(description: str, **kw: Any) -> Schema:
    return {"type": "string", "description": description, **kw}


def enum(description: str, values: list[Any], nullable: bool = False) -> Schema:
    return {"enum": [*values, None] if nullable else list(values), "description": description}


def integer(description: str, minimum: int | None = 0, nullable: bool = False) -> Schema:
    out: Schema = {"type": ["integer", "null"] if nullable else "integer", "description": description}
    if minimum is not None:
        out["minimum"] = minimum
    return out


def number(description: str, minimum: float | None = None, maximum: float | None = None,
           nullable: bool = False) -> Schema:  # fmt: skip
    out: Schema = {"type": ["number", "null"] if nullable else "number", "description": description}
    if minimum is not None:
        out["minimum"] = minimum
    if maximum is not None:
        out["maximum"] = maximum
    return out


def boolean(description: str) -> Schema:
    return {"type": "boolean", "description": description}


def nullable_string(description: str, **kw: Any) -> Schema:
    return {"type": ["string", "null"], "description": description, **kw}


def array(description: str, items: Schema, **kw: Any) -> Schema:
    return {"type": "array", "description": description, "items": items, **kw}


def counts(description: str, what: str = "records") -> Schema:
    """A map of reason -> count (an open vocabulary: reasons grow with the loaders and checks)."""
    return {
        "type": "object",
        "description": description,
        "additionalProperties": integer(f"number of {what} with this reason"),
    }


def open_map(description: str, values: Schema | None = None) -> Schema:
    """An object whose keys are data (languages, labels, library names), not fields."""
    out: Schema = {"type": "object", "description": description}
    if values is not None:
        out["additionalProperties"] = values
    return out


def obj(description: str, properties: dict[str, Schema], required: list[str] | None = None,
        closed: bool = True, nullable: bool = False) -> Schema:  # fmt: skip
    """An object with documented fields; ``closed`` refuses fields the schema does not document (so that a
    field added in the code without a schema change fails the suite's validation of every manifest)."""
    out: Schema = {
        "type": ["object", "null"] if nullable else "object",
        "description": description,
        "properties": properties,
        "required": list(properties) if required is None else required,
    }
    if closed:
        out["additionalProperties"] = False
    return out


def document(kind: str, title: str, description: str, body: Schema) -> Schema:
    """A top-level schema document for one manifest kind."""
    return {"$schema": DRAFT, "$id": f"{BASE_ID}{kind}.schema.json", "title": title, **body,
            "description": description}  # fmt: skip


def xprep_version() -> Schema:
    return string("version of xprep that wrote this file (volatile: normalised in reference manifests)")


def versions() -> Schema:
    return open_map(
        "versions of Python and of the libraries that shape a build ('not installed' where absent); volatile",
        string("a version string"),
    )


def peak_rss() -> Schema:
    return number("peak resident memory of the process that wrote the build, in MiB; volatile", minimum=0)


def sha256(description: str) -> Schema:
    return string(f"{description} (sha256, 64 lowercase hex digits)", pattern=SHA256)


def task(kinds: list[str] = KINDS) -> Schema:
    return obj(
        "the task built: its registered name, record kind, split and record limit",
        {
            "name": string("registered task or dataset name (xprep tasks, xprep native list), or a mix name"),
            "kind": enum("record kind: pair (NLI/paraphrase), span (extractive QA), choice, tagging", kinds),
            "split": string("split name (train, validation_matched, test...)", pattern=NAME),
            "limit": integer("at most this many source records were read (null: all)", nullable=True),
        },
    )


def languages(description: str = "source and target language codes (ISO 639-1/3, as given)") -> Schema:
    return obj(
        description,
        {
            "source": string("language of the source records ('mix' for a mixed corpus)"),
            "target": string("language of the built records ('mix' for a mixed corpus)"),
        },
    )


def build_counts(repaired: bool = False) -> Schema:
    props = {
        "in": integer("records that entered the build (after loading)"),
        "out": integer("records written to records.jsonl (verify recomputes it)"),
        "dropped": integer("records left out (--filter, or rows dropped while reading)"),
        "dropped_by_reason": counts("records left out, by reason (a record with two flags counts twice)"),
    }
    if repaired:
        props["repaired_by_reason"] = counts("rows of the source repaired while reading, by reason", "rows")
    return obj("record counts of the build", props, required=["in", "out", "dropped", "dropped_by_reason"])


def at_load() -> Schema:
    return obj(
        "rows of the source left out or repaired while reading it, by reason",
        {
            "dropped": counts("source rows dropped while reading, by reason", "rows"),
            "repaired": counts("source rows repaired while reading (e.g. answer offsets), by reason", "rows"),
        },
    )
