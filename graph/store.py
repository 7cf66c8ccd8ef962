"""The one storage contract every backend implements, and the factory that picks a backend by name.

Backends live beside this module, one module each (``embedded.py``,
``neo4j_store.py``), and are imported lazily so the ``neo4j`` driver is only
needed by users who point ``--store`` at a Bolt server.  The shared contract
test suite (``tests/graph/test_contract.py``) runs against every backend.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Iterator
from typing import Protocol, runtime_checkable

from extract.model import Extraction

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

DEFAULT_STORE = "./kg-data"


@runtime_checkable
class GraphStore(Protocol):
    """A graph of entities, facts and the documents that support them.

    Ingest is idempotent (the document id is a hash of the decoded text, so
    one report in GB18030, UTF-16 or UTF-8 is one document).  A different
    text from a path already stored is a new document beside the old one,
    unless ``replace`` is asked: then it replaces the documents read from
    that path in one step.  ``find_document`` accepts an id, a path, a file
    name or a file stem (:func:`graph.docref.pick_document`).  Removal deletes a document's facts and any
    node that no remaining document mentions.  Lookups of unknown keys raise
    :class:`graph.errors.NotFound` subclasses; an unreachable backend raises
    :class:`graph.errors.StoreUnavailable`.
    """

    #: where the store lives, for messages ("./kg-data", "bolt://localhost:7687")
    location: str

    # -- writes -----------------------------------------------------------
    def ingest(self, extraction: Extraction, *, replace: bool = False) -> IngestResult: ...

    def ingest_many(self, extractions: Iterable[Extraction], *, replace: bool = False) -> list[IngestResult]:
        """Ingest several documents; each is still all-or-nothing, batches only save round trips."""
        ...

    def remove_document(self, doc_id: str) -> RemoveResult: ...

    # -- documents --------------------------------------------------------
    def document(self, doc_id: str) -> DocumentRecord: ...

    def find_document(self, id_or_path: str) -> DocumentRecord:
        """A document by id, path (as given or resolved), file name or file stem; several matches raise."""
        ...

    def documents(self, limit: int = 100, offset: int = 0) -> Page[DocumentRecord]: ...

    def document_facts(self, doc_id: str) -> list[Fact]: ...

    # -- entities ---------------------------------------------------------
    def entity(self, key: str) -> Node: ...

    def lookup(self, name: str, type: str | None = None) -> list[Node]:
        """Nodes whose name or an alias equals ``name`` after normalisation (exact, not substring)."""
        ...

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
        """Substring search on names and aliases (full/half width folded), best matches first.

        ``min_confidence`` leaves out entities the extractor is less sure of, except the ``keep`` keys
        (those a person confirmed), before paging, so ``total`` counts what passes.
        """
        ...

    def degree(self, key: str) -> int: ...

    # -- facts and traversal ----------------------------------------------
    def facts(
        self,
        predicate: str | None = None,
        subject: str | None = None,
        object: str | None = None,
        document: str | None = None,
    ) -> list[Fact]:
        """Facts matching every given filter (node keys for subject/object)."""
        ...

    def entity_facts(self, key: str) -> list[Fact]:
        """Every fact with ``key`` at either end."""
        ...

    def neighbors(
        self,
        key: str,
        depth: int = 1,
        predicates: Iterable[str] | None = None,
        types: Iterable[str] | None = None,
        limit: int = 300,
    ) -> Subgraph:
        """The subgraph within ``depth`` hops, nearest nodes first, capped at ``limit`` nodes."""
        ...

    def paths(self, source: str, target: str, max_hops: int = 4, limit: int = 10) -> list[GraphPath]:
        """Shortest connections between two nodes, ignoring edge direction."""
        ...

    # -- whole-graph reads (exports, stats) --------------------------------
    def stats(self) -> Stats: ...

    def iter_nodes(self) -> Iterator[Node]: ...

    def iter_facts(self) -> Iterator[Fact]: ...

    def iter_documents(self) -> Iterator[DocumentRecord]: ...

    def close(self) -> None: ...


def is_bolt_uri(spec: str) -> bool:
    return spec.split("://", 1)[0].lower() in {"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"}


def store_spec(spec: str | None = None) -> str:
    """The store the user asked for: ``--store``, else ``KG_STORE``, else ``./kg-data``."""
    return spec or os.environ.get("KG_STORE") or DEFAULT_STORE


def open_store(spec: str | None = None, *, readonly: bool = False, fail_fast: bool = False) -> GraphStore:
    """Open the store named by a folder path or a ``bolt://`` / ``neo4j://`` URI.

    ``fail_fast`` is for a server answering requests: a Bolt store then gives up
    on an unreachable server after one short attempt (1 s to connect, no retry
    loop) instead of retrying for seconds while the request waits.

    Neo4j credentials come from ``KG_NEO4J_USER`` / ``KG_NEO4J_PASSWORD`` /
    ``KG_NEO4J_DATABASE`` (default ``neo4j``) so they never appear on a command line.
    """
    spec = store_spec(spec)
    if is_bolt_uri(spec):
        from .neo4j_store import Neo4jStore

        return Neo4jStore(
            spec,
            user=os.environ.get("KG_NEO4J_USER", "neo4j"),
            password=os.environ.get("KG_NEO4J_PASSWORD", ""),
            database=os.environ.get("KG_NEO4J_DATABASE", "neo4j"),
            connection_timeout=1.0 if fail_fast else 5.0,
            retry_time=0.0 if fail_fast else 15.0,
        )
    from .embedded import EmbeddedStore

    return EmbeddedStore(spec, readonly=readonly)
