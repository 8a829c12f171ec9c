"""TARGETS: the XTREME target tasks as frozen specs, hub ids per language and loaders for the original file formats.

Trained tasks (XNLI, PAWS-X, UD-POS, PAN-X, XQuAD, MLQA, TyDiQA-GoldP) yield canonical records, so the
trainer and the metrics treat them like any build. BUCC and Tatoeba are retrieval tasks: see
:mod:`xprep.evaluate.retrieval`. Hub rows go through the same adapters as local rows.
"""

from __future__ import annotations

import csv
import dataclasses
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xprep.errors import InputError
from xprep.records import PairRecord, Record, TaggingRecord
from xprep.registry import Registry
from xprep.tasks import SAMPLES_DIR
from xprep.tasks.pair import nli_label
from xprep.tasks.span import TYDIQA_GOLDP_LANGS, squad_json, tydiqa_lang
from xprep.tasks.tagging import ud_conllu

csv.field_size_limit(sys.maxsize)

Loader = Callable[[Path, str], Iterator[Record]]


@dataclass(frozen=True)
class TargetSpec:
    name: str
    kind: str
    metric: str
    langs: tuple[str, ...]
    hub_id: str
    hub_config: Callable[[str], str | None]
    hub_split: str
    loader: Loader
    target_epochs: float
    notes: str = ""
    train_hub: tuple[str, str | None, str] | None = None  # English training data: (hub id, config, split)
    sample: str | None = None  # an embedded sample in the original format (xprep/data/samples), for smoke runs


def xnli_tsv(path: Path, lang: str) -> Iterator[PairRecord]:
    """XNLI-1.0 ``xnli.{dev,test}.tsv`` (columns ``language``, ``gold_label``, ``sentence1``, ``sentence2``, ...)
    or the XTREME per-language TSV ``premise<TAB>hypothesis<TAB>label`` without header."""
    with path.open(encoding="utf-8", newline="") as fh:
        first = fh.readline()
        fh.seek(0)
        if "gold_label" in first:
            for lineno, row in enumerate(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), 2):
                if row.get("language") != lang:
                    continue
                label = nli_label(row["gold_label"], f"{path}:{lineno}")
                if label is not None:
                    yield PairRecord(
                        id=row.get("pairID") or f"{lang}-{lineno}",
                        lang=lang,
                        text_a=row["sentence1"],
                        text_b=row["sentence2"],
                        label=label,
                    )
            return
        for lineno, row in enumerate(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
            if len(row) != 3:
                raise InputError(f"expected 3 columns, got {len(row)}", where=f"{path}:{lineno}")
            label = nli_label(row[2], f"{path}:{lineno}")
            if label is not None:
                yield PairRecord(id=f"{lang}-{lineno}", lang=lang, text_a=row[0], text_b=row[1], label=label)


def pawsx_tsv(path: Path, lang: str) -> Iterator[PairRecord]:
    """PAWS-X release TSV with header ``id sentence1 sentence2 label``."""
    with path.open(encoding="utf-8", newline="") as fh:
        for lineno, row in enumerate(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), 2):
            if row.get("label") not in ("0", "1"):
                raise InputError(f"label must be 0 or 1, got {row.get('label')!r}", where=f"{path}:{lineno}")
            if row["sentence1"].strip() and row["sentence2"].strip():
                yield PairRecord(
                    id=row["id"],
                    lang=lang,
                    text_a=row["sentence1"],
                    text_b=row["sentence2"],
                    label=int(row["label"]),
                    num_labels=2,
                )


def panx_file(path: Path, lang: str) -> Iterator[TaggingRecord]:
    """XTREME's PAN-X files: ``lang:token<TAB>TAG`` lines, a blank line between sentences."""
    tokens: list[str] = []
    tags: list[str] = []
    n = 0
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate([*fh, "\n"], 1):
            line = line.rstrip("\n")
            if not line.strip():
                if tokens:
                    n += 1
                    yield TaggingRecord(id=f"panx-{lang}-{n}", lang=lang, tokens=tokens, tags=tags)
                    tokens, tags = [], []
                continue
            parts = line.split("\t")
            if len(parts) < 2:
                raise InputError("expected 'lang:token<TAB>TAG'", where=f"{path}:{lineno}")
            word = parts[0].split(":", 1)[1] if parts[0].startswith(f"{lang}:") else parts[0]
            tokens.append(word)
            tags.append(parts[-1])


def _conllu(path: Path, lang: str) -> Iterator[Record]:
    return ud_conllu(path, "test", lang)


def _squad(path: Path, lang: str) -> Iterator[Record]:
    return squad_json(path, "test", lang)


XNLI_LANGS = ("ar", "bg", "de", "el", "en", "es", "fr", "hi", "ru", "sw", "th", "tr", "ur", "vi", "zh")
PAWSX_LANGS = ("de", "en", "es", "fr", "ja", "ko", "zh")
XQUAD_LANGS = ("ar", "de", "el", "en", "es", "hi", "ru", "th", "tr", "vi", "zh")
MLQA_LANGS = ("ar", "de", "en", "es", "hi", "vi", "zh")
PANX_LANGS = tuple(
    "af ar bg bn de el en es et eu fa fi fr he hi hu id it ja jv ka kk ko ml mr ms my nl pt ru sw ta te th tl tr ur "
    "vi yo zh".split()
)
UDPOS_LANGS = tuple(  # XTREME's 33 (Wolof, Lithuanian, Polish, Romanian, Ukrainian came with XTREME-R)
    "af ar bg de el en es et eu fa fi fr he hi hu id it ja kk ko mr nl pt ru ta te th tl tr ur vi yo zh".split()
)

TARGETS: Registry[TargetSpec] = Registry("XTREME target task")
for _spec in (
    TargetSpec(
        "xnli",
        "pair",
        "accuracy",
        XNLI_LANGS,
        "facebook/xnli",
        lambda lang: lang,
        "test",
        xnli_tsv,
        2,
        train_hub=("facebook/xnli", "en", "train"),
        sample="xnli.tsv",
    ),
    TargetSpec(
        "pawsx",
        "pair",
        "accuracy",
        PAWSX_LANGS,
        "google-research-datasets/paws-x",
        lambda lang: lang,
        "test",
        pawsx_tsv,
        5,
        train_hub=("google-research-datasets/paws-x", "en", "train"),
    ),
    TargetSpec(
        "udpos",
        "tagging",
        "f1",
        UDPOS_LANGS,
        "universal_dependencies",
        lambda lang: None,
        "test",
        _conllu,
        10,
        "F1 as XTREME reports it: seqeval's chunk F1 over the raw UPOS tags (adjacent equal tags merge; "
        "token_accuracy is reported beside it); UD v2.5 treebanks per language (pass the CoNLL-U files).",
        train_hub=("universal_dependencies", "en_ewt", "train"),
    ),
    TargetSpec(
        "panx",
        "tagging",
        "f1",
        PANX_LANGS,
        "unimelb-nlp/wikiann",
        lambda lang: lang,
        "test",
        panx_file,
        10,
        "Entity F1 (seqeval 1.2.2, micro, as XTREME).",
        train_hub=("unimelb-nlp/wikiann", "en", "train"),
    ),
    TargetSpec(
        "xquad",
        "span",
        "f1",
        XQUAD_LANGS,
        "google/xquad",
        lambda lang: f"xquad.{lang}",
        "validation",
        _squad,
        2,
        "EM/F1 with SQuAD v1.1's script (English normalisation for every language), as XTREME.",
        train_hub=("rajpurkar/squad", "plain_text", "train"),
    ),
    TargetSpec(
        "mlqa",
        "span",
        "f1",
        MLQA_LANGS,
        "facebook/mlqa",
        lambda lang: f"mlqa.{lang}.{lang}",
        "test",
        _squad,
        2,
        "EM/F1 with MLQA's per-language normalisation (mixed segmentation for Chinese).",
        train_hub=("rajpurkar/squad", "plain_text", "train"),
    ),
    TargetSpec(
        "tydiqa",
        "span",
        "f1",
        TYDIQA_GOLDP_LANGS,
        "google-research-datasets/tydiqa",
        lambda lang: "secondary_task",
        "validation",
        _squad,
        2,
        "GoldP: XTREME's tydiqa-goldp-dev-{lang}.json files; EM/F1 with SQuAD v1.1's script, as XTREME.",
        train_hub=("google-research-datasets/tydiqa", "secondary_task", "train"),
    ),
):
    TARGETS.add(_spec.name, _spec)


def hub_record(name: str, row: dict[str, Any], lang: str, names: list[str] | None) -> Record | None:
    """One hub row of target task ``name`` as a record; ``names`` are the label column's ClassLabel names."""
    import dataclasses as dc

    from xprep.tasks.span import squad_from_hub

    def label_name(value: Any) -> Any:
        return names[value] if names is not None and isinstance(value, int) else value

    if name == "xnli":
        label = nli_label(label_name(row["label"]), "facebook/xnli")
        return (
            None
            if label is None
            else PairRecord(
                id=f"xnli-{lang}-{row.get('idx', hash_of(row))}",
                lang=lang,
                text_a=row["premise"],
                text_b=row["hypothesis"],
                label=label,
            )
        )
    if name == "pawsx":
        return PairRecord(
            id=str(row["id"]),
            lang=lang,
            text_a=row["sentence1"],
            text_b=row["sentence2"],
            label=int(row["label"]),
            num_labels=2,
        )
    if name in ("panx", "udpos"):
        column = "ner_tags" if name == "panx" else "upos"
        tags = [label_name(t) for t in row[column]]
        return TaggingRecord(
            id=f"{name}-{lang}-{row.get('idx', hash_of(row))}",
            lang=lang,
            tokens=list(row["tokens"]),
            tags=[str(t) for t in tags],
        )
    if name == "tydiqa" and tydiqa_lang(row["id"]) != lang:
        return None
    return dc.replace(squad_from_hub(row, name), lang=lang)


def hash_of(row: dict[str, Any]) -> str:
    from xprep.hashing import stable_hash

    return stable_hash({k: v for k, v in row.items() if isinstance(v, (str, int, list))}, length=12)


def load_target(name: str, lang: str, source: str | Path | None = None, config: str | None = None) -> list[Record]:
    """Validated records of target task ``name`` in ``lang``: from a file in its original format, or (no
    ``source``) from the hub (``config`` overrides the hub config, e.g. a UD treebank such as ``de_gsd``)."""
    spec = TARGETS.get(name)
    if lang not in spec.langs:
        raise InputError(f"XTREME's {name} has no language '{lang}'", hint=f"languages: {', '.join(spec.langs)}")
    if source is None:
        records = _from_hub(spec, lang, config)
        where = f"hub:{spec.hub_id}"
    else:
        path = Path(source)
        if not path.is_file():
            raise InputError("file not found", where=str(path))
        from xprep.io import parsed  # a shape error or invalid UTF-8 in the file is a located InputError

        loaded = parsed(spec.loader(path, lang), str(path))
        records = [dataclasses.replace(r, lang=lang) if r.lang != lang else r for r in loaded]
        where = str(path)
    for rec in records:
        rec.validate(source=where)
    if not records:
        raise InputError(f"no {lang} records here", where=where)
    return records


def target_sample(name: str) -> Path:
    """The embedded sample of a target task (hand-written pairs in en/de/es for XNLI), for smoke runs."""
    spec = TARGETS.get(name)
    if spec.sample is None:
        raise InputError(f"{name} has no embedded sample", hint="use hub or a file")
    return SAMPLES_DIR / spec.sample


def load_target_train(name: str) -> list[Record]:
    """XTREME's English training data for target task ``name`` from the hub (MNLI via XNLI's English
    train, PAWS-X en, WikiANN en, UD English-EWT, SQuAD v1.1 for XQuAD/MLQA, TyDiQA-GoldP English)."""
    spec = TARGETS.get(name)
    if spec.train_hub is None:
        raise InputError(f"no hub training data registered for {name}", hint="pass --target FILE")
    hub_id, config, split = spec.train_hub
    records = _from_hub(dataclasses.replace(spec, hub_id=hub_id, hub_split=split), "en", config)
    for rec in records:
        rec.validate(source=f"hub:{hub_id}")
    return records


def _from_hub(spec: TargetSpec, lang: str, config: str | None) -> list[Record]:
    import datasets

    cfg = config or spec.hub_config(lang)
    if cfg is None:
        raise InputError(f"{spec.name} needs a hub config for '{lang}'", hint="--config (e.g. a UD treebank: de_gsd)")
    ds = datasets.load_dataset(spec.hub_id, cfg, split=spec.hub_split)
    column = {"panx": "ner_tags", "udpos": "upos"}.get(spec.name, "label")
    feature = ds.features.get(column)
    names = getattr(getattr(feature, "feature", feature), "names", None)
    return [rec for row in ds if (rec := hub_record(spec.name, row, lang, names)) is not None]


def describe_targets() -> list[dict[str, Any]]:
    """One row per target task for listings."""
    return [
        {
            "name": n,
            "kind": s.kind,
            "metric": s.metric,
            "languages": len(s.langs),
            "hub": s.hub_id,
            "target_epochs": s.target_epochs,
        }
        for n, s in TARGETS.items()
    ]
