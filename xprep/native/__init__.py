"""The NATIVE registry: non-English datasets of the study's task kinds, mapped to the same records.

Each dataset is a declarative spec: kind, the intermediate task it stands in for, languages, hub id and
config, licence (and whether it forbids derivatives), origin (``native``, ``human-translated``,
``machine-translated`` or ``mixed``), splits with sizes as documented, citation, and adapters from the
source's own layout to canonical records. Hub rows go through ``adapter``; the same rows saved as
JSONL (``hub-jsonl``, what ``Dataset.to_json`` writes) go through it too, so a local copy of a hub
dataset needs no network. Release formats (SQuAD JSON, CoNLL-U, JGLUE JSON lines, TSV) have their own loaders.

Label order is read from the dataset's own ``ClassLabel`` names when the hub provides them, never assumed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from xprep.drops import Dropped
from xprep.errors import InputError
from xprep.io import source_files
from xprep.records import Record
from xprep.registry import Registry

# adapter(row, lang, label_names) -> a record, or Dropped(reason) (e.g. no gold label), or None (filtered out)
Adapter = Callable[[dict[str, Any], str, list[str] | None], "Record | Dropped | None"]
Loader = Callable[[Path, str, str], Iterator["Record | Dropped"]]


@dataclass(frozen=True)
class NativeSpec:
    name: str
    kind: str
    stands_in_for: str
    langs: tuple[str, ...]
    hub_id: str | None
    hub_config: str | Callable[[str], str] | None
    licence: str
    origin: str
    splits: dict[str, int]
    citation: str
    adapter: Adapter | None
    local: dict[str, Loader] = field(default_factory=dict)
    no_derivatives: bool = False
    notes: str = ""

    def config_for(self, lang: str) -> str | None:
        return self.hub_config(lang) if callable(self.hub_config) else self.hub_config

    @property
    def formats(self) -> list[str]:
        return (["hub-jsonl"] if self.adapter else []) + list(self.local)


NATIVE: Registry[NativeSpec] = Registry("native dataset")


def load_native(
    name: str,
    lang: str | None = None,
    split: str = "train",
    source: str | Path | None = None,
    fmt: str | None = None,
    limit: int | None = None,
    config: str | None = None,
    drops: Counter | None = None,
) -> Iterator[Record]:
    """Validated records of a native dataset, from ``source`` (a local file, or a folder of shards read in
    name order as one split) or the hub.

    ``config`` overrides the hub config (e.g. a UD treebank such as ``de_gsd``). Rows left out or repaired
    on the way (no gold label, an answer not in its paragraph, a repeated id...) are counted by reason
    into ``drops``.
    """
    spec = NATIVE.get(name)
    lang = lang or spec.langs[0]
    if lang not in spec.langs and spec.langs != ("*",):
        raise InputError(f"'{name}' has no language '{lang}'", hint=f"languages: {', '.join(spec.langs)}")
    if source is not None:
        path = Path(source)
        files = source_files(path)
        fmt = fmt or _guess_format(spec, files[0])
        if fmt != "hub-jsonl" and fmt not in spec.local or fmt == "hub-jsonl" and spec.adapter is None:
            raise InputError(f"'{name}' has no '{fmt}' loader", hint=f"formats: {', '.join(spec.formats)}")
        records: Iterator[Record | Dropped] = (
            rec
            for file in files
            for rec in (_from_hub_jsonl(spec, file, lang) if fmt == "hub-jsonl" else spec.local[fmt](file, split, lang))
        )
        where = str(path)
    else:
        records = _from_hub(spec, lang, split, config)
        where = f"hub:{spec.hub_id}/{split}"
    from xprep.io import parsed

    if limit is not None and limit < 0:
        raise InputError(f"limit must be 0 or more, got {limit}")
    for rec in islice(parsed(records, where, drops), limit):
        rec.validate(source=where)
        yield rec




def _guess_format(spec: NativeSpec, path: Path) -> str:
    suffix = path.suffix.lower()
    by_suffix = {".conllu": "conllu", ".tsv": "tsv", ".txt": "tsv", ".tags": "conll", ".conll": "conll"}
    if suffix == ".json":
        for own in ("squad-json", "c3-json"):
            if own in spec.local:
                return own
    if suffix in (".json", ".jsonl"):
        return "jglue-json" if "jglue-json" in spec.local else "hub-jsonl"
    if suffix in by_suffix and by_suffix[suffix] in spec.local:
        return by_suffix[suffix]
    raise InputError(
        f"cannot tell the format of this file for '{spec.name}'",
        where=str(path),
        hint=f"formats: {', '.join(spec.formats)}; pass --format",
    )


def _from_hub_jsonl(spec: NativeSpec, path: Path, lang: str) -> Iterator[Record]:
    from xprep.io import read_json_rows

    adapter = spec.adapter
    if adapter is None:
        raise InputError(f"'{spec.name}' has no hub layout", hint=f"formats: {', '.join(spec.formats)}")
    for row in read_json_rows(path):
        rec = adapter(row, lang, None)
        yield rec if rec is not None else Dropped("filtered_out")


def _from_hub(spec: NativeSpec, lang: str, split: str, config: str | None = None) -> Iterator[Record]:
    if spec.hub_id is None or spec.adapter is None:
        raise InputError(f"'{spec.name}' is not on the hub in a usable form", hint=spec.notes or "pass --source FILE")
    import datasets

    ds = datasets.load_dataset(spec.hub_id, config or spec.config_for(lang), split=split)
    names = None
    label = ds.features.get("label") if hasattr(ds, "features") else None
    if label is not None and hasattr(label, "names"):
        names = list(label.names)
    for row in ds:
        rec = spec.adapter(row, lang, names)
        yield rec if rec is not None else Dropped("filtered_out")


def _register_all() -> None:
    from xprep.native import choice, pair, span, tagging

    for module in (pair, choice, span, tagging):
        for spec in module.SPECS:
            NATIVE.add(spec.name, spec)


_register_all()
