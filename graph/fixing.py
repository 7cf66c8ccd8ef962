"""Fixing the graph: each operation checks its target, appends one entry to the log, and re-applies the log.

The CLI (``kg fix …``) and the API (``/api/corrections``) are thin layers over
these functions.  A store offers three things for them (both backends):
``fix_state()`` (the log and the uncorrected records it changed),
``document_records(doc_id)`` and ``write_fixes(state, records)`` (save the
state and replace those documents' records in one commit).  Every operation
recomputes only the documents that hold its target, from their uncorrected
records, with the whole active log — so an undo gives back exactly what the
extractor said, and corrections stack in the order they were made.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import getpass
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from extract.model import ENTITY_TYPES, PREDICATES

from .corrections import (
    Correction,
    FactRef,
    FixState,
    NewFact,
    Originals,
    apply,
    doc_name,
    documents_named,
    key_type,
    touched_keys,
)
from .errors import EntityNotFound, NotFound, StoreError
from .keys import entity_key, normalize
from .model import Fact, Node
from .persist import DocRecords
from .store import GraphStore

#: bounds on what a person types (the API takes the same)
MAX_NOTE = 2_000
MAX_NAME = 200
MAX_EVIDENCE = 2_000


class CorrectionError(StoreError, ValueError):
    """A correction that cannot be made (merge across types, an alias the entity does not have …)."""


class FactNotFound(NotFound):
    def __init__(self, fact: str) -> None:
        super().__init__(f"no fact with id {fact!r}")


class CorrectingStore(GraphStore, Protocol):
    """What a backend offers for corrections besides the graph contract."""

    def fixes_locked(self) -> contextlib.AbstractContextManager[None]: ...

    def fix_state(self) -> FixState: ...

    def fix_log(self) -> list[Correction]: ...

    def document_records(self, doc_id: str) -> DocRecords: ...

    def write_fixes(self, state: FixState, records: list[DocRecords]) -> None: ...


@dataclass(frozen=True, slots=True)
class Author:
    """Who made a correction and why (free text); ``who`` defaults to the login name."""

    who: str = ""
    note: str = ""


def _store(store: GraphStore) -> CorrectingStore:
    if not hasattr(store, "write_fixes"):
        raise CorrectionError(f"{store.location}: this store does not keep corrections")
    return store  # type: ignore[return-value]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _author(author: Author | None) -> Author:
    a = author or Author()
    if len(a.note) > MAX_NOTE or len(a.who) > MAX_NAME:
        raise CorrectionError(f"the note is limited to {MAX_NOTE} characters and the name to {MAX_NAME}")
    if a.who:
        return a
    try:
        return Author(getpass.getuser(), a.note)
    except (KeyError, OSError):
        return Author("unknown", a.note)


def _entity(store: GraphStore, key: str) -> Node:
    try:
        return store.entity(key)
    except EntityNotFound:
        raise
    except NotFound as exc:  # pragma: no cover - every backend raises EntityNotFound
        raise EntityNotFound(key) from exc


def _fact(store: GraphStore, fact_id: str) -> Fact:
    for f in store.iter_facts():
        if f.id == fact_id:
            return f
    raise FactNotFound(fact_id)


# -- the log ----------------------------------------------------------------------------


def log(store: GraphStore) -> list[Correction]:
    """Every entry, oldest first (undo entries included)."""
    return _store(store).fix_log()


def record(store: GraphStore, correction: Correction, author: Author | None = None) -> Correction:
    """Append one correction (numbered and dated here) and bring the documents it touches up to date."""
    s = _store(store)
    a = _author(author)
    with s.fixes_locked():
        state = s.fix_state()
        entry = dataclasses.replace(correction, seq=state.next_seq(), when=_now(), who=a.who, note=a.note)
        about = state.entry(entry.undoes) if entry.op == "undo" and entry.undoes is not None else entry
        if about is None:
            raise CorrectionError(f"no correction number {entry.undoes}")
        docs = _affected(s, state, about)
        state.log.append(entry)
        s.write_fixes(state, _recompute(s, state, docs))
    return entry


def _affected(store: CorrectingStore, state: FixState, c: Correction) -> list[str]:
    """The stored documents whose records hold what ``c`` is about, before or after it, in ingest order."""
    keys = touched_keys(c)
    docs: set[str] = set()
    for k in keys:
        with contextlib.suppress(NotFound):
            docs.update(store.entity(k).documents)
    originals = state.originals
    if isinstance(originals, Originals):
        docs.update(originals.holding(keys))
    else:
        docs.update(d for d, rec in originals.items() if any(n.key in keys for n in rec.nodes))
    ref = c.fact or c.new_fact
    stored = list(store.iter_documents())
    if ref is not None:
        docs.update(documents_named(stored, ref.document))
    return [d.id for d in stored if d.id in docs]


def _recompute(store: CorrectingStore, state: FixState, docs: Iterable[str]) -> list[DocRecords]:
    """These documents' records from their uncorrected ones and the active log (originals kept in step)."""
    active = state.active()
    out: list[DocRecords] = []
    for d in docs:
        raw = state.originals.get(d) or store.document_records(d)
        fixed = apply(raw, active)
        if fixed is raw:
            state.originals.pop(d, None)
        else:
            state.originals[d] = raw
        out.append(fixed)
    stored = {d.id for d in store.iter_documents()}
    for d in [d for d in state.originals if d not in stored]:  # removed reports
        del state.originals[d]
    return out


def reapply(store: GraphStore) -> int:
    """Recompute every document with the log (after loading a log into a store); returns how many changed."""
    s = _store(store)
    with s.fixes_locked():
        state = s.fix_state()
        docs = [d.id for d in s.iter_documents()]
        before = {d: s.document_records(d) for d in docs}
        records = _recompute(s, state, docs)
        changed = [r for r in records if r != before[r.document.id]]
        s.write_fixes(state, changed)
    return len(changed)


def load_log(target: GraphStore, entries: Iterable[Correction]) -> int:
    """Give ``target`` a log taken from another store (before or after its build); returns documents changed.

    Only the log travels: the uncorrected records are each store's own.
    """
    t = _store(target)
    with t.fixes_locked():
        state = t.fix_state()
        if state.log:
            raise CorrectionError(
                f"{target.location}: already holds corrections; load a log into a store without any"
            )
        state.log = list(entries)
        t.write_fixes(state, [])
        return reapply(target) if state.log else 0


def copy_log(source: GraphStore, target: GraphStore) -> int:
    """``target`` gets the log of ``source`` (a rebuild into a fresh store keeps the fixes)."""
    return load_log(target, log(source))


# -- operations --------------------------------------------------------------------------


def merge(store: GraphStore, key: str, into: str, author: Author | None = None) -> Correction:
    """``key`` is the same thing as ``into``: one node under ``into``'s key and name.  Never across types."""
    a, b = _entity(store, key), _entity(store, into)
    if a.key == b.key:
        raise CorrectionError(f"{key!r} and {into!r} are one entity already")
    if a.type != b.type:
        raise CorrectionError(
            f"cannot merge a {a.type} into a {b.type} ({a.name} / {b.name}): retype it first"
        )
    return record(store, Correction(0, "merge", key=a.key, target=b.key, target_name=b.name), author)


def split(store: GraphStore, key: str, alias: str, author: Author | None = None) -> Correction:
    """The alias ``alias`` of ``key`` names an entity of its own (same type)."""
    node = _entity(store, key)
    norm = normalize(alias)
    if norm == normalize(node.name):
        raise CorrectionError(f"{alias!r} is the name of {node.key}, not an alias: rename the entity instead")
    match = next((x for x in node.aliases if normalize(x) == norm), None)
    if match is None:
        raise CorrectionError(
            f"{node.key} has no alias {alias!r} (aliases: {', '.join(node.aliases) or 'none'})"
        )
    return record(store, Correction(0, "split", key=node.key, target=match), author)


def rename(store: GraphStore, key: str, name: str, author: Author | None = None) -> Correction:
    """A new canonical name (its key follows it); the old name stays an alias."""
    node = _entity(store, key)
    name = name.strip()
    if not normalize(name) or len(name) > MAX_NAME:
        raise CorrectionError(f"a name needs 1 to {MAX_NAME} characters")
    if name == node.name:
        raise CorrectionError(f"{node.key} is called {name!r} already")
    return record(store, Correction(0, "rename", key=node.key, target=name), author)


def retype(store: GraphStore, key: str, entity_type: str, author: Author | None = None) -> Correction:
    node = _entity(store, key)
    if entity_type not in ENTITY_TYPES:
        raise CorrectionError(f"unknown type {entity_type!r} (one of {', '.join(ENTITY_TYPES)})")
    if entity_type == node.type:
        raise CorrectionError(f"{node.key} is a {entity_type} already")
    return record(store, Correction(0, "retype", key=node.key, target=entity_type), author)


def reject(store: GraphStore, key: str, author: Author | None = None) -> Correction:
    """Not an entity: the node goes, and every fact it is in."""
    node = _entity(store, key)
    return record(store, Correction(0, "reject", key=node.key), author)


def confirm(store: GraphStore, key: str, author: Author | None = None) -> Correction:
    node = _entity(store, key)
    return record(store, Correction(0, "confirm", key=node.key), author)


def _ref(store: GraphStore, fact_id: str) -> FactRef:
    f = _fact(store, fact_id)
    return FactRef.of(f, store.document(f.document).path)


def reject_fact(store: GraphStore, fact_id: str, author: Author | None = None) -> Correction:
    return record(store, Correction(0, "reject_fact", fact=_ref(store, fact_id)), author)


def confirm_fact(store: GraphStore, fact_id: str, author: Author | None = None) -> Correction:
    return record(store, Correction(0, "confirm_fact", fact=_ref(store, fact_id)), author)


def undo(store: GraphStore, seq: int, author: Author | None = None) -> Correction:
    """Cancel entry ``seq``: the documents it changed are recomputed without it."""
    entries = log(store)
    target = next((c for c in entries if c.seq == seq), None)
    if target is None:
        raise CorrectionError(f"no correction number {seq}")
    if target.op == "undo":
        raise CorrectionError(f"correction {seq} is an undo; make the correction again instead")
    if any(c.op == "undo" and c.undoes == seq for c in entries):
        raise CorrectionError(f"correction {seq} is undone already")
    return record(store, Correction(0, "undo", undoes=seq), author)


def _end(store: GraphStore, spec: str) -> tuple[str, str]:
    """An end of a new fact: a stored entity's key, or ``Type:name`` for one the extractor missed."""
    try:
        node = store.entity(spec)
        return node.key, node.name
    except NotFound:
        pass
    entity_type, _, name = spec.partition(":")
    if entity_type not in ENTITY_TYPES or not normalize(name) or len(name) > MAX_NAME:
        raise CorrectionError(
            f"{spec!r}: not a stored entity, nor Type:name with a type of {', '.join(ENTITY_TYPES)}"
        )
    return entity_key(entity_type, name), name


def add_fact(
    store: GraphStore,
    document: str,
    subject: str,
    predicate: str,
    object: str,
    evidence: str,
    author: Author | None = None,
) -> Correction:
    """A fact the report states and the extractor missed; the evidence must be a passage of the report.

    Amount and period are read from the evidence as the extractor reads them
    (the report's own period when the sentence names none).
    """
    from extract.amounts import find_amounts
    from extract.errors import ExtractError
    from extract.load import load_file
    from extract.periods import find_periods

    if predicate not in PREDICATES:
        raise CorrectionError(f"unknown predicate {predicate!r} (one of {', '.join(PREDICATES)})")
    evidence = evidence.strip()
    if not evidence or len(evidence) > MAX_EVIDENCE:
        raise CorrectionError(f"the evidence needs 1 to {MAX_EVIDENCE} characters of the report's text")
    doc = store.find_document(document)
    try:
        text = load_file(doc.path).text
    except (ExtractError, OSError) as exc:
        raise CorrectionError(f"{doc.path}: cannot read the report to find the evidence ({exc})") from None
    start = text.find(evidence)
    if start < 0:
        raise CorrectionError(f"{doc.path}: the evidence is not in the report's text: {evidence[:60]!r}")
    s_key, s_name = _end(store, subject)
    o_key, o_name = _end(store, object)
    if s_key == o_key:
        raise CorrectionError("a fact needs two different entities")
    amount = next((a for _, a in find_amounts(evidence)), None)
    year = int((doc.date or doc.period_start or "0")[:4] or 0) or None
    period = next((p for _, p in find_periods(evidence, year)), None)
    new = NewFact(
        document=doc_name(doc.path),
        predicate=predicate,
        subject=s_key,
        subject_name=s_name,
        object=o_key,
        object_name=o_name,
        evidence=evidence,
        span=(start, start + len(evidence)),
        amount_value=amount.value if amount else None,
        amount_currency=amount.currency if amount else None,
        amount_text=amount.text if amount else None,
        amount_masked=amount.masked if amount else False,
        amount_approx=amount.approx if amount else False,
        period_start=period.start if period else doc.period_start,
        period_end=period.end if period else doc.period_end,
        period_text=period.text if period else doc.period_text,
    )
    return record(store, Correction(0, "add", new_fact=new), author)


# -- reading the log back -----------------------------------------------------------------


def stale(store: GraphStore) -> list[Correction]:
    """Active corrections whose target is in no stored report (kept, never dropped, so they show here)."""
    s = _store(store)
    state = s.fix_state()
    docs = {d.id: d for d in s.iter_documents()}
    keys = {n.key for n in s.iter_nodes()}
    facts: list[tuple[str, Fact]] = [
        (doc_name(docs[f.document].path), f) for f in s.iter_facts() if f.document in docs
    ]
    for d, rec in state.originals.items():
        if d in docs:
            keys.update(n.key for n in rec.nodes)
            facts.extend((doc_name(docs[d].path), f) for f in rec.facts)
    names = {doc_name(d.path) for d in docs.values()}
    out: list[Correction] = []
    for c in state.active():
        if c.key is not None:
            found = c.key in keys
        elif c.fact is not None:
            ref = c.fact
            found = any(name == ref.document and ref.matches(f) for name, f in facts)
        else:
            found = c.new_fact is not None and c.new_fact.document in names
        if not found:
            out.append(c)
            continue
        produced = c.produced_key()
        if produced:
            keys.add(produced)
    return out


@dataclass(slots=True)
class Confirmed:
    """What a person verified, to mark in answers and on the page."""

    entities: set[str]
    facts: list[FactRef]

    def entity(self, key: str) -> bool:
        return key in self.entities

    def fact(self, fact: Fact, path: str) -> bool:
        name = doc_name(path)
        return any(r.document == name and r.matches(fact) for r in self.facts)


def confirmed(store: GraphStore) -> Confirmed:
    if not hasattr(store, "fix_log"):
        return Confirmed(set(), [])
    active = FixState(log=log(store)).active()
    return Confirmed(
        entities={c.key for c in active if c.op == "confirm" and c.key},
        facts=[c.fact for c in active if c.op == "confirm_fact" and c.fact is not None],
    )


def describe(c: Correction) -> str:
    """One line for a person: what the entry does."""
    if c.op == "merge":
        return f"{c.key} → {c.target}"
    if c.op == "split":
        return f"{c.target} ← {c.key}"
    if c.op in ("rename", "retype"):
        return f"{c.key} → {c.target}"
    if c.op in ("reject", "confirm"):
        return c.key or ""
    if c.op in ("reject_fact", "confirm_fact") and c.fact is not None:
        f = c.fact
        return f"{f.document} {f.predicate} {f.subject} → {f.object} @{f.span[0]}"
    if c.op == "add" and c.new_fact is not None:
        n = c.new_fact
        return f"{n.document}: {n.subject_name} {n.predicate} {n.object_name}"
    if c.op == "undo":
        return f"#{c.undoes}"
    return ""


__all__ = [
    "Author",
    "Confirmed",
    "CorrectionError",
    "FactNotFound",
    "add_fact",
    "confirm",
    "confirm_fact",
    "confirmed",
    "copy_log",
    "describe",
    "key_type",
    "load_log",
    "log",
    "merge",
    "reapply",
    "record",
    "reject",
    "reject_fact",
    "rename",
    "retype",
    "split",
    "stale",
    "undo",
]
