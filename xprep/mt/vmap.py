"""Vocabulary restriction: a model folder whose output layer is cut to one set of target languages.

CTranslate2 can restrict the output projection and softmax of every batch to a candidate set
(``translate_batch(use_vmap=True)``) read from ``vmap.txt`` in the model folder. Each line is
``SOURCE N-GRAM<TAB>TARGET TOKENS``; the line with an empty n-gram lists the tokens that are always
candidates, and the tokens of the target prefix are always added. With NLLB's 256k vocabulary the
output layer is most of a greedy decoding step (about 60% of its FLOPs), so a German-only candidate
set of a few tens of thousands of pieces removes most of that work.

:func:`restrict_model` writes such a folder at almost no cost in disk: the weights are symbolic links
to the original model, and ``vmap.txt`` holds

* ``""`` -> every piece the target tokenizer produces on the given target-language texts (seen at
  least ``min_count`` times) and the special tokens (the language token comes with the prefix);
* with ``copy_through``, every vocabulary piece -> itself, so names, numbers and URLs of the source
  can still be copied into the output.

A restricted folder is a different model: its checksum covers ``vmap.txt``, so its cache entries
never mix with the unrestricted model's, and ``xprep_model.json`` lists the languages it may
translate into (any other target is refused before work starts).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from xprep.errors import InputError, ModelError
from xprep.mt.convert import MODEL_INFO

VMAP_FILE = "vmap.txt"
_NOT_LINKED = {VMAP_FILE, ".xprep-checksum", "xprep_model.json", "restriction.json"}


@dataclass(frozen=True)
class Restriction:
    """What :func:`restrict_model` wrote: sizes are in tokens of the model's target vocabulary."""

    out: str
    languages: list[str]
    vocabulary: int
    always: int
    copy_through: bool
    segments: dict[str, int]
    min_count: int
    heldout_coverage: dict[str, float]  # share of held-out pieces a set built from the rest would allow

    @property
    def share(self) -> float:
        """Share of the vocabulary that is always a candidate."""
        return self.always / self.vocabulary if self.vocabulary else 0.0

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "share": round(self.share, 4)}


def target_vocabulary(model_dir: Path) -> list[str]:
    """The model's target vocabulary in id order (shared or target-only file)."""
    for name in ("shared_vocabulary.json", "target_vocabulary.json"):
        if (model_dir / name).is_file():
            return json.loads((model_dir / name).read_text(encoding="utf-8"))
    for name in ("shared_vocabulary.txt", "target_vocabulary.txt"):
        if (model_dir / name).is_file():
            return (model_dir / name).read_text(encoding="utf-8").splitlines()
    raise ModelError("no target vocabulary file in the model folder", where=str(model_dir))


def restrict_model(
    model_dir: str | Path,
    out: str | Path,
    texts: Mapping[str, Iterable[str]],
    min_count: int = 1,
    copy_through: bool = True,
    force: bool = False,
) -> Restriction:
    """Write a restricted copy of ``model_dir`` into ``out`` for the languages that key ``texts``.

    ``texts`` maps an xprep language code to target-language text (any iterable of lines, streamed);
    the pieces it uses are the candidate set. Give a large corpus: with XLM-R's 250k vocabulary, a set
    built from 2,000 German sentences covered only 91% of the pieces of new German text (docs/performance.md). The
    report's ``heldout_coverage`` measures this on the text given.
    """
    from xprep.mt.engine import MTModel

    model_dir, out = Path(model_dir), Path(out)
    _check_request(model_dir, out, texts, min_count, force)
    model = MTModel.load(model_dir)
    if model.restricted_to:
        raise ModelError("this model is already restricted; restrict the original", where=str(model_dir))
    vocab = target_vocabulary(model_dir)
    known = set(vocab)
    counts: Counter[str] = Counter()
    segments: dict[str, int] = {}
    coverage: dict[str, float] = {}
    for lang, lines in texts.items():
        tally = _tally_language(model, model_dir, lang, lines, known)
        segments[lang] = tally.segments
        coverage[lang] = tally.heldout_coverage(min_count)
        counts.update(tally.train)
        counts.update(tally.held)
    # the special tokens always; the language token comes with the target prefix
    always = {t for t, c in counts.items() if c >= min_count} | (known & {"<s>", "<pad>", "</s>", "<unk>"})
    write_restricted(model_dir, out, [t for t in vocab if t in always], sorted(texts), copy_through, vocab)
    report = Restriction(
        out=str(out),
        languages=sorted(texts),
        vocabulary=len(vocab),
        always=sum(1 for t in vocab if t in always),
        copy_through=copy_through,
        segments=segments,
        min_count=min_count,
        heldout_coverage=coverage,
    )
    (out / "restriction.json").write_text(json.dumps(report.as_dict(), indent=2) + "\n", encoding="utf-8")
    return report


def _check_request(
    model_dir: Path, out: Path, texts: Mapping[str, Iterable[str]], min_count: int, force: bool
) -> None:
    """Refuse a restriction that cannot be made, before anything is read or written."""
    if not texts:
        raise InputError("give target-language text for at least one language (--text LANG=FILE)")
    if min_count < 1:
        raise InputError(f"--min-count must be at least 1, not {min_count}")
    if out.resolve() == model_dir.resolve():
        raise InputError("the restricted folder must differ from the model folder", where=str(out))
    from xprep.mt.convert import MODEL_INFO
    from xprep.owned import check_model_folder

    check_model_folder(out, MODEL_INFO, force)  # the folder's files are replaced by links


def _tally_language(model: Any, model_dir: Path, lang: str, lines: Iterable[str], known: set[str]) -> _PieceTally:
    """The target pieces ``lines`` of ``lang`` use (the model must translate into ``lang``)."""
    lang_token = model.family.target_token(lang)
    pair = model.info.get("languages")
    wrong_pair = model.family.name == "marian" and pair and lang != pair[1]
    if (lang_token is not None and lang_token not in known) or wrong_pair:
        raise ModelError(f"model does not translate into '{lang}'", where=str(model_dir))
    tally = _PieceTally()
    for batch in _batches(lines):
        tally.add(model.sp_target.encode(batch, out_type=str), known)
    if not tally.segments:
        raise InputError(f"no text given for '{lang}'")
    return tally


def _batches(lines: Iterable[str], size: int = 10_000) -> Iterator[list[str]]:
    """Non-empty stripped lines in lists of ``size``: a large corpus is never held whole."""
    batch: list[str] = []
    for line in lines:
        text = line.strip()
        if text:
            batch.append(text)
            if len(batch) == size:
                yield batch
                batch = []
    if batch:
        yield batch


@dataclass
class _PieceTally:
    """Piece counts of one language's text, every ``every``-th segment counted apart (held out)."""

    every: int = 10
    segments: int = 0
    train: Counter[str] = field(default_factory=Counter)
    held: Counter[str] = field(default_factory=Counter)

    def add(self, encoded: Iterable[list[str]], known: set[str]) -> None:
        for pieces in encoded:
            self.segments += 1
            target = self.held if self.segments % self.every == 0 else self.train
            target.update(p for p in pieces if p in known)

    def heldout_coverage(self, min_count: int) -> float:
        """Share of the held-out pieces that a set built from the other segments contains.

        It estimates how often a real word of new text would be cut by the restriction (lower is
        worse): more, and more varied, target-language text raises it.
        """
        total = sum(self.held.values())
        if not total:
            return 1.0
        return sum(n for p, n in self.held.items() if self.train[p] >= min_count) / total


def write_restricted(
    model_dir: Path,
    out: Path,
    always: list[str],
    languages: list[str],
    copy_through: bool = True,
    vocab: list[str] | None = None,
) -> None:
    """Write ``out``: links to ``model_dir``'s files, ``vmap.txt`` (``always`` + copy-through) and the info."""
    vocab = vocab if vocab is not None else target_vocabulary(model_dir)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        if old.is_symlink() or old.is_file():
            old.unlink()
    for src in model_dir.iterdir():
        if src.is_file() and src.name not in _NOT_LINKED:
            (out / src.name).symlink_to(src.resolve())
    with (out / VMAP_FILE).open("w", encoding="utf-8") as fh:
        fh.write("\t" + " ".join(always) + "\n")
        if copy_through:
            fh.writelines(f"{tok}\t{tok}\n" for tok in vocab if tok and " " not in tok and "\t" not in tok)
    info = (
        json.loads((model_dir / MODEL_INFO).read_text(encoding="utf-8")) if (model_dir / MODEL_INFO).is_file() else {}
    )
    info["restricted_to"] = languages
    info["restricted_from"] = str(model_dir.resolve())
    (out / MODEL_INFO).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
