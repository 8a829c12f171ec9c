"""Outputs are owned, inputs are data: safe names, owned paths, output checks and locks.

- :func:`check_name`: every name that becomes part of a path (recipe, condition, target, tag, split,
  task and language codes, model aliases) matches ``[A-Za-z0-9][A-Za-z0-9._-]*`` and is never ``.``/``..``.
- :func:`inside` / :func:`remove_owned` / :func:`replace_owned`: xprep deletes or replaces a path only
  after checking that it lies inside the output folder that owns it (symlinks resolved).
- :func:`check_output_dir`, :func:`check_cache_file`: an output folder that can be written, a cache that
  is an SQLite file, found before any output is created; :func:`check_model_folder`: a model or asset
  folder is written only where it is new, empty, or one xprep wrote (``--force`` never empties a user's).
- :func:`locked`: an exclusive lock per output cell; a second writer stops with one line.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from xprep.errors import InputError

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
SQLITE_HEADER = b"SQLite format 3\x00"
LOCK_SUFFIX = ".lock"


def check_name(value: object, what: str, where: str | None = None) -> str:
    """``value`` when it is a safe path component, else :class:`InputError` naming ``where`` (file: key)."""
    text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if text is None or not NAME.fullmatch(text) or text in (".", ".."):
        raise InputError(
            f"{what} {value!r} cannot be used in a path",
            where=where,
            hint="letters, digits, '.', '_' and '-', starting with a letter or digit",
        )
    return text


def inside(path: Path, owner: Path) -> Path:
    """``path`` resolved, when it lies strictly inside ``owner`` (both resolved); else :class:`InputError`."""
    real, root = Path(os.path.realpath(path)), Path(os.path.realpath(owner))
    if real == root or root not in real.parents:
        raise InputError(f"refusing to touch {real}: it is not inside the output folder {root}", where=str(path))
    return real


def remove_owned(path: Path, owner: Path) -> None:
    """Remove the folder (or file) ``path`` after checking it lies inside ``owner``; missing is fine.

    A symbolic link inside ``owner`` is removed itself; what it points to is never followed or touched.
    """
    path = Path(path)
    if not os.path.lexists(path):
        return
    if path.is_symlink():
        parent = Path(os.path.realpath(path.parent))
        if parent != Path(os.path.realpath(owner)):
            inside(parent, owner)  # the link itself must lie in the output folder
        path.unlink()
        return
    real = inside(path, owner)
    if real.is_dir():
        shutil.rmtree(real)  # does not follow links inside the tree
    else:
        real.unlink()


def is_xprep_output(folder: Path) -> bool:
    """Whether ``folder`` is something xprep wrote (a manifest or step marker), or an empty folder."""
    if not folder.is_dir():
        return False
    markers = ("manifest.json", ".step.json", ".step.started.json", ".complete", "results.json")
    return any((folder / m).is_file() for m in markers) or not any(folder.iterdir())


def check_replaceable(final: Path) -> None:
    """Refuse, in one line, to replace ``final`` unless it is absent or a folder xprep wrote."""
    if os.path.lexists(final) and not final.is_dir():
        raise InputError("exists and is not a folder: refusing to replace it", where=str(final))
    if final.is_dir() and not is_xprep_output(final):
        raise InputError("exists and is not an xprep output: refusing to replace it", where=str(final),
                         hint="give a new folder")  # fmt: skip


def check_output_dir(path: Path, where: str = "--out") -> Path:
    """``path`` when it can be an output folder: not a file, not ``/`` or the home folder, writable.

    Raises :class:`InputError` before anything is created.
    """
    path = Path(path)
    real = Path(os.path.realpath(path))
    if real == Path(real.anchor) or real == Path.home().resolve():
        raise InputError(f"refusing to write into {real}", where=where, hint="give a folder of its own")
    if path.exists() and not path.is_dir():
        raise InputError("exists and is not a folder", where=f"{where} {path}")
    probe = real
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise InputError(f"{probe} is a file, not a folder", where=f"{where} {path}")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise InputError(f"cannot write into {probe} (read-only or no permission)", where=f"{where} {path}")
    return path


def check_model_folder(out: Path, marker: str, force: bool, where: str = "--out") -> Path:
    """``out`` when a model or asset folder may be written there: absent, empty, or (with ``force``) a
    folder xprep wrote before (it holds ``marker``). Any other non-empty folder is refused in one line,
    with or without ``force``: writing a model replaces the folder's files, and a user's files are not
    xprep's to replace."""
    out = check_output_dir(Path(out), where)
    if out.is_dir() and any(out.iterdir()):
        if not (out / marker).is_file():
            raise InputError(
                f"exists, is not empty and holds no {marker} (not a folder xprep wrote): refusing to write into it",
                where=f"{where} {out}",
                hint="give a new folder",
            )
        if not force:
            raise InputError("output folder exists and is not empty", where=f"{where} {out}", hint="pass --force")
    return out


def check_cache_file(path: Path, where: str = "--cache") -> Path:
    """``path`` when it is (or can become) an SQLite translation cache; else :class:`InputError`."""
    path = Path(path)
    if path.is_dir():
        raise InputError("is a folder, not an SQLite file", where=f"{where} {path}")
    if path.exists():
        try:
            with path.open("rb") as fh:
                head = fh.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise InputError(f"cannot read the cache: {exc.strerror}", where=f"{where} {path}") from None
        if head and head != SQLITE_HEADER:
            raise InputError("not an SQLite database", where=f"{where} {path}", hint="give a new file name")
        if not os.access(path, os.W_OK):
            raise InputError("the cache is read-only", where=f"{where} {path}")
    else:
        check_output_dir(path.parent, where=f"{where} folder")
    return path


@contextlib.contextmanager
def locked(target: Path, what: str = "output", wait: float = 0) -> Iterator[None]:
    """Hold an exclusive lock on ``target`` (a file ``.NAME.lock`` beside it) for the block.

    Another process holding it for longer than ``wait`` seconds (default: none) gives :class:`InputError`:
    concurrent writers never share a cell. The lock is an OS lock (``fcntl``), released when the process
    exits, even by SIGKILL; the empty lock file stays.
    """
    from filelock import FileLock, Timeout

    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(target.parent / f".{target.name}{LOCK_SUFFIX}"), timeout=wait)
    try:
        lock.acquire()
    except Timeout:
        raise InputError(
            f"another xprep process is writing this {what}", where=str(target), hint="wait for it to finish"
        ) from None
    try:
        yield
    finally:
        lock.release()


def new_temp_dir(final: Path) -> Path:
    """A temporary folder beside ``final``, unique to this process, with the umask's permissions.

    The caller holds ``final``'s lock, so temporary folders of ``final`` left by a killed writer belong to
    no live process: they are removed first.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    for stale in [*final.parent.glob(f".{final.name}.tmp-*"), *final.parent.glob(f".{final.name}.old-*")]:
        remove_owned(stale, final.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-{os.getpid()}-", dir=final.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes 0700; outputs are shared like any folder the user makes
    return tmp


def replace_owned(tmp: Path, final: Path, owner: Path) -> None:
    """Put ``tmp`` at ``final`` (both inside ``owner``), removing what was there; one rename when possible."""
    if os.path.lexists(final):
        inside(final, owner)
        old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-", dir=final.parent))
        os.replace(final, old / "x")  # a unique name: concurrent replacements never share it
        os.replace(tmp, final)
        remove_owned(old, owner)
    else:
        os.replace(tmp, final)


# OS errors that the environment causes (a full disk, a read-only folder), reported as one line by the CLI
USER_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EISDIR})
