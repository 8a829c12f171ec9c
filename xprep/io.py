"""Reading and writing records: JSONL, HF datasets on disk, and atomic writes."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from xprep.drops import Dropped
from xprep.errors import InputError
from xprep.owned import check_replaceable, locked, new_temp_dir, replace_owned
from xprep.records import Record, record_from_dict


def read_jsonl(path: str | Path) -> Iterator[dict]:
    """Yield one dict per non-empty line; a malformed line raises :class:`InputError` naming it."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", where=str(path))
    with open_text(path) as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"invalid JSON: {exc.msg}", where=f"{path}:{lineno}") from None
            except RecursionError:
                raise InputError("JSON nested too deeply", where=f"{path}:{lineno}") from None
            if not isinstance(obj, dict):
                raise InputError("each line must be a JSON object", where=f"{path}:{lineno}")
            yield obj


SHARD_SUFFIXES = (".json", ".jsonl", ".tsv", ".csv", ".conllu", ".conll")  # not .txt: notes sit beside data


def source_files(path: Path) -> list[Path]:
    """``[path]`` for a file; for a folder (a sharded release such as JaQuAD's ``data/dev/``) its data files
    in name order."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InputError("source file not found", where=str(path))
    files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SHARD_SUFFIXES)
    if not files:
        raise InputError("no data files in this folder", where=str(path), hint=", ".join(SHARD_SUFFIXES))
    return files


def source_sha256(path: str | Path) -> str:
    """SHA-256 of a source file, or of a folder of shards (their names and hashes, in name order)."""
    from xprep.hashing import stable_hash

    path = Path(path)
    if path.is_file():
        return sha256_file(path)
    return stable_hash([(p.name, sha256_file(p)) for p in source_files(path)], length=64)


def read_json_rows(path: str | Path) -> Iterator[dict]:
    """Rows of a file that is either JSON lines or one JSON list of objects (KLUE's releases)."""
    path = Path(path)
    with open_text(path) as fh:
        head = fh.read(4096).lstrip()
    if not head.startswith("["):
        yield from read_jsonl(path)
        return
    try:
        rows = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg} (line {exc.lineno})", where=str(path)) from None
    except RecursionError:
        raise InputError("JSON nested too deeply", where=str(path)) from None
    for n, row in enumerate(rows):
        if not isinstance(row, dict):
            raise InputError("each item of the JSON list must be an object", where=f"{path}: [{n}]")
        yield row


def read_records(path: str | Path, validate: bool = True) -> Iterator[Record]:
    """Records from an xprep ``records.jsonl``; each is validated unless ``validate`` is false."""

    def records() -> Iterator[Record]:
        for lineno, obj in enumerate(read_jsonl(path), 1):
            rec = record_from_dict(obj, source=f"{path}:{lineno}")
            if validate:
                rec.validate(source=f"{path}:{lineno}")
            yield rec

    yield from parsed(records(), str(path))  # a field of the wrong type is a located error, not a crash


def write_jsonl(path: str | Path, rows: Iterable[dict]) -> int:
    """Write rows as JSONL (UTF-8, no ASCII escaping); returns the number written."""
    n = 0
    with Path(path).open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file beside it and one rename: a reader (or a crash)
    sees the old file or the new one, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def sha256_dir(path: str | Path) -> str:
    """A stable SHA-256 over every file (relative name + bytes) below ``path``, sorted by name."""
    root = Path(path)
    h = hashlib.sha256()
    for file in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(file.relative_to(root).as_posix().encode())
        h.update(sha256_file(file).encode())
    return h.hexdigest()


@contextlib.contextmanager
def open_text(path: str | Path, newline: str | None = None) -> Iterator[TextIO]:
    """Open a UTF-8 text file for reading; invalid UTF-8 or an unreadable file is an :class:`InputError`
    naming the file (and the byte), also when the bytes are met while the caller reads."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8", newline=newline) as fh:
            yield fh
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 (byte {exc.start} of a block: {exc.reason})", where=str(path)) from None
    except (IsADirectoryError, PermissionError, FileNotFoundError) as exc:
        raise InputError(f"cannot read: {exc.strerror}", where=str(path)) from None


def read_text(path: str | Path) -> str:
    """The whole of a UTF-8 text file (errors as :func:`open_text`)."""
    with open_text(path) as fh:
        return fh.read()


# errors a parser of untrusted data raises on a shape it did not expect (a list where a mapping was due)
SHAPE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError)


def parsed(records: Iterable[Record | Dropped], where: str, drops: Counter | None = None) -> Iterator[Record]:
    """``records`` from a loader of untrusted input; a shape error inside the loader (its data, not our
    code) becomes an :class:`InputError` naming the source and the record where it happened. Rows the
    loader dropped or repaired (:class:`~xprep.drops.Dropped`) are counted by reason into ``drops``
    (``dropped:REASON``, ``repaired:REASON``); a later row with an id already seen is ``dropped:duplicate_id``."""
    n = 0
    seen: set[str] = set()
    tally = drops if drops is not None else Counter()
    try:
        for rec in records:
            n += 1
            if isinstance(rec, Dropped):
                tally[rec.key] += 1
                continue
            if rec.id in seen:
                tally["dropped:duplicate_id"] += 1
                continue
            seen.add(rec.id)
            source = rec.meta.get("source") if isinstance(rec.meta, dict) else None  # named, not located
            name = source.get("dataset") if isinstance(source, dict) else None
            if isinstance(name, str) and (name == where or name.startswith(where + os.sep)):
                source["dataset"] = Path(name).relative_to(Path(where).parent).as_posix()  # type: ignore[index]
            yield rec
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 (byte {exc.start}: {exc.reason})", where=where) from None
    except SHAPE_ERRORS as exc:
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise InputError(f"malformed input at record {n + 1} ({' '.join(detail.split())[:200]})", where=where) from None


@contextlib.contextmanager
def atomic_dir(final: str | Path, owner: str | Path | None = None) -> Iterator[Path]:
    """Yield a temporary directory beside ``final``; on success it replaces ``final`` in one rename.

    ``final`` is locked for the block (a second writer stops with one line). An existing ``final`` is
    replaced only when xprep wrote it (a manifest or step marker, or empty) and it lies inside ``owner``
    (default: its parent). On an exception the temporary directory is removed and ``final`` is untouched.
    """
    final = Path(final)
    owner = Path(owner) if owner is not None else final.parent
    check_replaceable(final)
    with locked(final):
        tmp = new_temp_dir(final)
        try:
            yield tmp
            replace_owned(tmp, final, owner)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def write_hf_dataset(jsonl: Path, out_dir: Path, kind: str) -> None:
    """Save the records of ``jsonl`` as an HF dataset that ``datasets.load_from_disk`` opens.

    Nested ``meta`` is stored as a JSON string so records of every kind share one flat schema.
    An empty file (e.g. every record filtered out) gives an empty dataset with the kind's columns.
    """
    import dataclasses

    import datasets

    from xprep.records import RECORD_TYPES

    datasets.disable_progress_bars()
    if jsonl.stat().st_size == 0:  # one (empty) shard: with none, load_from_disk fails
        names = ["kind", *(f.name for f in dataclasses.fields(RECORD_TYPES[kind]))]
        datasets.Dataset.from_dict({n: [] for n in names}).save_to_disk(str(out_dir), num_shards=1)
        return

    def gen() -> Iterator[dict]:
        for row in read_jsonl(jsonl):
            row = dict(row)
            row["meta"] = json.dumps(row.get("meta", {}), ensure_ascii=False)
            yield row

    cache = tempfile.mkdtemp(prefix=".hf-cache-", dir=out_dir.parent)  # this process's own
    try:
        ds = datasets.Dataset.from_generator(gen, cache_dir=cache)
        ds.save_to_disk(str(out_dir))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
