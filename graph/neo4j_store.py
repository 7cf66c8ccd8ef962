"""The Neo4j backend: the graph in Neo4j 5 (or ArcadeDB's Bolt server), Cypher over Bolt.

Why it looks like this: every report is written in one transaction, so a
failure leaves nothing half-written; the transaction's changes are worked out
in Python (:mod:`graph.neo4j_batch`) and sent as a handful of ``UNWIND``
statements, because one statement per fact over Bolt is far too slow; all
query text lives in :mod:`graph.cypher`.  Node identity and merging come
from :mod:`graph.ingest`, shared with the embedded store, so both backends
hold the same graph for the same reports.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from extract.model import ENTITY_TYPES, PREDICATES, Extraction

from . import corrections, cypher
from .docref import pick_document
from .errors import DocumentNotFound, EntityNotFound, StaleWrite, StoreError, StoreUnavailable
from .ingest import PreparedDocument, normalized_forms, prepare, resolve
from .keys import normalize
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
from .neo4j_batch import (
    MentionsState,
    NodeState,
    WriteBatch,
    load_confs,
    load_mentions,
    load_spans,
    typed_form,
)
from .persist import DocRecords
from .traverse import shortest_routes

if TYPE_CHECKING:
    import neo4j

T = TypeVar("T")

#: ``ingest_many`` sends one transaction per this many facts (or documents), whichever comes first.
GROUP_FACTS = 5_000
GROUP_DOCS = 200


@dataclass(slots=True)
class _Pending:
    """A report waiting in a group: prepared outside the transaction, resolved inside it."""

    prepared: PreparedDocument
    seq: int


class Neo4jStore:
    """A :class:`graph.store.GraphStore` on a Bolt server; the connection opens on first use."""

    def __init__(
        self,
        uri: str,
        user: str = "neo4j",
        password: str = "",
        database: str = "neo4j",
        *,
        max_retries: int = 8,
        connection_timeout: float = 5.0,
        retry_time: float = 15.0,
    ) -> None:
        """``retry_time``: how long the driver retries a query the server did not answer (0: one try)."""
        self.location = uri
        self.uri = uri
        self.user = user
        self.database = database
        self._password = password
        self._max_retries = max_retries
        self._timeout = connection_timeout
        self._retry_time = retry_time
        self._driver: neo4j.Driver | None = None
        self._schema_ready = False
        self._closed = False

    # -- connection and error mapping ---------------------------------------------------

    def _connect(self) -> neo4j.Driver:
        if self._closed:
            raise StoreError(f"{self.location}: the store is closed")
        if self._driver is not None:
            return self._driver
        import neo4j

        _quiet_driver_logs()
        try:
            driver = neo4j.GraphDatabase.driver(
                self.uri,
                auth=(self.user, self._password),
                connection_timeout=self._timeout,
                max_transaction_retry_time=self._retry_time,
            )
        except (ValueError, neo4j.exceptions.ConfigurationError) as exc:
            raise StoreUnavailable(f"{self.location}: not a usable Bolt address ({_one_line(exc)})") from None
        try:
            with self._errors():
                # One attempt, no retry loop: a server that is down is reported at once.
                driver.verify_connectivity()
                driver.execute_query(cypher.PING, database_=self.database)
        except BaseException:
            driver.close()
            raise
        self._driver = driver
        if not self._schema_ready:
            with self._errors():
                for statement in cypher.SCHEMA:
                    driver.execute_query(statement, database_=self.database)
            self._schema_ready = True
        return driver

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """Driver exceptions become store errors with the reason, never a raw traceback."""
        from neo4j import exceptions as nx

        try:
            yield
        except nx.AuthError as exc:
            raise StoreUnavailable(
                f"{self.location}: authentication failed for user {self.user!r} "
                f"(check KG_NEO4J_USER / KG_NEO4J_PASSWORD): {_one_line(exc.message or exc)}"
            ) from None
        except (nx.ServiceUnavailable, nx.SessionExpired) as exc:
            raise StoreUnavailable(
                f"{self.location}: cannot reach the Bolt server ({_root_reason(exc)})"
            ) from None
        except nx.Neo4jError as exc:
            if (exc.code or "").endswith("DatabaseNotFound"):
                raise StoreUnavailable(
                    f"{self.location}: no database {self.database!r} (set KG_NEO4J_DATABASE)"
                ) from None
            raise StoreError(
                f"{self.location}: {exc.code or 'error'}: {_one_line(exc.message or exc)}"
            ) from None
        except nx.DriverError as exc:
            raise StoreUnavailable(f"{self.location}: {_root_reason(exc)}") from None
        except OSError as exc:
            raise StoreUnavailable(f"{self.location}: {_root_reason(exc)}") from None

    def _read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        driver = self._connect()
        with self._errors():
            records, _, _ = driver.execute_query(query, params, database_=self.database)
        return [dict(r) for r in records]

    def _write(self, work: Callable[[neo4j.ManagedTransaction], T]) -> T:
        """Run ``work`` in one write transaction, again from scratch after a conflict (bounded).

        ArcadeDB reports two writers creating one key as ``ConstraintError`` and a
        concurrent update of one record as a transient error: both are retried.
        """
        from neo4j import exceptions as nx

        driver = self._connect()
        for attempt in range(self._max_retries):
            try:
                with self._errors(), driver.session(database=self.database) as session:
                    return session.execute_write(work)
            except StoreError as exc:
                cause = exc.__context__
                retryable = isinstance(cause, nx.ConstraintError | nx.TransientError) or (
                    isinstance(cause, nx.Neo4jError) and "concurrent" in str(cause.message or "").lower()
                )
                if not retryable or attempt == self._max_retries - 1:
                    raise
                time.sleep(min(2.0, 0.05 * 2**attempt) * (0.5 + random.random()))
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._driver is not None:
            self._driver.close()
            self._driver = None
        self._closed = True

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writes ------------------------------------------------------------------------------

    def ingest(self, extraction: Extraction, *, replace: bool = False) -> IngestResult:
        return self.ingest_many([extraction], replace=replace)[0]

    def ingest_many(self, extractions: Iterable[Extraction], *, replace: bool = False) -> list[IngestResult]:
        """Reports go in groups of up to ``GROUP_FACTS`` facts, one transaction each.

        A group that fails for any reason but a conflict is written again one
        report per transaction, so a bad report fails alone and every report
        is all or nothing.  An invalid extraction raises before its group is
        written (the reports of earlier groups stay stored).
        """
        results: list[IngestResult] = []
        group: list[_Pending] = []
        ids: set[str] = set()
        paths: set[str] = set()
        facts = 0
        seq = time.time_ns()
        for extraction in extractions:
            prepared = prepare(extraction)
            doc = prepared.document
            if group and (doc.id in ids or doc.path in paths):
                results.extend(self._write_group(group, replace))
                group, ids, paths, facts = [], set(), set(), 0
            seq += 1
            group.append(_Pending(prepared, seq))
            ids.add(doc.id)
            paths.add(doc.path)
            facts += len(prepared.facts)
            if facts >= GROUP_FACTS or len(group) >= GROUP_DOCS:
                results.extend(self._write_group(group, replace))
                group, ids, paths, facts = [], set(), set(), 0
        if group:
            results.extend(self._write_group(group, replace))
        return results

    def _write_group(self, group: list[_Pending], replace: bool) -> list[IngestResult]:
        try:
            return self._write(lambda tx: self._ingest_tx(tx, group, replace))
        except StoreUnavailable:
            raise
        except StoreError:
            if len(group) == 1:
                raise
        return [r for p in group for r in self._write(lambda tx, p=p: self._ingest_tx(tx, [p], replace))]  # type: ignore[misc]

    def _ingest_tx(
        self, tx: neo4j.ManagedTransaction, group: list[_Pending], replace: bool
    ) -> list[IngestResult]:
        tx.run(cypher.WRITE_LOCK).consume()
        docs = [p.prepared.document for p in group]
        stored = {r["id"] for r in tx.run(cypher.DOCUMENTS_BY_ID, ids=[d.id for d in docs])}
        todo = [p for p in group if p.prepared.document.id not in stored]
        same_path: dict[str, list[str]] = {}
        for r in tx.run(cypher.DOCUMENTS_BY_PATH, paths=sorted({p.prepared.document.path for p in todo})):
            same_path.setdefault(r["path"], []).append(r["id"])
        for ids in same_path.values():
            ids.sort()
        batch = _batch(tx)
        old_nodes = (
            {old: self._document_node_keys(tx, old) for ids in same_path.values() for old in ids}
            if replace
            else {}
        )
        batch.prefetch(
            forms=(
                typed_form(n.type, f)
                for p in todo
                for n in p.prepared.nodes
                for f in normalized_forms(n.name, n.aliases)
            ),
            keys=itertools.chain((n.key for p in todo for n in p.prepared.nodes), *old_nodes.values()),
        )

        results: dict[str, IngestResult] = {}
        written: list[PreparedDocument] = []
        seqs: dict[str, int] = {}
        fixes = _Fixes(tx) if todo else None
        for p in todo:
            doc = p.prepared.document
            others = same_path.get(doc.path, [])
            olds = others if replace else []
            for old in olds:
                self._remove_tx(tx, batch, old, old_nodes[old])
            replaced = olds[0] if olds else None
            resolved = resolve(p.prepared, batch.find_existing)
            if fixes is not None:
                resolved = fixes.correct(resolved)
            created = batch.apply(resolved)
            written.append(resolved)
            seqs[doc.id] = p.seq
            results[doc.id] = IngestResult(
                document=doc.id,
                status="replaced" if replaced is not None else "added",
                replaced=replaced,
                nodes_added=created,
                facts_added=len(resolved.facts),
                same_path=[] if replace else list(others),
            )
        self._write_nodes(tx, batch)
        self._write_documents(tx, written, seqs)
        self._write_facts(tx, written)
        if fixes is not None:
            fixes.save()
        return [results.get(d.id) or IngestResult(document=d.id, status="unchanged") for d in docs]

    # -- corrections -------------------------------------------------------------------------

    def fixes_locked(self) -> contextlib.AbstractContextManager[None]:
        """Nothing held across transactions: ``write_fixes`` checks the log it extends is the stored one."""
        return contextlib.nullcontext()

    def fix_log(self) -> list[corrections.Correction]:
        return [
            corrections.Correction.from_json(json.loads(r["data"])) for r in self._read(cypher.CORRECTIONS)
        ]

    def fix_state(self) -> corrections.FixState:
        """The corrections log and the uncorrected records of the documents it changed."""
        originals = corrections.Originals(
            {r["doc"]: r["data"].encode("utf-8") for r in self._read(cypher.CORRECTION_ORIGINALS)}
        )
        return corrections.FixState(log=self.fix_log(), originals=originals)

    def document_records(self, doc_id: str) -> DocRecords:
        """One document's records as stored (aliases: its own contribution)."""
        document = self.document(doc_id)
        keys = self._read(cypher.DOCUMENT_NODE_KEYS, id=doc_id)[0]["keys"] or []
        states = {r["key"]: r for r in self._read(cypher.NODE_STATE, keys=keys)}
        mentions = {r["key"]: r for r in self._read(cypher.MENTIONS_STATE, keys=keys)}
        nodes = []
        for key in keys:
            st, m = states[key], mentions.get(key)
            spans: list[tuple[int, int]] = []
            contrib: list[str] = []
            conf = 1.0
            if m is not None and doc_id in (m["docs"] or []):
                i = list(m["docs"]).index(doc_id)
                spans = load_spans(m["spans"][i])
                contrib = list(json.loads(m["contrib"][i])) if m["contrib"][i] else []
                conf = load_confs(m["docs"], m.get("confs"))[doc_id]
            nodes.append(Node(key, st["type"], st["name"], contrib, {doc_id: spans}, conf))
        return DocRecords(document, nodes, self.document_facts(doc_id))

    def write_fixes(self, state: corrections.FixState, records: list[DocRecords]) -> None:
        """Save the corrections state and replace these documents' records, in one transaction."""

        def work(tx: neo4j.ManagedTransaction) -> None:
            tx.run(cypher.WRITE_LOCK).consume()
            stored = [
                corrections.Correction.from_json(json.loads(r["data"])) for r in tx.run(cypher.CORRECTIONS)
            ]
            if state.log[: len(stored)] != stored:  # it must extend the stored log
                raise StaleWrite(
                    f"{self.location}: another correction was made meanwhile; make this one again"
                )
            _save_fixes(tx, state, [r.document.id for r in records])
            seqs = {
                r["id"]: r["seq"] for r in tx.run(cypher.DOCUMENT_SEQS, ids=[r.document.id for r in records])
            }
            todo = [r for r in records if r.document.id in seqs]
            if not todo:
                return
            batch = _batch(tx)
            old_nodes = {r.document.id: self._document_node_keys(tx, r.document.id) for r in todo}
            batch.prefetch((), itertools.chain((n.key for r in todo for n in r.nodes), *old_nodes.values()))
            for r in todo:
                self._remove_tx(tx, batch, r.document.id, old_nodes[r.document.id])
            written = [PreparedDocument(r.document, r.nodes, r.facts) for r in todo]
            for d in written:
                batch.apply(d)
            self._write_nodes(tx, batch)
            self._write_documents(tx, written, seqs)
            self._write_facts(tx, written)

        self._write(work)

    @staticmethod
    def _document_node_keys(tx: neo4j.ManagedTransaction, doc_id: str) -> list[str]:
        rec = tx.run(cypher.DOCUMENT_NODE_KEYS, id=doc_id).single()
        return list(rec["keys"] or []) if rec is not None else []

    @staticmethod
    def _remove_tx(
        tx: neo4j.ManagedTransaction, batch: WriteBatch, doc_id: str, keys: list[str]
    ) -> RemoveResult:
        ends = [(r["s"], r["o"]) for r in tx.run(cypher.DELETE_DOCUMENT_FACTS, keys=keys, doc=doc_id)]
        tx.run(cypher.DELETE_DOCUMENT, id=doc_id).consume()
        nodes_removed = batch.remove_document(doc_id, keys, ends)
        return RemoveResult(document=doc_id, facts_removed=len(ends), nodes_removed=nodes_removed)

    @staticmethod
    def _write_nodes(tx: neo4j.ManagedTransaction, batch: WriteBatch) -> None:
        nodes = batch.node_writes()
        forms = batch.form_writes()
        if nodes.delete:
            tx.run(cypher.DELETE_NODES, keys=nodes.delete).consume()
            tx.run(cypher.DELETE_MENTIONS, keys=nodes.delete).consume()
        for entity_type, rows in nodes.create.items():
            tx.run(cypher.create_nodes(entity_type), rows=rows).consume()
        if nodes.update:
            tx.run(cypher.UPDATE_NODES, rows=nodes.update).consume()
        if nodes.mentions_set:
            tx.run(cypher.SET_MENTIONS, rows=nodes.mentions_set).consume()
        if nodes.mentions_append:
            tx.run(cypher.APPEND_MENTIONS, rows=nodes.mentions_append).consume()
        if forms.delete:
            tx.run(cypher.DELETE_NAME_FORMS, forms=forms.delete).consume()
        if forms.set:
            tx.run(cypher.SET_NAME_FORMS, rows=forms.set).consume()

    @staticmethod
    def _write_documents(
        tx: neo4j.ManagedTransaction, docs: list[PreparedDocument], seqs: Mapping[str, int]
    ) -> None:
        if not docs:
            return
        rows = [
            {
                "id": d.document.id,
                "path": d.document.path,
                "title": d.document.title,
                "issuer": d.document.issuer,
                "date": d.document.date,
                "period_start": d.document.period_start,
                "period_end": d.document.period_end,
                "period_text": d.document.period_text,
                "entity_count": d.document.entity_count,
                "fact_count": d.document.fact_count,
                "node_keys": sorted({n.key for n in d.nodes}),
                "seq": seqs[d.document.id],
            }
            for d in docs
        ]
        tx.run(cypher.CREATE_DOCUMENTS, rows=rows).consume()

    @staticmethod
    def _write_facts(tx: neo4j.ManagedTransaction, docs: list[PreparedDocument]) -> None:
        by_predicate: dict[str, list[dict[str, Any]]] = {}
        for d in docs:
            for f in d.facts:
                by_predicate.setdefault(f.predicate, []).append(
                    {"subject": f.subject, "object": f.object, "props": _fact_props(f)}
                )
        for predicate, rows in by_predicate.items():
            tx.run(cypher.create_facts(predicate), rows=rows).consume()

    def remove_document(self, doc_id: str) -> RemoveResult:
        doc = self.find_document(doc_id) if not self._document_exists(doc_id) else None
        target = doc.id if doc is not None else doc_id

        def work(tx: neo4j.ManagedTransaction) -> RemoveResult:
            tx.run(cypher.WRITE_LOCK).consume()
            if tx.run(cypher.DOCUMENTS_BY_ID, ids=[target]).single() is None:
                raise DocumentNotFound(target)
            keys = self._document_node_keys(tx, target)
            batch = _batch(tx)
            batch.prefetch((), keys)
            result = self._remove_tx(tx, batch, target, keys)
            self._write_nodes(tx, batch)
            return result

        return self._write(work)

    def _document_exists(self, doc_id: str) -> bool:
        return bool(self._read(cypher.DOCUMENTS_BY_ID, ids=[doc_id]))

    # -- documents -------------------------------------------------------------------------

    def document(self, doc_id: str) -> DocumentRecord:
        rows = self._read(cypher.DOCUMENT, id=doc_id)
        if not rows:
            raise DocumentNotFound(doc_id)
        return _document(rows[0])

    def find_document(self, id_or_path: str) -> DocumentRecord:
        rows = self._read(cypher.DOCUMENT, id=id_or_path)
        if rows:
            return _document(rows[0])
        # a path, file name or stem: every document's id and path are few enough to match here
        return pick_document(id_or_path, self.iter_documents())

    def documents(self, limit: int = 100, offset: int = 0) -> Page[DocumentRecord]:
        rows = self._read(cypher.DOCUMENTS_PAGE, limit=max(limit, 0), offset=max(offset, 0))
        total = self._read(cypher.COUNT_DOCUMENTS)[0]["n"]
        return Page(items=[_document(r) for r in rows], total=int(total))

    def document_facts(self, doc_id: str) -> list[Fact]:
        keys = self._read(cypher.DOCUMENT_NODE_KEYS, id=doc_id)
        if not keys:
            raise DocumentNotFound(doc_id)
        query = cypher.facts_query(
            predicate=None, subject=False, object=False, document=True, document_keys=True
        )
        return _sorted_facts(self._read(query, keys=keys[0]["keys"] or [], document=doc_id))

    # -- entities -----------------------------------------------------------------------------

    def entity(self, key: str) -> Node:
        rows = self._read(cypher.ENTITY, key=key)
        if not rows:
            raise EntityNotFound(key)
        return self._nodes(rows)[0]

    def degree(self, key: str) -> int:
        rows = self._read(cypher.ENTITY, key=key)
        if not rows:
            raise EntityNotFound(key)
        return int(rows[0]["degree"] or 0)

    def lookup(self, name: str, type: str | None = None) -> list[Node]:
        norm = normalize(name)
        if not norm:
            return []
        types = [type] if type else list(ENTITY_TYPES)
        rows = self._read(cypher.LOOKUP, forms=[typed_form(t, norm) for t in types])
        rows.sort(key=lambda r: (-(r["degree"] or 0), r["key"]))
        return self._nodes(rows)

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
        norm = normalize(q)
        sure = {"type": type, "min_confidence": min_confidence, "keep": sorted(keep)}
        page = {**sure, "limit": max(limit, 0), "offset": max(offset, 0)}
        if norm:
            rows = self._read(cypher.SEARCH, q=norm, **page)
            total = self._read(cypher.SEARCH_COUNT, q=norm, **sure)[0]["n"]
        else:
            rows = self._read(cypher.LIST_ENTITIES, **page)
            total = self._read(cypher.COUNT_ENTITIES, **sure)[0]["n"]
        nodes = self._nodes(rows)
        hits = [
            EntityHit(node=n, degree=int(r["degree"] or 0), score=float(r["score"]))
            for n, r in zip(nodes, rows, strict=True)
        ]
        return Page(items=hits, total=int(total))

    def _nodes(self, rows: Sequence[Mapping[str, Any]]) -> list[Node]:
        """Nodes for ``:Entity`` rows, with their mentions from the ``:Mentions`` records (one round trip)."""
        if not rows:
            return []
        keys = sorted({r["key"] for r in rows})
        mentions = {r["key"]: r for r in self._read(cypher.MENTIONS, keys=keys)}
        return [_node(r, mentions.get(r["key"])) for r in rows]

    # -- facts and traversal -----------------------------------------------------------------

    def facts(
        self,
        predicate: str | None = None,
        subject: str | None = None,
        object: str | None = None,
        document: str | None = None,
    ) -> list[Fact]:
        if predicate is not None and predicate not in PREDICATES:
            return []
        params: dict[str, Any] = {"subject": subject, "object": object, "document": document}
        by_doc = document is not None and subject is None and object is None
        if by_doc:
            keys = self._read(cypher.DOCUMENT_NODE_KEYS, id=document)
            if not keys:
                return []
            params["keys"] = keys[0]["keys"] or []
        query = cypher.facts_query(
            predicate=predicate,
            subject=subject is not None,
            object=object is not None,
            document=document is not None,
            document_keys=by_doc,
        )
        return _sorted_facts(self._read(query, **params))

    def entity_facts(self, key: str) -> list[Fact]:
        self.entity(key)
        rows = self._read(cypher.ENTITY_FACTS_OUT, key=key) + self._read(cypher.ENTITY_FACTS_IN, key=key)
        return _sorted_facts(rows)

    def neighbors(
        self,
        key: str,
        depth: int = 1,
        predicates: Iterable[str] | None = None,
        types: Iterable[str] | None = None,
        limit: int = 300,
    ) -> Subgraph:
        """Breadth first, one Cypher hop per level; each level by degree then key, as the embedded store."""
        self.entity(key)
        preds = sorted(set(predicates)) if predicates else None
        wanted = sorted(set(types)) if types else None
        seen = {key}
        order: list[tuple[str, str]] = [(key, "")]
        omitted: Counter[str] = Counter()
        limit = max(limit, 1)
        frontier = [key]
        for hop in range(max(depth, 0)):
            params = {"frontier": frontier, "predicates": preds, "types": wanted}
            if hop == depth - 1:
                # Last level: the server ranks and counts, so a hub's thousands of neighbours stay there.
                room = max(limit - len(order), 0)
                params["seen"] = sorted(seen)
                rows = self._read(cypher.HOP_TOP, n=room, **params) if room else []
                order.extend((r["key"], r["type"]) for r in rows)
                counts = Counter({r["type"]: int(r["n"]) for r in self._read(cypher.HOP_COUNTS, **params)})
                counts.subtract(Counter(r["type"] for r in rows))
                omitted.update(+counts)
                break
            rows = self._read(cypher.HOP, **params)
            level = {r["key"]: r for r in rows if r["key"] not in seen}
            if not level:
                break
            seen.update(level)
            ranked = sorted(level.values(), key=lambda r: (-(r["degree"] or 0), r["key"]))
            order.extend((r["key"], r["type"]) for r in ranked)
            frontier = [r["key"] for r in ranked]
        kept = [k for k, _ in order[:limit]]
        omitted.update(t for _, t in order[limit:])
        nodes = {n.key: n for n in self._nodes(self._read(cypher.ENTITIES, keys=kept))}
        edges = _sorted_facts(self._read(cypher.FACTS_AMONG, keys=kept, predicates=preds))
        return Subgraph(
            nodes=[nodes[k] for k in kept if k in nodes], edges=edges, center=key, omitted=dict(omitted)
        )

    def paths(self, source: str, target: str, max_hops: int = 4, limit: int = 10) -> list[GraphPath]:
        """Every shortest route (up to ``limit``), by a breadth-first search one Cypher hop at a time."""
        ends = {n.key: n for n in self._nodes(self._read(cypher.ENTITIES, keys=[source, target]))}
        for k in (source, target):
            if k not in ends:
                raise EntityNotFound(k)
        if source == target:
            return [GraphPath(nodes=[ends[source]], edges=[])]

        def expand(frontier: list[str]) -> Iterator[tuple[str, str]]:
            for r in self._read(cypher.HOP_PARENTS, frontier=frontier):
                yield r["parent"], r["key"]

        routes = shortest_routes(source, target, max_hops, limit, expand)
        if not routes:
            return []
        pairs = sorted({(a, b) for r in routes for a, b in itertools.pairwise(r)})
        best: dict[tuple[str, str], Fact] = {}
        for r in self._read(cypher.FACTS_BETWEEN, pairs=[{"u": a, "v": b} for a, b in pairs]):
            fact = _fact(r)
            pair = (r["u"], r["v"])
            if pair not in best or fact.id < best[pair].id:
                best[pair] = fact
        keys = sorted({k for r in routes for k in r})
        nodes = {n.key: n for n in self._nodes(self._read(cypher.ENTITIES, keys=keys))}
        return [
            GraphPath(nodes=[nodes[k] for k in r], edges=[best[(a, b)] for a, b in itertools.pairwise(r)])
            for r in routes
        ]

    # -- whole graph ------------------------------------------------------------------------------

    def stats(self) -> Stats:
        entities: dict[str, int] = {t: 0 for t in ENTITY_TYPES}
        for r in self._read(cypher.ENTITY_COUNTS):
            if r["type"] in entities:
                entities[r["type"]] = int(r["n"])
        relations: dict[str, int] = {p: 0 for p in PREDICATES}
        for r in self._read(cypher.RELATION_COUNTS):
            if r["predicate"] in relations:
                relations[r["predicate"]] = int(r["n"])
        documents = int(self._read(cypher.COUNT_DOCUMENTS)[0]["n"])
        return Stats(entities=entities, relations=relations, documents=documents)

    def iter_nodes(self) -> Iterator[Node]:
        mentions = {r["key"]: r for r in self._read(cypher.MENTIONS_ALL)}
        return iter([_node(r, mentions.get(r["key"])) for r in self._read(cypher.ENTITIES_ALL)])

    def iter_facts(self) -> Iterator[Fact]:
        facts = [_fact(r) for r in self._read(cypher.FACTS_ALL)]
        return iter(sorted(facts, key=lambda f: f.id))

    def iter_documents(self) -> Iterator[DocumentRecord]:
        return iter([_document(r) for r in self._read(cypher.DOCUMENTS_ALL)])

    # -- maintenance -----------------------------------------------------------------------------

    def wipe(self) -> None:
        """Delete everything this backend stored (tests and benchmarks start from an empty graph)."""
        for name in cypher.WIPE_LABELS:
            self._read(cypher.wipe(name))


# -- messages ----------------------------------------------------------------------------------------------


def _quiet_driver_logs() -> None:
    """The driver logs each retry as a warning; without a handler Python prints those on stderr.

    A ``NullHandler`` on the ``neo4j`` logger stops that last-resort printing while an
    application that configured logging still receives the records through propagation.
    """
    import logging

    logger = logging.getLogger("neo4j")
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())


def _one_line(text: object) -> str:
    """Driver messages span lines; a ``kg:`` error is one."""
    return " ".join(str(text).split())


def _root_reason(exc: BaseException) -> str:
    """The operating system's words for why a connection failed ("Connection refused"), if it gave any."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    reason: str | None = None
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, OSError):
            if cause.strerror:
                reason = cause.strerror
            elif isinstance(cause, TimeoutError):
                reason = "timed out"
        cause = cause.__cause__ or cause.__context__
    return reason or _one_line(exc)


class _Fixes:
    """The corrections step inside an ingest transaction: the log read under the writers' lock."""

    def __init__(self, tx: neo4j.ManagedTransaction) -> None:
        self.tx = tx
        self.log = [
            corrections.Correction.from_json(json.loads(r["data"])) for r in tx.run(cypher.CORRECTIONS)
        ]
        self.active = corrections.FixState(log=self.log).active()
        self.originals: dict[str, DocRecords] = {}
        self.unchanged: list[str] = []

    def correct(self, doc: PreparedDocument) -> PreparedDocument:
        if not self.log:
            return doc
        rec = DocRecords(doc.document, doc.nodes, doc.facts)
        fixed = corrections.apply(rec, self.active)
        if fixed is rec:
            self.unchanged.append(doc.document.id)
            return doc
        self.originals[doc.document.id] = rec
        return PreparedDocument(fixed.document, fixed.nodes, fixed.facts, doc.entity_keys)

    def save(self) -> None:
        if self.unchanged:
            self.tx.run(cypher.DELETE_CORRECTION_ORIGINALS, docs=self.unchanged).consume()
        if self.originals:
            self.tx.run(cypher.SET_CORRECTION_ORIGINALS, rows=_original_rows(self.originals)).consume()


def _original_rows(originals: Mapping[str, DocRecords]) -> list[dict[str, Any]]:
    return [{"doc": d, "data": corrections.records_bytes(r).decode("utf-8")} for d, r in originals.items()]


def _save_fixes(tx: neo4j.ManagedTransaction, state: corrections.FixState, docs: Sequence[str]) -> None:
    """The log's new entries, and the originals of ``docs`` as ``state`` has them (none of dropped ones)."""
    stored_seqs = {r["seq"] for r in tx.run(cypher.CORRECTION_SEQS)}
    rows = [
        {"seq": c.seq, "data": json.dumps(c.to_json(), ensure_ascii=False)}
        for c in state.log
        if c.seq not in stored_seqs
    ]
    if rows:
        tx.run(cypher.ADD_CORRECTIONS, rows=rows).consume()
    stored = [r["doc"] for r in tx.run(cypher.CORRECTION_ORIGINAL_DOCS)]
    gone = [d for d in stored if d not in state.originals]
    if gone:
        tx.run(cypher.DELETE_CORRECTION_ORIGINALS, docs=gone).consume()
    kept = {d: state.originals[d] for d in docs if d in state.originals}
    if kept:
        tx.run(cypher.SET_CORRECTION_ORIGINALS, rows=_original_rows(kept)).consume()


# -- records <-> rows ---------------------------------------------------------------------------------


def _load_forms(tx: neo4j.ManagedTransaction, forms: Sequence[str]) -> dict[str, list[str]]:
    return {r["form"]: list(r["keys"] or []) for r in tx.run(cypher.FIND_FORMS, forms=list(forms))}


def _load_nodes(tx: neo4j.ManagedTransaction, keys: Sequence[str]) -> list[NodeState]:
    return [NodeState.from_record(r) for r in tx.run(cypher.NODE_STATE, keys=list(keys))]


def _load_mentions(tx: neo4j.ManagedTransaction, keys: Sequence[str]) -> dict[str, MentionsState]:
    return {
        r["key"]: MentionsState(
            docs=list(r["docs"] or []),
            spans=list(r["spans"] or []),
            contrib=list(r["contrib"] or []),
            confs=list(r.get("confs") or []),
        )
        for r in tx.run(cypher.MENTIONS_STATE, keys=list(keys))
    }


def _batch(tx: neo4j.ManagedTransaction) -> WriteBatch:
    """A write batch that reads the database through this transaction."""
    return WriteBatch(
        lambda forms: _load_forms(tx, forms),
        lambda keys: _load_nodes(tx, keys),
        lambda keys: _load_mentions(tx, keys),
    )


def _fact_props(f: Fact) -> dict[str, Any]:
    props: dict[str, Any] = {
        "fact_id": f.id,
        "document": f.document,
        "evidence": f.evidence,
        "span_start": f.span[0],
        "span_end": f.span[1],
        "amount_value": f.amount_value,
        "amount_currency": f.amount_currency,
        "amount_text": f.amount_text,
        "amount_masked": f.amount_masked,
        "amount_approx": f.amount_approx,
        "period_start": f.period_start,
        "period_end": f.period_end,
        "period_text": f.period_text,
        "agency": f.agency,
        "action": f.action,
        "amount_shared": f.amount_shared or None,
        "amount_group": f.amount_group,
        "confidence": f.confidence,
        "period_inherited": f.period_inherited or None,
    }
    return {k: v for k, v in props.items() if v is not None}


def _fact(r: Mapping[str, Any]) -> Fact:
    p = r["props"]
    value = p.get("amount_value")
    return Fact(
        id=p["fact_id"],
        predicate=r["predicate"],
        subject=r["subject"],
        object=r["object"],
        document=p["document"],
        evidence=p.get("evidence") or "",
        span=(int(p.get("span_start") or 0), int(p.get("span_end") or 0)),
        amount_value=float(value) if value is not None else None,
        amount_currency=p.get("amount_currency"),
        amount_text=p.get("amount_text"),
        amount_masked=bool(p.get("amount_masked", False)),
        amount_approx=bool(p.get("amount_approx", False)),
        period_start=p.get("period_start"),
        period_end=p.get("period_end"),
        period_text=p.get("period_text"),
        agency=p.get("agency"),
        action=p.get("action"),
        amount_shared=bool(p.get("amount_shared", False)),
        amount_group=p.get("amount_group"),
        # facts stored before confidence was kept: 1.0, the extractor's default
        confidence=float(c) if (c := p.get("confidence")) is not None else 1.0,
        period_inherited=bool(p.get("period_inherited", False)),
    )


def _sorted_facts(rows: Iterable[Mapping[str, Any]]) -> list[Fact]:
    """Text order within a document; the same fact reached twice (a self-loop) once."""
    facts = {f.id: f for f in map(_fact, rows)}
    return sorted(facts.values(), key=lambda f: (f.document, f.span, f.id))


def _node(r: Mapping[str, Any], mentions: Mapping[str, Any] | None) -> Node:
    return Node(
        key=r["key"],
        type=r["type"],
        name=r["name"],
        aliases=list(r.get("aliases") or []),
        mentions=load_mentions(mentions["docs"], mentions["spans"]) if mentions is not None else {},
        confidence=float(c) if (c := r.get("confidence")) is not None else 1.0,
    )


def _document(r: Mapping[str, Any]) -> DocumentRecord:
    return DocumentRecord(
        id=r["id"],
        path=r["path"],
        title=r.get("title"),
        issuer=r.get("issuer"),
        date=r.get("date"),
        period_start=r.get("period_start"),
        period_end=r.get("period_end"),
        period_text=r.get("period_text"),
        entity_count=int(r.get("entity_count") or 0),
        fact_count=int(r.get("fact_count") or 0),
    )
