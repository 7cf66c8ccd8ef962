"""The default store: the graph in memory (networkx), persisted in a folder as segments + a manifest.

Why this shape: a report must be added in well under a second to a store of
100,000 relations, a ``kill -9`` must never leave half a report, and a reader
(the API) must keep answering while ``kg build`` writes.  Appending one new
segment per write and switching one small manifest atomically gives all three
without rewriting what is stored (see :mod:`graph.persist`).  Every process
keeps its own copy of the graph in memory and follows the manifest: before a
read it checks the manifest's inode/mtime and applies added or removed
documents, whole, under a lock — so a reader never sees half a write.
Writers are serialised by an ``flock``; each re-syncs with the manifest under
the lock before it resolves entities, so two ``kg build`` runs merge as if run
one after the other.
"""

from __future__ import annotations

import contextlib
import io
import sys
import threading
import time
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import TextIO

from extract.model import Extraction

from . import corrections, fixlog, snapshot
from .background import BackgroundJob
from .errors import CorruptStore, StaleWrite, StoreError, StoreLocked, StoreUnavailable
from .ingest import PreparedDocument, document_id, prepare, resolve
from .longlived import long_lived
from .memgraph import MemGraph
from .model import (
    DocumentRecord,
    EntityHit,
    Fact,
    GraphPath,
    IngestResult,
    Node,
    Page,
    RemoveResult,
    Stats,
    Subgraph,
)
from .persist import (
    DocRecords,
    Manifest,
    SegmentEntry,
    WriterLock,
    as_store_error,
    check_folder,
    clean_orphans,
    ensure_folder,
    manifest_signature,
    new_segment_name,
    read_manifest,
    read_segment,
    reading,
    reap,
    write_atomic,
    write_segment,
)

#: A batch of ``ingest_many`` is written when it reaches this many facts, documents or seconds.
BATCH_FACTS = 50_000
BATCH_DOCS = 1_000
BATCH_SECONDS = 2.0
#: More live segments than this and a write folds the small trailing ones into its own segment.
MAX_SEGMENTS = 16
SMALL_SEGMENT = 64
#: A writer saves the snapshot of the indexes after a write call once it has committed this many facts
#: since the last one, or as many as the last one held (so saving costs O(1) per fact); and on close.
SNAPSHOT_TAIL = 50_000
#: A manifest written less than this long ago is re-read even if its stat looks unchanged
#: (inode numbers are reused and mtimes are coarse on some filesystems).
_FRESH_NS = 2_000_000_000


class ReadOnlyStore(StoreError, PermissionError):
    """A write was asked of a store opened read-only."""


class EmbeddedStore:
    """A :class:`graph.store.GraphStore` kept in a local folder (``./kg-data`` by default).

    ``lock_timeout`` bounds how long a writer waits for another writer
    (``None``: as long as it takes) before raising ``StoreLocked``;
    ``notify`` is where the one "waiting for the store lock" line goes
    (stderr by default).  ``use_snapshot`` (default on) opens from the
    saved indexes (:mod:`graph.snapshot`) and keeps them saved; off, every
    open replays the segments (benchmarks and tests compare the two).
    """

    def __init__(
        self,
        path: str | Path = "./kg-data",
        readonly: bool = False,
        *,
        lock_timeout: float | None = None,
        notify: TextIO | None = None,
        use_snapshot: bool = True,
    ) -> None:
        self.folder = Path(path)
        self.location = str(path)
        self.readonly = readonly
        self._mutex = threading.RLock()
        self._lock = WriterLock(self.folder, timeout=lock_timeout, notify=notify)
        self._lock_depth = 0
        self._pinned = 0
        self._mem = MemGraph()
        self._manifest = Manifest(generation=0, segments=[])
        self._signature: tuple[int, int, int] | None = None
        self._closed = False
        #: the corrections log while this process holds the writer lock (read under it), and its active part
        self._fix_log: list[corrections.Correction] | None = None
        self._fix_active: list[corrections.Correction] = []
        #: originals to write (or, None, drop) before the next manifest names the corrected records
        self._fix_pending: dict[str, DocRecords | None] = {}
        self._use_snapshot = use_snapshot
        #: facts this process committed since the snapshot was last saved, and how many that one held
        self._tail = 0
        self._snap_facts = 0
        #: the child saving a snapshot in the background, and the facts it holds that no other one does
        self._saver = BackgroundJob()
        self._saving = 0
        if not check_folder(self.folder) and readonly and not self.folder.exists():
            raise StoreUnavailable(f"{self.folder}: no store here (build one: kg build REPORTS --store PATH)")
        self._load()

    def _load(self) -> None:
        """Memory from scratch: the snapshot when there is a usable one, then what the manifest adds."""
        self._mem = MemGraph()
        self._manifest = Manifest(generation=0, segments=[])
        if self._use_snapshot:
            self._from_snapshot()
        self._sync(force=True)

    def _from_snapshot(self) -> None:
        """Start from the saved indexes, minus the documents the manifest no longer has where they were."""
        with reading(self.folder):
            manifest = read_manifest(self.folder)
            if manifest is None:
                return
            with long_lived():
                snap = snapshot.read(self.folder)
        if snap is None:
            return
        live = set(manifest.live())
        sizes = snapshot.segment_sizes(self.folder, snap.sizes)
        with long_lived():
            for seg, doc in snap.live:
                # Removed, replaced or folded into another segment since; or its segment changed on disk.
                if (seg, doc) not in live or sizes.get(seg) != snap.sizes[seg]:
                    snap.mem.remove(doc)
        self._mem = snap.mem
        self._snap_facts = len(snap.mem.facts)

    # -- following the manifest ---------------------------------------------------

    def _sync(self, force: bool = False) -> None:
        """Bring the in-memory graph to the manifest on disk (cheap when nothing changed)."""
        if (self._lock_depth or self._pinned) and not force:
            return  # we are the writer (nobody else can change it), or a caller pinned this state
        sig = manifest_signature(self.folder)
        if not force and sig == self._signature and (sig is None or time.time_ns() - sig[1] > _FRESH_NS):
            return
        # Writers delete a segment only when no reader holds this lock, so every segment the
        # manifest we read names is still there while we read it.
        with reading(self.folder):
            manifest = read_manifest(self.folder)
            if manifest is None:
                if self._mem.docs:
                    raise CorruptStore(f"{self.folder}: the store manifest disappeared")
                self._signature = sig
                return
            if manifest.generation == self._manifest.generation and self._signature is not None and not force:
                self._signature = sig
                return
            try:
                with long_lived():
                    self._apply_manifest(manifest)
            except FileNotFoundError:
                raise CorruptStore(f"{self.folder}: a segment named by the manifest is missing") from None
            self._manifest = manifest
            self._signature = sig

    def _apply_manifest(self, manifest: Manifest) -> None:
        live = list(manifest.live())
        live_ids = {doc for _, doc in live}
        # Load what is missing first, so a missing segment changes nothing in memory.
        missing: dict[str, set[str]] = {}
        for seg, doc in live:
            if doc not in self._mem.docs:
                missing.setdefault(seg, set()).add(doc)
        loaded: dict[str, DocRecords] = {}
        for seg, docs in missing.items():
            got = read_segment(self.folder, seg, docs)
            absent = docs - got.keys()
            if absent:
                raise CorruptStore(
                    f"{self.folder / 'segments' / seg}: document {sorted(absent)[0]!r} named by the manifest "
                    "is not in its segment"
                )
            loaded.update(got)
        for doc in [d for d in self._mem.docs if d not in live_ids]:
            self._mem.remove(doc)
        for _, doc in live:
            rec = loaded.get(doc)
            if rec is not None:
                self._mem.apply(rec)

    def _read(self) -> MemGraph:
        if self._closed:
            raise StoreError(f"{self.location}: the store is closed")
        self._sync()
        return self._mem

    # -- the writers' lock --------------------------------------------------------

    def _begin_write(self) -> None:
        if self.readonly:
            raise ReadOnlyStore(f"{self.location}: the store was opened read-only")
        if self._closed:
            raise StoreError(f"{self.location}: the store is closed")
        if self._lock_depth == 0:
            check_folder(self.folder)
            ensure_folder(self.folder)
            self._lock.acquire()
            try:
                self._sync(force=True)
                clean_orphans(self.folder, self._manifest)
                self._fix_log = fixlog.read_log(self.folder)
                self._fix_active = corrections.FixState(self._fix_log).active()
            except BaseException:
                self._lock.release()
                raise
        self._lock_depth += 1

    def _end_write(self) -> None:
        self._lock_depth -= 1
        if self._lock_depth == 0:
            self._fix_log = None
            self._lock.release()

    def _commit(self, records: list[DocRecords], removed: set[str]) -> None:
        """Write one new segment (if any records) and switch the manifest: the single commit point."""
        added = sum(len(r.facts) for r in records) + len(removed)
        self._write_originals(removed - {r.document.id for r in records})
        generation = self._manifest.generation + 1
        segments = [
            SegmentEntry(s.file, [d for d in s.docs if d not in removed]) for s in self._manifest.segments
        ]
        dropped = [s.file for s in segments if not s.docs]
        segments = [s for s in segments if s.docs]
        if records and len(segments) >= MAX_SEGMENTS:
            # Fold the small segments at the end into the one being written, so that one report
            # per write does not grow the folder without bound.  Only a trailing run no bigger
            # than what is written anyway is rewritten: the cost stays proportional to the write.
            folded: list[SegmentEntry] = []
            size = len(records)
            while segments and len(segments[-1].docs) <= max(size, SMALL_SEGMENT):
                folded.insert(0, segments.pop())
                size += len(folded[0].docs)
            records = [self._mem.records(d) for seg in folded for d in seg.docs] + records
            dropped += [seg.file for seg in folded]
        if records:
            name = new_segment_name(generation)
            write_segment(self.folder, name, records)
            segments.append(SegmentEntry(name, [r.document.id for r in records]))
        manifest = Manifest(generation=generation, segments=segments)
        write_atomic(self.folder / "manifest.json", manifest.to_bytes())
        self._manifest = manifest
        self._signature = manifest_signature(self.folder)
        self._tail += added
        if dropped:
            reap(self.folder, [self.folder / "segments" / file for file in dropped])

    def _write_originals(self, removed: set[str]) -> None:
        """The corrections step's originals of this commit, before the manifest (see :mod:`graph.fixlog`)."""
        if self._fix_log:
            for doc in removed:
                self._fix_pending.setdefault(doc, None)
        if self._fix_pending:
            pending, self._fix_pending = self._fix_pending, {}
            fixlog.write_originals(self.folder, pending)

    def _recover(self) -> None:
        """After a failed commit the memory may hold unwritten documents: rebuild it from disk."""
        self._fix_pending = {}
        self._load()

    def _save_snapshot(self, force: bool = False) -> None:
        """Save the indexes when enough was written since the last save (writer only, memory = manifest).

        After a write call the save runs in a forked child (:mod:`graph.background`)
        and this writer goes on; on close (``force``) it runs here, since the
        process is about to end.  The snapshot only makes opening faster: when
        it cannot be written the store is as safe as before, so that is one
        line on stderr, not an error.
        """
        self._collect_save(self._saver.wait() if force else self._saver.poll())
        if not self._use_snapshot or self._tail == 0:
            return
        if not force and self._tail < max(SNAPSHOT_TAIL, self._snap_facts):
            return
        folder, mem, manifest = self.folder, self._mem, self._manifest

        def save() -> str | None:
            try:
                snapshot.write(folder, mem, manifest)
            except (OSError, ValueError) as exc:
                problem = exc.strerror if isinstance(exc, OSError) else str(exc)
                return f"kg: note: {folder}: could not save the store snapshot ({problem})\n"
            return None

        if not force and self._saver.start(save):
            self._saving = self._tail
        else:
            problem = save()
            if problem is not None:
                sys.stderr.write(problem)
                return
        self._tail = 0
        self._snap_facts = len(self._mem.facts)

    def _collect_save(self, ok: bool) -> None:
        """After a background save ended: if it failed, what it held counts as unsaved again."""
        if not self._saver.running:
            if not ok:
                self._tail += self._saving
            self._saving = 0

    def wait_snapshot(self) -> None:
        """Wait until a snapshot being saved in the background is on disk (tests, benchmarks)."""
        with self._mutex:
            self._collect_save(self._saver.wait())

    # -- writes -------------------------------------------------------------------

    def ingest(self, extraction: Extraction, *, replace: bool = False) -> IngestResult:
        return self.ingest_many([extraction], replace=replace)[0]

    def ingest_many(self, extractions: Iterable[Extraction], *, replace: bool = False) -> list[IngestResult]:
        """Ingest documents in batches: one segment and one manifest switch per batch.

        A crash loses at most the batch being written, whole documents only;
        an invalid extraction raises before anything of the batch is written.
        """
        results: list[IngestResult] = []
        with self._mutex:
            self._begin_write()
            try:
                pending: list[DocRecords] = []
                removed: set[str] = set()
                facts = 0
                started = time.monotonic()
                try:
                    for extraction in extractions:  # the extractor may run here: GC stays on for it
                        with long_lived():
                            result = self._stage(extraction, pending, removed, replace)
                            results.append(result)
                            facts += result.facts_added
                            if pending and (
                                facts >= BATCH_FACTS
                                or len(pending) >= BATCH_DOCS
                                or time.monotonic() - started >= BATCH_SECONDS
                            ):
                                self._commit(pending, removed)
                                pending, removed, facts, started = [], set(), 0, time.monotonic()
                    if pending or removed:
                        self._commit(pending, removed)
                    self._save_snapshot()
                except OSError as exc:
                    self._recover()
                    raise as_store_error(exc, self.folder) from None
                except BaseException:
                    self._recover()
                    raise
            finally:
                self._end_write()
        return results

    def _stage(
        self, extraction: Extraction, pending: list[DocRecords], removed: set[str], replace: bool
    ) -> IngestResult:
        """Resolve one document against the graph and apply it in memory; it is written with its batch.

        A new text from a path already stored replaces the documents read from
        that path only when ``replace`` is asked; otherwise it is kept beside them.
        """
        doc_id = document_id(extraction)
        mem = self._mem
        if doc_id in mem.docs:
            return IngestResult(document=doc_id, status="unchanged")
        prepared: PreparedDocument = prepare(extraction, doc_id)
        same_path = list(mem.path_docs.get(prepared.document.path, ()))
        olds = same_path if replace else []
        for old in olds:
            mem.remove(old)
            staged = next((i for i, r in enumerate(pending) if r.document.id == old), None)
            if staged is not None:
                del pending[staged]
            else:
                removed.add(old)
        replaced = olds[0] if olds else None
        resolved = resolve(prepared, mem.find_existing)
        rec = self._corrected(DocRecords(resolved.document, resolved.nodes, resolved.facts))
        created = mem.apply(rec)
        pending.append(rec)
        return IngestResult(
            document=doc_id,
            status="replaced" if replaced is not None else "added",
            replaced=replaced,
            nodes_added=created,
            facts_added=len(rec.facts),
            same_path=[] if replace else same_path,
        )

    def _corrected(self, rec: DocRecords) -> DocRecords:
        """The corrections step (:mod:`graph.corrections`), keeping the uncorrected records it changed."""
        if not self._fix_log:
            return rec
        fixed = corrections.apply(rec, self._fix_active)
        self._fix_pending[rec.document.id] = rec if fixed is not rec else None
        return fixed

    # -- corrections ----------------------------------------------------------------

    @contextlib.contextmanager
    def fixes_locked(self) -> Iterator[None]:
        """Hold the writers' lock for a whole correction (read the log, recompute, write), so none is lost."""
        with self._mutex:
            self._begin_write()
            try:
                yield
            finally:
                self._end_write()

    def fix_state(self) -> corrections.FixState:
        """The corrections log and the uncorrected records of the documents it changed."""
        with self._mutex:
            return fixlog.read_state(self.folder)

    def fix_log(self) -> list[corrections.Correction]:
        with self._mutex:
            return fixlog.read_log(self.folder)

    def document_records(self, doc_id: str) -> DocRecords:
        """One document's records as stored (aliases: its own contribution)."""
        with self._mutex:
            mem = self._read()
            mem.document(doc_id)  # DocumentNotFound when absent
            return mem.records(doc_id)

    def write_fixes(self, state: corrections.FixState, records: list[DocRecords]) -> None:
        """Save the corrections state, then replace these documents' records, in one commit."""
        with self._mutex:
            self._begin_write()
            try:
                stored = self._fix_log if self._fix_log is not None else []  # read by _begin_write
                if state.log[: len(stored)] != stored:  # it must extend the stored log
                    raise StaleWrite(
                        f"{self.location}: another correction was made meanwhile; make this one again"
                    )
                mem = self._mem
                records = [r for r in records if r.document.id in mem.docs]
                try:
                    for rec in records:
                        self._fix_pending[rec.document.id] = state.originals.get(rec.document.id)
                    self._write_originals(set())
                    fixlog.write_state(self.folder, state, [])  # drops the originals of removed reports
                    self._fix_log = list(state.log)
                    self._fix_active = state.active()
                    for rec in records:
                        mem.remove(rec.document.id)
                        mem.apply(rec)
                    self._commit(records, {r.document.id for r in records})
                except OSError as exc:
                    self._recover()
                    raise as_store_error(exc, self.folder) from None
                except BaseException:
                    self._recover()
                    raise
            finally:
                self._end_write()

    def remove_document(self, doc_id: str) -> RemoveResult:
        with self._mutex:
            self._begin_write()
            try:
                doc = (
                    self._mem.find_document(doc_id)
                    if doc_id not in self._mem.docs
                    else self._mem.docs[doc_id]
                )
                try:
                    self._commit([], {doc.id})
                except OSError as exc:
                    self._recover()
                    raise as_store_error(exc, self.folder) from None
                result = self._mem.remove(doc.id)
                self._save_snapshot()
                return result
            finally:
                self._end_write()

    # -- reads --------------------------------------------------------------------

    def document(self, doc_id: str) -> DocumentRecord:
        with self._mutex:
            return self._read().document(doc_id)

    def find_document(self, id_or_path: str) -> DocumentRecord:
        with self._mutex:
            return self._read().find_document(id_or_path)

    def documents(self, limit: int = 100, offset: int = 0) -> Page[DocumentRecord]:
        with self._mutex:
            return self._read().documents(limit, offset)

    def document_facts(self, doc_id: str) -> list[Fact]:
        with self._mutex:
            return self._read().document_facts(doc_id)

    def entity(self, key: str) -> Node:
        with self._mutex:
            return self._read().entity(key)

    def lookup(self, name: str, type: str | None = None) -> list[Node]:
        with self._mutex:
            return self._read().lookup(name, type)

    def search_entities(
        self,
        q: str = "",
        type: str | None = None,
        limit: int = 20,
        offset: int = 0,
        *,
        min_confidence: float | None = None,
        keep: Collection[str] = (),
    ) -> Page[EntityHit]:
        with self._mutex:
            return self._read().search(q, type, limit, offset, min_confidence, keep)

    def degree(self, key: str) -> int:
        with self._mutex:
            return self._read().degree(key)

    def facts(
        self,
        predicate: str | None = None,
        subject: str | None = None,
        object: str | None = None,
        document: str | None = None,
    ) -> list[Fact]:
        with self._mutex:
            return self._read().facts_where(predicate, subject, object, document)

    def entity_facts(self, key: str) -> list[Fact]:
        with self._mutex:
            return self._read().entity_facts(key)

    def neighbors(
        self,
        key: str,
        depth: int = 1,
        predicates: Iterable[str] | None = None,
        types: Iterable[str] | None = None,
        limit: int = 300,
    ) -> Subgraph:
        with self._mutex:
            return self._read().neighbors(key, depth, predicates, types, limit)

    def paths(self, source: str, target: str, max_hops: int = 4, limit: int = 10) -> list[GraphPath]:
        with self._mutex:
            return self._read().paths(source, target, max_hops, limit)

    def stats(self) -> Stats:
        with self._mutex:
            return self._read().stats()

    def iter_nodes(self) -> Iterator[Node]:
        with self._mutex:
            return iter(list(self._read().iter_nodes()))

    def iter_facts(self) -> Iterator[Fact]:
        with self._mutex:
            return iter(list(self._read().iter_facts()))

    def iter_documents(self) -> Iterator[DocumentRecord]:
        with self._mutex:
            return iter(list(self._read().iter_documents()))

    @contextlib.contextmanager
    def consistent(self) -> Iterator[EmbeddedStore]:
        """Several reads of one state: inside, other processes' writes are not followed (exports, checks).

        Other threads of this process wait until the block ends.
        """
        with self._mutex:
            self._read()
            self._pinned += 1
            try:
                yield self
            finally:
                self._pinned -= 1

    @property
    def generation(self) -> int:
        """The manifest generation this process has applied (for tests and diagnostics)."""
        with self._mutex:
            self._read()
            return self._manifest.generation

    def close(self) -> None:
        with self._mutex:
            self._collect_save(self._saver.wait())
            if self._lock_depth:
                self._lock.release()
                self._lock_depth = 0
            elif self._tail and not self._closed:
                self._snapshot_on_close()
            self._closed = True

    def _snapshot_on_close(self) -> None:
        """Save what this process wrote, unless another writer holds the lock (it saves at its own close)."""
        timeout, notify = self._lock.timeout, self._lock.notify
        self._lock.timeout, self._lock.notify = 0, io.StringIO()
        try:
            self._begin_write()
        except (StoreLocked, StoreError):
            return
        finally:
            self._lock.timeout, self._lock.notify = timeout, notify
        try:
            self._save_snapshot(force=True)
        finally:
            self._end_write()

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
