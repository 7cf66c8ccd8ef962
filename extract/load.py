"""Reading one report file (or uploaded bytes) into a :class:`~extract.model.LoadedText`.

Offsets everywhere downstream point into ``LoadedText.text``: for ``.txt`` and
``.md`` that is the decoded file (a BOM is not part of it); for ``.html`` /
``.htm`` (and a ``.txt`` whose content is markup: pages are often saved under
that name) it is the page's readable text as produced by
:func:`extract.html_text.html_to_text`, since markup is not a report.  The text
is never cleaned further: junk is only marked, by leaving it out of
``LoadedText.body``.

Refusals are :class:`~extract.errors.LoadError` with the path and a one-line
problem.  Oversized files are refused from their size before anything is read.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .encoding import decode_bytes
from .errors import LoadError
from .html_text import declared_charset, html_to_text, looks_like_html
from .junk import body_ranges
from .model import LoadedText

#: Suffixes a folder walk picks up and an explicitly named file may have.
TEXT_SUFFIXES = frozenset({".txt", ".md"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES

#: Default size limit; reports are tens of kilobytes, so 20 MB is generous and keeps memory bounded.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
#: Environment variable that overrides the limit, in megabytes (``KG_MAX_FILE_MB=50``).
MAX_SIZE_ENV = "KG_MAX_FILE_MB"


def max_bytes_from_env() -> int:
    """The size limit in bytes: ``KG_MAX_FILE_MB`` if set to a positive number, else the default."""
    raw = os.environ.get(MAX_SIZE_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_BYTES
    try:
        mb = float(raw)
    except ValueError:
        raise LoadError(MAX_SIZE_ENV, f"not a number of megabytes: {raw!r}") from None
    if mb <= 0:
        raise LoadError(MAX_SIZE_ENV, f"must be positive, got {raw!r}")
    return int(mb * 1024 * 1024)


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def read_bytes(path: str | Path, max_bytes: int | None = None) -> bytes:
    """The raw bytes of ``path``, refusing what cannot or should not be read, with a clear problem.

    The file is opened without blocking and checked on the open descriptor, so
    a named pipe (or a file swapped for one after a check) is refused instead
    of waiting forever for a writer.
    """
    limit = max_bytes_from_env() if max_bytes is None else max_bytes
    name = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise LoadError(name, _os_problem(exc)) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise LoadError(name, "is a folder, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise LoadError(name, "not a regular file (a pipe, socket or device); not read")
        if st.st_size > limit:
            size = _mb(st.st_size)
            raise LoadError(name, f"file too large ({size}; the limit is {_mb(limit)}, see {MAX_SIZE_ENV})")
        with open(fd, "rb", closefd=False) as fh:
            # Read one byte past the limit: sizes reported by stat can lie (/proc, growing files).
            data = fh.read(limit + 1)
    except OSError as exc:
        raise LoadError(name, _os_problem(exc)) from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise LoadError(name, f"file too large (over {_mb(limit)}; see {MAX_SIZE_ENV})")
    return data


def _os_problem(exc: OSError) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied (cannot read the file)"
    if exc.errno == errno.ENOENT:
        return "no such file or folder"
    if exc.errno == errno.ELOOP:
        return "symlink loop (the link points back to itself)"
    if exc.errno == errno.EISDIR:
        return "is a folder, not a file"
    return f"cannot read: {exc.strerror or exc}"


def load_bytes(data: bytes, name: str) -> LoadedText:
    """Decode an upload or a file's bytes; ``name`` picks text vs HTML by its suffix and names errors.

    A ``.txt`` whose text looks like a web page is read as one, so its tags never reach the extractor.
    """
    suffix = Path(name).suffix.lower()
    if suffix in HTML_SUFFIXES:
        return _load_html(data, name)
    decoded = decode_bytes(data, name)
    if suffix != ".md" and looks_like_html(decoded.text):
        return _html_page(decoded.text, decoded.encoding, name)
    media = "text/markdown" if suffix == ".md" else "text/plain"
    return LoadedText(
        path=name,
        text=decoded.text,
        encoding=decoded.encoding,
        body=body_ranges(decoded.text),
        media_type=media,
    )


def _load_html(data: bytes, name: str) -> LoadedText:
    declared = declared_charset(data)
    if declared in ("gb2312", "gbk", "x-gbk"):
        declared = "gb18030"  # pages labelled GB2312/GBK routinely use characters only GB18030 has
    text: str | None = None
    encoding = ""
    if declared:
        try:
            text = data.decode(declared)
            encoding = declared
        except (LookupError, UnicodeDecodeError):
            text = None
    if text is None:
        decoded = decode_bytes(data, name)
        text, encoding = decoded.text, decoded.encoding
    return _html_page(text, encoding, name)


def _html_page(markup: str, encoding: str, name: str) -> LoadedText:
    page = html_to_text(markup)
    if not page.strip():
        raise LoadError(name, "web page without readable text")
    return LoadedText(path=name, text=page, encoding=encoding, body=body_ranges(page), media_type="text/html")


def load_file(path: str | Path, max_bytes: int | None = None) -> LoadedText:
    """Load one report file; ``LoadedText.path`` is the path as given.

    Raises :class:`LoadError` for anything that is not a readable text report
    of a supported type.
    """
    check_supported(path)
    return load_bytes(read_bytes(path, max_bytes), str(path))


def check_supported(path: str | Path) -> None:
    """Refuse a file whose suffix is not a report type, before reading it."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "(no suffix)"
        raise LoadError(str(path), f"unsupported file type {shown} (expected .txt, .md, .html or .htm)")


def load_text(text: str, name: str) -> LoadedText:
    """Wrap text that is already decoded (an API upload sent as a string); HTML is still reduced to text."""
    suffix = Path(name).suffix.lower()
    if suffix in HTML_SUFFIXES or (suffix != ".md" and looks_like_html(text)):
        return load_bytes(text.encode("utf-8"), name)
    if not text.strip():
        raise LoadError(name, "empty file" if not text else "empty file (only whitespace)")
    media = "text/markdown" if Path(name).suffix.lower() == ".md" else "text/plain"
    return LoadedText(path=name, text=text, encoding="utf-8", body=body_ranges(text), media_type=media)
