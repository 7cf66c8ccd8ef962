"""Every Cypher statement the Neo4j backend sends, and the few builders that put a label into one.

Values always travel as parameters.  The only text ever formatted into a
statement is an entity type or a predicate, and only after
:func:`label` / :func:`rel_type` checked it against the fixed vocabulary of
``extract.model``: nothing from a report can reach the query text.

The subset is plain Neo4j 5 Community Cypher that ArcadeDB's Bolt plugin also
runs: no APOC, no ``id()``, no fulltext index, every node matched through a
label (``:Entity``, ``:Document``, ``:NameForm``).  Two ArcadeDB findings shape
the writes (measured on the bundled server, 20k nodes):

* ``MERGE (n:Entity:Company {key: …})`` (two labels) is not index-backed and
  slows to ~300 nodes/s, while a one-label ``MATCH (n:Entity {key: …})`` uses
  the unique index.  So a write transaction reads which keys exist, updates
  those through ``:Entity`` and ``CREATE``s the rest with both labels; the
  unique constraint turns a concurrent creator into a ``ConstraintError`` that
  the store retries.  One-label ``MERGE`` (name forms, the writer lock) is fine.
* A list membership test (``$f IN n.norm_forms``) scans every node, so alias
  lookup goes through ``:NameForm {form: "<Type>:<normalised form>"}`` nodes
  holding the keys that carry that form — an exact, indexed lookup.
* Reading any property of a node loads the whole record, so a traversal that
  passes a hub pays for everything stored on it.  ``:Entity`` therefore holds
  only what traversals, ranking and filters read (key, type, name, aliases,
  degree, confidence); the per-document data (mention spans, alias
  contributions, each document's confidence), which grows with
  every report, lives in one ``:Mentions {key}`` record per entity that ingest
  appends to without reading.
"""

from __future__ import annotations

from extract.model import ENTITY_TYPES, PREDICATES


class UnknownLabel(ValueError):
    """A type or predicate outside the fixed vocabulary was about to be formatted into a query."""


def label(entity_type: str) -> str:
    if entity_type not in ENTITY_TYPES:
        raise UnknownLabel(f"unknown entity type {entity_type!r}")
    return entity_type


def rel_type(predicate: str) -> str:
    if predicate not in PREDICATES:
        raise UnknownLabel(f"unknown predicate {predicate!r}")
    return predicate


# -- schema (run once per store object, all IF NOT EXISTS) ---------------------------------------------

SCHEMA = (
    "CREATE CONSTRAINT kg_entity_key IF NOT EXISTS FOR (n:Entity) REQUIRE n.key IS UNIQUE",
    "CREATE CONSTRAINT kg_document_id IF NOT EXISTS FOR (d:Document) REQUIRE d.id IS UNIQUE",
    "CREATE CONSTRAINT kg_name_form IF NOT EXISTS FOR (f:NameForm) REQUIRE f.form IS UNIQUE",
    "CREATE CONSTRAINT kg_mentions_key IF NOT EXISTS FOR (m:Mentions) REQUIRE m.key IS UNIQUE",
    "CREATE CONSTRAINT kg_write_lock IF NOT EXISTS FOR (l:KgWriteLock) REQUIRE l.name IS UNIQUE",
    "CREATE CONSTRAINT kg_correction_seq IF NOT EXISTS FOR (c:KgCorrection) REQUIRE c.seq IS UNIQUE",
    "CREATE CONSTRAINT kg_correction_doc IF NOT EXISTS FOR (o:KgCorrectionOriginal) REQUIRE o.doc IS UNIQUE",
    "CREATE INDEX kg_document_path IF NOT EXISTS FOR (d:Document) ON (d.path)",
    "CREATE INDEX kg_entity_type IF NOT EXISTS FOR (n:Entity) ON (n.type)",
)

PING = "RETURN 1 AS one"

#: Every write transaction starts here: Neo4j then holds this node's write lock until commit, so
#: writers are serialised (our read-modify-write of mentions and aliases stays exact); ArcadeDB
#: sees two writers touch one record and fails one of them with a retryable conflict.
WRITE_LOCK = "MERGE (l:KgWriteLock {name: 'writers'}) SET l.at = timestamp()"

# -- writes -------------------------------------------------------------------------------------------


def create_nodes(entity_type: str) -> str:
    """New nodes of one type: both labels, every property from the row's map."""
    return f"UNWIND $rows AS r CREATE (n:Entity:{label(entity_type)}) SET n = r"


UPDATE_NODES = "UNWIND $rows AS r MATCH (n:Entity {key: r.key}) SET n += r"

DELETE_NODES = "UNWIND $keys AS k MATCH (n:Entity {key: k}) DETACH DELETE n"

#: A node's per-document lists written whole (new nodes, nodes that lost a document) ...
SET_MENTIONS = (
    "UNWIND $rows AS r MERGE (m:Mentions {key: r.key}) "
    "SET m.docs = r.docs, m.spans = r.spans, m.contrib = r.contrib, m.confs = r.confs"
)

#: ... or appended to, without reading them first (nodes that only gained documents).  A record written
#: before confidences were kept has no ``confs``: the appended ones then belong to its last documents
#: (see graph.neo4j_batch.load_confs).
APPEND_MENTIONS = (
    "UNWIND $rows AS r MATCH (m:Mentions {key: r.key}) "
    "SET m.docs = m.docs + r.docs, m.spans = m.spans + r.spans, m.contrib = m.contrib + r.contrib, "
    "m.confs = coalesce(m.confs, []) + r.confs"
)

DELETE_MENTIONS = "UNWIND $keys AS k MATCH (m:Mentions {key: k}) DELETE m"

SET_NAME_FORMS = "UNWIND $rows AS r MERGE (f:NameForm {form: r.form}) SET f.keys = r.keys"

DELETE_NAME_FORMS = "UNWIND $forms AS form MATCH (f:NameForm {form: form}) DELETE f"

CREATE_DOCUMENTS = "UNWIND $rows AS r CREATE (d:Document) SET d = r"

DELETE_DOCUMENT = "MATCH (d:Document {id: $id}) DELETE d"


def create_facts(predicate: str) -> str:
    """Facts of one predicate.  CREATE, not MERGE: a fact id includes its document's content hash and a
    document is written only when absent, so a fact is never written twice; MERGE would scan every edge
    of a hub node (专项债) per row."""
    return (
        "UNWIND $rows AS r "
        "MATCH (a:Entity {key: r.subject}) MATCH (b:Entity {key: r.object}) "
        f"CREATE (a)-[e:{rel_type(predicate)}]->(b) SET e = r.props"
    )


#: A document's facts all leave one of its own nodes, so walking out of those finds every one of them.
DELETE_DOCUMENT_FACTS = (
    "UNWIND $keys AS k MATCH (a:Entity {key: k})-[e]->(b:Entity) WHERE e.document = $doc "
    "WITH a.key AS s, b.key AS o, e DELETE e RETURN s, o"
)

# -- reads used by the writer ----------------------------------------------------------------------------

DOCUMENTS_BY_ID = "UNWIND $ids AS i MATCH (d:Document {id: i}) RETURN d.id AS id, d.path AS path"

DOCUMENTS_BY_PATH = "UNWIND $paths AS p MATCH (d:Document {path: p}) RETURN d.id AS id, d.path AS path"

DOCUMENT_NODE_KEYS = "MATCH (d:Document {id: $id}) RETURN d.node_keys AS keys"

FIND_FORMS = "UNWIND $forms AS form MATCH (f:NameForm {form: form}) RETURN f.form AS form, f.keys AS keys"

NODE_STATE = (
    "UNWIND $keys AS k MATCH (n:Entity {key: k}) "
    "RETURN n.key AS key, n.type AS type, n.name AS name, n.aliases AS aliases, n.degree AS degree, "
    "n.confidence AS confidence"
)

#: Everything a removal needs to recompute a node's aliases.
MENTIONS_STATE = (
    "UNWIND $keys AS k MATCH (m:Mentions {key: k}) "
    "RETURN m.key AS key, m.docs AS docs, m.spans AS spans, m.contrib AS contrib, m.confs AS confs"
)

# -- documents --------------------------------------------------------------------------------------------

_DOC_FIELDS = (
    "d.id AS id, d.path AS path, d.title AS title, d.issuer AS issuer, d.date AS date, "
    "d.period_start AS period_start, d.period_end AS period_end, d.period_text AS period_text, "
    "d.entity_count AS entity_count, d.fact_count AS fact_count"
)

DOCUMENT = f"MATCH (d:Document {{id: $id}}) RETURN {_DOC_FIELDS}"

DOCUMENTS_PAGE = f"MATCH (d:Document) RETURN {_DOC_FIELDS} ORDER BY d.seq, d.id SKIP $offset LIMIT $limit"

DOCUMENTS_ALL = f"MATCH (d:Document) RETURN {_DOC_FIELDS} ORDER BY d.id"

COUNT_DOCUMENTS = "MATCH (d:Document) RETURN count(d) AS n"

MAX_DOCUMENT_SEQ = "MATCH (d:Document) RETURN max(d.seq) AS seq"

# -- entities ---------------------------------------------------------------------------------------------

#: A node's own fields; its mentions come from :data:`MENTIONS` in a second round trip.
_NODE_FIELDS = (
    "n.key AS key, n.type AS type, n.name AS name, n.aliases AS aliases, n.confidence AS confidence"
)

MENTIONS = (
    "UNWIND $keys AS k MATCH (m:Mentions {key: k}) RETURN m.key AS key, m.docs AS docs, m.spans AS spans"
)

MENTIONS_ALL = "MATCH (m:Mentions) RETURN m.key AS key, m.docs AS docs, m.spans AS spans"

ENTITY = f"MATCH (n:Entity {{key: $key}}) RETURN {_NODE_FIELDS}, n.degree AS degree"

ENTITIES = f"UNWIND $keys AS k MATCH (n:Entity {{key: k}}) RETURN {_NODE_FIELDS}, n.degree AS degree"

ENTITIES_ALL = f"MATCH (n:Entity) RETURN {_NODE_FIELDS} ORDER BY n.key"

ENTITY_COUNTS = "MATCH (n:Entity) RETURN n.type AS type, count(n) AS n"

LOOKUP = (
    "UNWIND $forms AS form MATCH (f:NameForm {form: form}) UNWIND f.keys AS k "
    f"MATCH (n:Entity {{key: k}}) RETURN DISTINCT {_NODE_FIELDS}, n.degree AS degree"
)

#: Entities at least this sure (stored before confidence was kept: 1.0), or confirmed by a person.
_SURE = "($min_confidence IS NULL OR coalesce(n.confidence, 1.0) >= $min_confidence OR n.key IN $keep)"

#: score 3 = a form equals the query, 2 = a form starts with it, 1 = a form contains it
_SEARCH_MATCH = (
    "MATCH (n:Entity) WHERE ($type IS NULL OR n.type = $type) AND n.search_text CONTAINS $q "
    f"AND {_SURE} "
    "WITH n, CASE WHEN $q IN n.norm_forms THEN 3.0 "
    "WHEN any(f IN n.norm_forms WHERE f STARTS WITH $q) THEN 2.0 ELSE 1.0 END AS score "
)

SEARCH = (
    _SEARCH_MATCH + f"RETURN {_NODE_FIELDS}, n.degree AS degree, score "
    "ORDER BY score DESC, n.degree DESC, n.name, n.key SKIP $offset LIMIT $limit"
)

SEARCH_COUNT = (
    "MATCH (n:Entity) WHERE ($type IS NULL OR n.type = $type) AND n.search_text CONTAINS $q "
    f"AND {_SURE} RETURN count(n) AS n"
)

LIST_ENTITIES = (
    f"MATCH (n:Entity) WHERE ($type IS NULL OR n.type = $type) AND {_SURE} "
    f"RETURN {_NODE_FIELDS}, n.degree AS degree, 0.0 AS score "
    "ORDER BY n.degree DESC, n.name, n.key SKIP $offset LIMIT $limit"
)

COUNT_ENTITIES = f"MATCH (n:Entity) WHERE ($type IS NULL OR n.type = $type) AND {_SURE} RETURN count(n) AS n"

# -- facts ------------------------------------------------------------------------------------------------

_FACT_FIELDS = "type(e) AS predicate, a.key AS subject, b.key AS object, properties(e) AS props"


def facts_query(
    *, predicate: str | None, subject: bool, object: bool, document: bool, document_keys: bool
) -> str:
    """Facts under any combination of filters, anchored on an indexed node whenever one is given."""
    rel = f":{rel_type(predicate)}" if predicate else ""
    where = []
    if document:
        where.append("e.document = $document")
    if subject:
        head = "MATCH (a:Entity {key: $subject})"
        pattern = f"(a)-[e{rel}]->(b:Entity)"
        if object:
            where.append("b.key = $object")
    elif object:
        head = "MATCH (b:Entity {key: $object})"
        pattern = f"(a:Entity)-[e{rel}]->(b)"
    elif document_keys:
        head = "UNWIND $keys AS k MATCH (a:Entity {key: k})"
        pattern = f"(a)-[e{rel}]->(b:Entity)"
    else:
        head = ""
        pattern = f"(a:Entity)-[e{rel}]->(b:Entity)"
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    return f"{head} MATCH {pattern}{clause} RETURN {_FACT_FIELDS}".strip()


ENTITY_FACTS_OUT = f"MATCH (a:Entity {{key: $key}})-[e]->(b:Entity) RETURN {_FACT_FIELDS}"

ENTITY_FACTS_IN = f"MATCH (a:Entity)-[e]->(b:Entity {{key: $key}}) WHERE a.key <> $key RETURN {_FACT_FIELDS}"

RELATION_COUNTS = "MATCH (:Entity)-[e]->(:Entity) RETURN type(e) AS predicate, count(e) AS n"

FACTS_ALL = f"MATCH (a:Entity)-[e]->(b:Entity) RETURN {_FACT_FIELDS}"

# -- traversal --------------------------------------------------------------------------------------------

#: One breadth-first hop, both directions; the caller drops nodes it has already seen.
HOP = (
    "UNWIND $frontier AS k MATCH (n:Entity {key: k})-[e]-(m:Entity) "
    "WHERE ($predicates IS NULL OR type(e) IN $predicates) AND ($types IS NULL OR m.type IN $types) "
    "RETURN DISTINCT m.key AS key, m.type AS type, m.degree AS degree"
)

_LAST_HOP = (
    "UNWIND $frontier AS k MATCH (n:Entity {key: k})-[e]-(m:Entity) "
    "WHERE ($predicates IS NULL OR type(e) IN $predicates) AND ($types IS NULL OR m.type IN $types) "
    "AND NOT m.key IN $seen "
)

#: The last hop of a capped neighbourhood: only the best ``$n`` new nodes cross the wire ...
HOP_TOP = (
    _LAST_HOP + "WITH DISTINCT m RETURN m.key AS key, m.type AS type, m.degree AS degree "
    "ORDER BY degree DESC, key LIMIT $n"
)

#: ... and how many new nodes of each type there are, for the ``omitted`` counts.
HOP_COUNTS = _LAST_HOP + "RETURN m.type AS type, count(DISTINCT m) AS n"

#: One hop for path search: which node each new node was reached from.
HOP_PARENTS = (
    "UNWIND $frontier AS k MATCH (n:Entity {key: k})-[]-(m:Entity) RETURN DISTINCT k AS parent, m.key AS key"
)

#: Facts among a set of nodes (the induced subgraph of a neighbourhood).
FACTS_AMONG = (
    "UNWIND $keys AS k MATCH (a:Entity {key: k})-[e]->(b:Entity) "
    "WHERE b.key IN $keys AND ($predicates IS NULL OR type(e) IN $predicates) "
    f"RETURN {_FACT_FIELDS}"
)

#: Facts joining consecutive nodes of paths, either direction.
FACTS_BETWEEN = (
    "UNWIND $pairs AS p MATCH (a:Entity {key: p.u})-[e]-(b:Entity {key: p.v}) "
    "RETURN p.u AS u, p.v AS v, type(e) AS predicate, startNode(e).key AS subject, "
    "endNode(e).key AS object, properties(e) AS props"
)

# -- test support -----------------------------------------------------------------------------------------

#: Everything this backend writes, by label; used to give each test an empty database.
# -- corrections (graph/corrections.py): the log, and the uncorrected records of the documents it changed --

CORRECTIONS = "MATCH (c:KgCorrection) RETURN c.data AS data ORDER BY c.seq"

ADD_CORRECTIONS = "UNWIND $rows AS r MERGE (c:KgCorrection {seq: r.seq}) SET c.data = r.data"

CORRECTION_SEQS = "MATCH (c:KgCorrection) RETURN c.seq AS seq"

CORRECTION_ORIGINALS = "MATCH (o:KgCorrectionOriginal) RETURN o.doc AS doc, o.data AS data"

CORRECTION_ORIGINAL_DOCS = "MATCH (o:KgCorrectionOriginal) RETURN o.doc AS doc"

SET_CORRECTION_ORIGINALS = "UNWIND $rows AS r MERGE (o:KgCorrectionOriginal {doc: r.doc}) SET o.data = r.data"

DELETE_CORRECTION_ORIGINALS = "UNWIND $docs AS d MATCH (o:KgCorrectionOriginal {doc: d}) DELETE o"

DOCUMENT_SEQS = "UNWIND $ids AS i MATCH (d:Document {id: i}) RETURN d.id AS id, d.seq AS seq"

WIPE_LABELS = (
    "Entity", "Mentions", "Document", "NameForm", "KgWriteLock", "KgCorrection", "KgCorrectionOriginal"
)  # fmt: skip


def wipe(label_name: str) -> str:
    if label_name not in WIPE_LABELS:
        raise UnknownLabel(f"not one of our labels: {label_name!r}")
    return f"MATCH (n:{label_name}) DETACH DELETE n"
