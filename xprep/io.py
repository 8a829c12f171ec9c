"""Reading and writing records: JSONL, HF datasets on disk, and atomic writes."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from xprep.errors import InputError
from xprep.records import Record, record_from_dict


def read_jsonl(path: str | Path) -> Iterator[dict]:
    """Yield one dict per non-empty line; a malformed line raises :class:`InputError` naming it."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", where=str(path))
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"invalid JSON: {exc.msg}", where=f"{path}:{lineno}") from None
            if not isinstance(obj, dict):
                raise InputError("each line must be a JSON object", where=f"{path}:{lineno}")
            yield obj


def read_records(path: str | Path, validate: bool = True) -> Iterator[Record]:
    """Records from an xprep ``records.jsonl``; each is validated unless ``validate`` is false."""
    for lineno, obj in enumerate(read_jsonl(path), 1):
        rec = record_from_dict(obj, source=f"{path}:{lineno}")
        if validate:
            rec.validate(source=f"{path}:{lineno}")
        yield rec


def write_jsonl(path: str | Path, rows: Iterable[dict]) -> int:
    """Write rows as JSONL (UTF-8, no ASCII escaping); returns the number written."""
    n = 0
    with Path(path).open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


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
def atomic_dir(final: str | Path) -> Iterator[Path]:
    """Yield a temporary directory beside ``final``; on success it replaces ``final`` in one rename.

    On an exception the temporary directory is removed and ``final`` is untouched.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=final.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if final.exists():
        old = final.with_name(f".{final.name}.old-{os.getpid()}")
        final.rename(old)
        tmp.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(final)


def write_hf_dataset(jsonl: Path, out_dir: Path, kind: str) -> None:
    """Save the records of ``jsonl`` as an HF dataset that ``datasets.load_from_disk`` opens.

    Nested ``meta`` is stored as a JSON string so records of every kind share one flat schema.
    An empty file (e.g. every record filtered out) gives an empty dataset with the kind's columns.
    """
    import dataclasses

    import datasets

    from xprep.records import RECORD_TYPES

    datasets.disable_progress_bars()
    if jsonl.stat().st_size == 0:
        names = ["kind", *(f.name for f in dataclasses.fields(RECORD_TYPES[kind]))]
        datasets.Dataset.from_dict({n: [] for n in names}).save_to_disk(str(out_dir))
        return

    def gen() -> Iterator[dict]:
        for row in read_jsonl(jsonl):
            row = dict(row)
            row["meta"] = json.dumps(row.get("meta", {}), ensure_ascii=False)
            yield row

    ds = datasets.Dataset.from_generator(gen, cache_dir=str(out_dir.parent / ".hf-cache"))
    ds.save_to_disk(str(out_dir))
    shutil.rmtree(out_dir.parent / ".hf-cache", ignore_errors=True)
