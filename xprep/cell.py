"""The one cell writer: every dataset xprep writes (translate, native, perturbed, ...) lands the same way.

A cell is a folder holding ``records.jsonl``, the HF dataset of those records, ``manifest.json`` and the
``.complete`` marker. It is written in a temporary folder beside its final place (unique to this process),
the manifest's computed part gets the parts every cell has (peak memory, versions, the records' sha256),
the marker is written only once records, dataset and manifest agree, and the folder is renamed into place
in one step, replacing an older cell only inside the folder the user gave. On any failure the temporary
folder is removed and the final place is untouched.

    with open_cell(final, manifest, kind) as cell:      # locks ``final``
        for rec in records:
            cell.write(rec)
        cell.finish({"counts": ...})

Writers that already hold the lock (a build writing several cells at once) use :class:`CellWriter` directly.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from xprep.io import sha256_file, write_hf_dataset
from xprep.manifest import COMPLETE, RECORDS, Manifest, mark_complete, peak_rss_mb, versions
from xprep.owned import check_replaceable, locked, new_temp_dir, replace_owned
from xprep.records import Record


class CellWriter:
    """One cell being written into a temporary folder beside ``final`` (the caller holds ``final``'s lock)."""

    def __init__(self, final: Path, manifest: Manifest, kind: str, owner: Path | None = None) -> None:
        self.final, self.manifest, self.kind = Path(final), manifest, kind
        self.owner = Path(owner) if owner is not None else self.final.parent
        self.tmp = new_temp_dir(self.final)
        self._fh: IO[str] | None = (self.tmp / RECORDS).open("w", encoding="utf-8")
        self.written = 0

    def write(self, record: Record | dict[str, Any]) -> None:
        data = record.to_dict() if isinstance(record, Record) else record
        assert self._fh is not None, "the cell is finished"
        self._fh.write(json.dumps(data, ensure_ascii=False) + "\n")
        self.written += 1

    def finish(self, computed: dict[str, Any]) -> Manifest:
        """Close the records, write the dataset and the manifest (``computed`` + the parts every cell has),
        mark the cell complete and rename it into place."""
        self._close()
        write_hf_dataset(self.tmp / RECORDS, self.tmp, self.kind)
        self.manifest.computed = {
            **computed,
            "peak_rss_mb": peak_rss_mb(),
            "versions": versions(),
            "records_sha256": sha256_file(self.tmp / RECORDS),
        }
        self.manifest.write(self.tmp)
        mark_complete(self.tmp, self.manifest)  # only once records, dataset and manifest agree
        replace_owned(self.tmp, self.final, self.owner)  # the old cell (inside owner) goes in the same step
        return self.manifest

    def abort(self) -> None:
        """Remove the temporary folder (the final place is untouched)."""
        self._close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def is_complete(final: Path, manifest: Manifest) -> bool:
    """A cell is complete when its marker holds the same configuration hash (stale output is rebuilt)."""
    marker = Path(final) / COMPLETE
    return marker.is_file() and marker.read_text(encoding="utf-8").strip() == manifest.config_hash()


@contextlib.contextmanager
def open_cell(
    final: str | Path, manifest: Manifest, kind: str, owner: str | Path | None = None
) -> Iterator[CellWriter]:
    """Lock ``final`` and yield its :class:`CellWriter`; the block must end with ``finish``.

    An existing ``final`` is replaced only when xprep wrote it (a manifest or step marker, or empty) and
    it lies inside ``owner`` (default: its parent).
    """
    final = Path(final)
    check_replaceable(final)
    with locked(final):
        cell = CellWriter(final, manifest, kind, Path(owner) if owner is not None else None)
        try:
            yield cell
        except BaseException:
            cell.abort()
            raise
        if cell._fh is not None or not (final / COMPLETE).is_file():
            cell.abort()
            raise RuntimeError(f"cell {final} was not finished")
