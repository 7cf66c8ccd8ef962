"""The embedded store on disk: atomic files, the manifest, immutable segments and the writers' lock.

Layout of a store folder::

    manifest.json        which segments are live and which of their documents count, in order
    segments/*.jsonl     immutable: one header line, then one resolved document per line
    .lock                flock'ed by the one writer; holds "pid N (command, since …)" for waiters
    .readers             flock'ed shared by readers while they read segments; writers delete only around it
    snapshot.json        the in-memory indexes saved by the last writer (graph/snapshot.py); only a speed-up

A write creates a new segment (never touches old ones), then replaces the
manifest atomically (write a temporary file, fsync, ``os.replace``, fsync the
folder).  A crash before the switch leaves an orphan segment that nothing
names; the next writer deletes it.  A crash after it leaves the new state.
So the store on disk is always one manifest's worth of whole documents.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import operator
import os
import re
import secrets
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import orjson

from .errors import CorruptStore, StoreError, StoreLocked, StoreUnavailable
from .longlived import gc_paused
from .model import DocumentRecord, Fact, Node

FORMAT = "policy-kg-embedded/3"
MANIFEST = "manifest.json"
SEGMENTS = "segments"
LOCK = ".lock"
#: the corrections log and the uncorrected records it changed (see graph/fixlog.py)
FIXES = "corrections.json"
FIX_ORIGINALS = "corrections-originals"
#: Shared-locked by readers while they read segments; a writer deletes segments only when it can
#: take it exclusively, so a reader never finds a segment of the manifest it read gone.
READERS = ".readers"
_SEGMENT_NAME = re.compile(r"^seg-[0-9]{8}-[0-9a-f]{12}\.jsonl$")
#: What a folder without a manifest may hold and still be taken for an (empty) store.
_OWN_ENTRIES = {SEGMENTS, LOCK, READERS, FIXES, FIX_ORIGINALS, "snapshot.json"}


# -- atomic files -----------------------------------------------------------


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, *, sync_dir: bool = True) -> None:
    """Replace ``path`` with ``data``: a reader or a crash sees the old file or the new one, never a mix."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if sync_dir:  # a caller writing many files of one folder syncs it once
        fsync_dir(path.parent)


def is_temp_name(name: str) -> bool:
    return name.startswith(".") and name.endswith(".tmp")


# -- the manifest -------------------------------------------------------------


@dataclass(slots=True)
class SegmentEntry:
    file: str
    #: live documents of the segment, in the segment's order
    docs: list[str]


@dataclass(slots=True)
class Manifest:
    generation: int
    segments: list[SegmentEntry]

    def live(self) -> Iterator[tuple[str, str]]:
        """(segment file, document id) in replay order."""
        for seg in self.segments:
            for doc in seg.docs:
                yield seg.file, doc

    def to_bytes(self) -> bytes:
        data = {
            "format": FORMAT,
            "generation": self.generation,
            "segments": [{"file": s.file, "docs": s.docs} for s in self.segments],
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def parse_manifest(raw: bytes, where: Path) -> Manifest:
    """A manifest from its bytes, or :class:`CorruptStore` naming the file and what is wrong."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptStore(f"{where}: not a readable store manifest ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CorruptStore(f"{where}: not a policy-kg store manifest (expected format {FORMAT!r})")
    gen, segs = data.get("generation"), data.get("segments")
    if not isinstance(gen, int) or not isinstance(segs, list):
        raise CorruptStore(f"{where}: manifest lacks 'generation' or 'segments'")
    entries: list[SegmentEntry] = []
    seen: set[str] = set()
    for s in segs:
        if (
            not isinstance(s, dict)
            or not isinstance(s.get("file"), str)
            or not _SEGMENT_NAME.match(s["file"])
            or not isinstance(s.get("docs"), list)
            or not all(isinstance(d, str) for d in s["docs"])
        ):
            raise CorruptStore(f"{where}: manifest names a malformed segment entry {str(s)[:80]!r}")
        dup = seen.intersection(s["docs"])
        if dup:
            raise CorruptStore(f"{where}: document {sorted(dup)[0]!r} is listed twice")
        seen.update(s["docs"])
        entries.append(SegmentEntry(file=s["file"], docs=list(s["docs"])))
    return Manifest(generation=gen, segments=entries)


# -- segments -------------------------------------------------------------------


@dataclass(slots=True)
class DocRecords:
    """One resolved document as stored in a segment: what replaying it adds to the graph."""

    document: DocumentRecord
    #: aliases = this document's contribution, mentions = {doc id: spans}, confidence = this document's
    nodes: list[Node]
    facts: list[Fact]


#: A fact as a segment row: every field but the document (the line's own), in this order.
_FACT_ROW = operator.attrgetter(
    "id", "predicate", "subject", "object", "evidence", "span", "amount_value", "amount_currency",
    "amount_text", "amount_masked", "amount_approx", "period_start", "period_end", "period_text", "agency",
    "action", "amount_shared", "amount_group", "confidence", "period_inherited",
)  # fmt: skip


def new_segment_name(generation: int) -> str:
    return f"seg-{generation:08d}-{secrets.token_hex(6)}.jsonl"


def _encode(rec: DocRecords) -> bytes:
    d = rec.document
    doc_row = [d.id, d.path, d.title, d.issuer, d.date, d.period_start, d.period_end, d.period_text,
               d.entity_count, d.fact_count]  # fmt: skip
    node_rows = [
        [n.key, n.type, n.name, n.aliases, n.mentions.get(d.id, ()), n.confidence]  # spans: [[a, b], ...]
        for n in rec.nodes
    ]
    fact_rows = list(map(_FACT_ROW, rec.facts))  # tuples encode as JSON arrays; the span nests
    return orjson.dumps([doc_row, node_rows, fact_rows])


def _decode(line: bytes) -> DocRecords:
    doc_row, node_rows, fact_rows = orjson.loads(line)
    doc = DocumentRecord(*doc_row)
    did = doc.id
    # rows written before confidence was stored have 5 fields (the node) and 16 or 18 (the fact, before
    # shared amounts / confidence and inherited periods): the missing ones take the defaults
    nodes = [Node(r[0], r[1], r[2], r[3], {did: [(a, b) for a, b in r[4]]}, *r[5:6]) for r in node_rows]
    facts = [
        Fact(r[0], r[1], r[2], r[3], did, r[4], (r[5][0], r[5][1]), r[6], r[7], r[8], r[9], r[10], r[11],
             r[12], r[13], r[14], r[15], *r[16:20])
        for r in fact_rows
    ]  # fmt: skip
    return DocRecords(doc, nodes, facts)


def write_segment(folder: Path, name: str, records: list[DocRecords]) -> None:
    """Write a new immutable segment and make it durable (it is not live until a manifest names it).

    One JSON document per line, encoded by orjson (UTF-8, no spaces): a
    third of the time ``json`` took, which was a quarter of the ingest.
    """
    path = folder / SEGMENTS / name
    with gc_paused():  # the rows are short-lived and acyclic: collections would only walk them
        lines = [orjson.dumps({"format": FORMAT, "docs": len(records)}), *(_encode(r) for r in records)]
    with open(path, "wb") as fh:
        fh.write(b"\n".join(lines))
        fh.write(b"\n")
        fh.flush()
        os.fsync(fh.fileno())
    fsync_dir(path.parent)


def read_segment(folder: Path, name: str, wanted: set[str] | None = None) -> dict[str, DocRecords]:
    """The documents of a segment (only ``wanted`` ones, when given) by id.

    Raises FileNotFoundError when the segment is gone (a concurrent writer
    dropped it: the caller re-reads the manifest) and :class:`CorruptStore`
    when it cannot be read.
    """
    path = folder / SEGMENTS / name
    out: dict[str, DocRecords] = {}
    with open(path, "rb") as fh:
        header = fh.readline()
        try:
            if orjson.loads(header).get("format") != FORMAT:
                raise ValueError("unknown format")
            for n, line in enumerate(fh, start=2):
                if not line.strip():
                    continue
                if wanted is not None:
                    # The id is the first string of the line: skip documents we do not need unparsed.
                    did = line[3 : line.find(b'"', 3)].decode("utf-8", "replace")
                    if did not in wanted:
                        continue
                try:
                    rec = _decode(line)
                except (ValueError, TypeError, IndexError) as exc:
                    raise ValueError(f"line {n}: {exc}") from None
                out[rec.document.id] = rec
        except (ValueError, AttributeError, TypeError) as exc:
            raise CorruptStore(f"{path}: unreadable store segment ({exc})") from None
    return out


# -- opening a folder ---------------------------------------------------------


def check_folder(folder: Path) -> bool:
    """Whether ``folder`` holds a store (True), may become one (False), or must be left alone (raises)."""
    try:
        if not folder.exists():
            return False
        if not folder.is_dir():
            raise StoreUnavailable(f"{folder}: not a folder (a file is in the way of the store)")
        if (folder / MANIFEST).exists():
            return True
        others = [p.name for p in folder.iterdir() if p.name not in _OWN_ENTRIES and not is_temp_name(p.name)]
    except PermissionError as exc:
        raise StoreUnavailable(f"{folder}: cannot read the store folder ({exc.strerror})") from None
    if others:
        raise CorruptStore(
            f"{folder}: not a policy-kg store (no {MANIFEST}, but it holds {others[0]!r}); "
            "choose an empty or new folder"
        )
    return False


def read_manifest(folder: Path) -> Manifest | None:
    path = folder / MANIFEST
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise CorruptStore(f"{path}: is a folder, not a store manifest") from None
    except PermissionError as exc:
        raise StoreUnavailable(f"{path}: cannot read the store manifest ({exc.strerror})") from None
    return parse_manifest(raw, path)


def manifest_signature(folder: Path) -> tuple[int, int, int] | None:
    """A cheap change detector for the manifest (``os.replace`` gives a new inode and mtime)."""
    try:
        st = os.stat(folder / MANIFEST)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def clean_orphans(folder: Path, manifest: Manifest | None) -> int:
    """Delete segments no manifest names and temporary files left by crashed writers (writer only)."""
    live = {s.file for s in manifest.segments} if manifest else set()
    doomed: list[Path] = []
    for base in (folder, folder / SEGMENTS):
        if not base.is_dir():
            continue
        for p in base.iterdir():
            orphan = base.name == SEGMENTS and _SEGMENT_NAME.match(p.name) and p.name not in live
            if orphan or is_temp_name(p.name):
                doomed.append(p)
    return reap(folder, doomed) if doomed else 0


@contextlib.contextmanager
def reading(folder: Path) -> Iterator[None]:
    """Hold the readers' lock (shared) while reading a manifest and its segments."""
    try:
        fd = os.open(folder / READERS, os.O_RDONLY)
    except OSError:
        # No store written here yet (the first writer creates the file), or nothing we may open:
        # readers create nothing, so a read-only open leaves the folder as it was.
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


def reap(folder: Path, paths: list[Path]) -> int:
    """Delete files no manifest names any more, unless a reader is mid-read.

    Then they stay: they are orphans now, and the next writer removes them.
    Returns how many were deleted.
    """
    try:
        fd = os.open(folder / READERS, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        return 0
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0
        removed = 0
        for p in paths:
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
                removed += 1
        return removed
    finally:
        os.close(fd)


# -- the writers' lock ----------------------------------------------------------


class WriterLock:
    """An exclusive ``flock`` on ``<store>/.lock``: one writer at a time, the others wait and say so once."""

    def __init__(self, folder: Path, timeout: float | None = None, notify: TextIO | None = None) -> None:
        self.path = folder / LOCK
        self.timeout = timeout
        self.notify = notify
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreUnavailable(f"{self.path}: cannot open the store lock ({exc.strerror})") from None
        try:
            self._wait(fd)
            holder = f"pid {os.getpid()} ({_command()}, since {time.strftime('%H:%M:%S')})\n"
            os.ftruncate(fd, 0)
            os.pwrite(fd, holder.encode("utf-8"), 0)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def _wait(self, fd: int) -> None:
        told = False
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise StoreUnavailable(f"{self.path}: cannot lock the store ({exc.strerror})") from None
            holder = _read_holder(fd)
            if not told:
                out = self.notify or sys.stderr
                out.write(f"kg: waiting for the store lock held by {holder} on {self.path.parent}\n")
                out.flush()
                told = True
            if deadline is not None and time.monotonic() >= deadline:
                raise StoreLocked(f"{self.path.parent}: the store is locked by {holder}")
            time.sleep(0.05)

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 300, 0).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return text or "another process"


def _command() -> str:
    argv = [os.path.basename(sys.argv[0]) if sys.argv else "python", *sys.argv[1:3]]
    return " ".join(argv)[:60]


def ensure_folder(folder: Path) -> None:
    """Create the store folder on the first write (never earlier: a typo'd --store must not leave folders)."""
    try:
        (folder / SEGMENTS).mkdir(parents=True, exist_ok=True)
        (folder / READERS).touch(exist_ok=True)
    except FileExistsError:
        raise StoreUnavailable(f"{folder}: a file is in the way of the store folder") from None
    except OSError as exc:
        raise StoreUnavailable(f"{folder}: cannot create the store folder ({exc.strerror})") from None


def as_store_error(exc: OSError, folder: Path) -> StoreError:
    """A write that failed on disk (full, read-only, vanished) as one line naming the store."""
    return StoreUnavailable(f"{folder}: cannot write the store ({exc.strerror or exc})")


__all__ = [
    "DocRecords",
    "Manifest",
    "SegmentEntry",
    "WriterLock",
    "check_folder",
    "clean_orphans",
    "ensure_folder",
    "manifest_signature",
    "new_segment_name",
    "read_manifest",
    "read_segment",
    "write_atomic",
    "write_segment",
]
