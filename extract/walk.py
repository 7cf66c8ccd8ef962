"""Expanding command-line paths into the report files to read.

Folders are walked recursively in sorted order, picking up only report
suffixes and skipping hidden entries (``.git``, editor backups).  Symlinks are
followed, but every folder is entered at most once (by device and inode), so a
link back to an ancestor is reported once as a loop instead of recursing
forever; a file reached twice through links is read once.  Problems come out
in order, as :class:`LoadError` items between the paths, so a caller can
report them and carry on.

Only regular files are read: a named pipe or a device would block the
reader forever (``mkfifo d/x.txt``), so those are reported as ``not a regular
file`` whether named directly or met in a folder.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import LoadError
from .load import SUPPORTED_SUFFIXES


def iter_inputs(paths: Iterable[str | Path]) -> Iterator[Path | LoadError]:
    """Report files under ``paths`` (files as given, folders recursively), or the problem met on the way.

    Explicitly named files are yielded whatever their suffix; loading refuses
    unsupported types with a clear message.
    """
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[tuple[int, int]] = set()
    for raw in paths:
        path = Path(raw)
        try:
            st = path.stat()
        except OSError as exc:
            yield LoadError(str(path), _stat_problem(path, exc))
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(path, seen_dirs, seen_files, ancestors=())
        elif not stat.S_ISREG(st.st_mode):
            yield LoadError(str(path), NOT_REGULAR)
        else:
            key = (st.st_dev, st.st_ino)
            if key not in seen_files:
                seen_files.add(key)
                yield path


#: The problem reported for a pipe, socket or device among the inputs.
NOT_REGULAR = "not a regular file (a pipe, socket or device); not read"


def _stat_problem(path: Path, exc: OSError) -> str:
    if path.is_symlink():
        try:
            os.stat(path)
        except OSError as inner:
            if inner.errno == errno.ELOOP:
                return "symlink loop (the link points back to itself)"
        return f"broken symlink (points to {os.readlink(path)})"
    if isinstance(exc, FileNotFoundError):
        return "no such file or folder"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return f"cannot read: {exc.strerror or exc}"


def _walk(
    folder: Path,
    seen_dirs: set[tuple[int, int]],
    seen_files: set[tuple[int, int]],
    ancestors: tuple[tuple[int, int], ...],
) -> Iterator[Path | LoadError]:
    st = folder.stat()
    key = (st.st_dev, st.st_ino)
    if key in ancestors:
        target = os.path.realpath(folder)
        yield LoadError(str(folder), f"symlink loop (leads back to {target}); not followed")
        return
    if key in seen_dirs:
        return  # the same folder reached through another link: already read
    seen_dirs.add(key)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        problem = (
            "permission denied (cannot list the folder)"
            if isinstance(exc, PermissionError)
            else (f"cannot list the folder: {exc.strerror or exc}")
        )
        yield LoadError(str(folder), problem)
        return
    inner = (*ancestors, key)
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir(follow_symlinks=True)
            entry_st = entry.stat(follow_symlinks=True)
        except OSError as exc:
            if path.suffix.lower() in SUPPORTED_SUFFIXES or entry.is_symlink():
                yield LoadError(str(path), _stat_problem(path, exc))
            continue
        if is_dir:
            yield from _walk(path, seen_dirs, seen_files, inner)
        elif path.suffix.lower() in SUPPORTED_SUFFIXES:
            if not stat.S_ISREG(entry_st.st_mode):
                yield LoadError(str(path), NOT_REGULAR)
                continue
            file_key = (entry_st.st_dev, entry_st.st_ino)
            if file_key not in seen_files:
                seen_files.add(file_key)
                yield path
