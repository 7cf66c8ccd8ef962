"""Corrections by a person, as records, and the one pure step that applies them to a document's records.

Why a step over each document's records rather than edits of the stored graph:
the stores rebuild a document's records whenever it is ingested again, by a
newer extractor, after a remove, or into a fresh store.  A correction that
names its target by a stable key (type + normalised name for an entity;
report file name + evidence span + predicate for a fact) and is applied to
every document as it is stored therefore survives all of those.  Both
backends call :func:`apply` right after resolving a document, and keep the
document's uncorrected records (``FixState.originals``) whenever the step
changed them, so an undo or a later correction can start again from what the
extractor said.

The log is append-only: an undo is an entry of its own that cancels an
earlier one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Literal

import orjson

from extract.model import ENTITY_TYPES

from .keys import fact_id, normalize
from .model import DocumentRecord, Fact, Node, Span
from .persist import DocRecords

Op = Literal[
    "merge", "split", "rename", "retype", "reject", "reject_fact", "confirm", "confirm_fact", "add", "undo"
]
OPS: tuple[Op, ...] = (
    "merge", "split", "rename", "retype", "reject", "reject_fact", "confirm", "confirm_fact", "add", "undo"
)  # fmt: skip
#: what a person reads for each operation (CLI tables, the page)
OP_LABELS: dict[str, str] = {
    "merge": "合并 merge",
    "split": "拆分 split",
    "rename": "改名 rename",
    "retype": "改类型 retype",
    "reject": "不是实体 reject",
    "reject_fact": "删除关系 reject fact",
    "confirm": "确认 confirm",
    "confirm_fact": "确认关系 confirm fact",
    "add": "补充关系 add fact",
    "undo": "撤销 undo",
}


def doc_name(path: str) -> str:
    """A report's stable name: its file name (the same after re-extraction, a change or a rebuild)."""
    return PurePath(path.replace("\\", "/")).name


def key_type(key: str) -> str:
    return key.split(":", 1)[0]


@dataclass(frozen=True, slots=True)
class FactRef:
    """One fact, by where it is stated: report file name, evidence span and predicate.

    ``evidence`` lets the reference find the sentence again when an edit of the
    report moved it; ``subject``/``object`` tell apart two facts of one sentence.
    """

    document: str
    predicate: str
    span: Span
    evidence: str = ""
    subject: str | None = None
    object: str | None = None

    @classmethod
    def of(cls, fact: Fact, path: str) -> FactRef:
        return cls(doc_name(path), fact.predicate, fact.span, fact.evidence, fact.subject, fact.object)

    def matches(self, fact: Fact) -> bool:
        if fact.predicate != self.predicate:
            return False
        if fact.span != self.span and not (
            self.evidence and normalize(fact.evidence) == normalize(self.evidence)
        ):
            return False
        return (self.subject is None or fact.subject == self.subject) and (
            self.object is None or fact.object == self.object
        )


@dataclass(frozen=True, slots=True)
class NewFact:
    """A fact the text states and the extractor missed; amount and period were parsed from the evidence."""

    document: str  # report file name
    predicate: str
    subject: str  # entity key
    subject_name: str
    object: str
    object_name: str
    evidence: str
    span: Span
    amount_value: float | None = None
    amount_currency: str | None = None
    amount_text: str | None = None
    amount_masked: bool = False
    amount_approx: bool = False
    period_start: str | None = None
    period_end: str | None = None
    period_text: str | None = None

    def fact(self, doc_id: str) -> Fact:
        return Fact(
            fact_id(doc_id, self.predicate, self.subject, self.object, self.span),
            self.predicate, self.subject, self.object, doc_id, self.evidence, self.span,
            self.amount_value, self.amount_currency, self.amount_text, self.amount_masked, self.amount_approx,
            self.period_start, self.period_end, self.period_text,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Correction:
    """One entry of the corrections log, with who made it, when and why.

    ``key`` is the entity the operation is about.  ``target`` depends on the
    operation: merge, the key of the entity it is (``target_name`` its name);
    split, the alias that is an entity of its own; rename, the new name;
    retype, the new type.
    """

    seq: int
    op: Op
    key: str | None = None
    target: str | None = None
    target_name: str | None = None
    fact: FactRef | None = None
    new_fact: NewFact | None = None
    undoes: int | None = None
    who: str = ""
    when: str = ""
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        return {k: v for k, v in data.items() if v not in (None, "")}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Correction:
        fact = data.get("fact")
        new = data.get("new_fact")
        return cls(
            seq=int(data["seq"]),
            op=data["op"],
            key=data.get("key"),
            target=data.get("target"),
            target_name=data.get("target_name"),
            fact=FactRef(**{**fact, "span": tuple(fact["span"])}) if fact else None,
            new_fact=NewFact(**{**new, "span": tuple(new["span"])}) if new else None,
            undoes=data.get("undoes"),
            who=data.get("who", ""),
            when=data.get("when", ""),
            note=data.get("note", ""),
        )

    def produced_key(self) -> str | None:
        """The entity key this correction makes its target into (None when it makes none)."""
        if self.key is None or self.target is None:
            return None
        if self.op == "merge":
            return self.target
        if self.op == "split":
            return f"{key_type(self.key)}:{normalize(self.target)}"
        if self.op == "rename":
            return f"{key_type(self.key)}:{normalize(self.target)}"
        if self.op == "retype":
            return f"{self.target}:{self.key.split(':', 1)[1]}"
        return None


class Originals(MutableMapping[str, DocRecords]):
    """Document id -> uncorrected records, decoded only when asked for (a store may keep many).

    ``holding(keys)`` finds the documents whose records name one of ``keys``
    by searching the stored JSON, so a correction touching two entities does
    not decode every corrected report.
    """

    def __init__(self, raw: Mapping[str, bytes] | None = None) -> None:
        self._raw: dict[str, bytes] = dict(raw or {})
        self._decoded: dict[str, DocRecords] = {}

    def __getitem__(self, doc: str) -> DocRecords:
        rec = self._decoded.get(doc)
        if rec is None:
            rec = self._decoded[doc] = records_from_bytes(self._raw[doc])
        return rec

    def __contains__(self, doc: object) -> bool:
        return doc in self._raw

    def __setitem__(self, doc: str, rec: DocRecords) -> None:
        self._decoded[doc] = rec
        self._raw[doc] = b""  # stands for "decoded": searched through the records instead

    def __delitem__(self, doc: str) -> None:
        del self._raw[doc]
        self._decoded.pop(doc, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def holding(self, keys: Iterable[str]) -> list[str]:
        needles = [orjson.dumps(k) for k in keys]
        out = []
        for doc, raw in self._raw.items():
            rec = self._decoded.get(doc)
            if rec is not None:
                wanted = {n.key for n in rec.nodes}
                if any(orjson.loads(k) in wanted for k in needles):
                    out.append(doc)
            elif any(k in raw for k in needles):
                out.append(doc)
        return out


@dataclass(slots=True)
class FixState:
    """What a store keeps about corrections: the log, and the uncorrected records of what it changed."""

    log: list[Correction] = field(default_factory=list)
    #: document id -> its records as resolved, before corrections (only documents they changed)
    originals: MutableMapping[str, DocRecords] = field(default_factory=dict)

    def active(self) -> list[Correction]:
        """The entries that take effect, in log order: no undo entries, nothing undone."""
        undone = {c.undoes for c in self.log if c.op == "undo"}
        return [c for c in self.log if c.op != "undo" and c.seq not in undone]

    def next_seq(self) -> int:
        return max((c.seq for c in self.log), default=0) + 1

    def entry(self, seq: int) -> Correction | None:
        return next((c for c in self.log if c.seq == seq), None)

    def log_bytes(self) -> bytes:
        return orjson.dumps({"version": 1, "log": [c.to_json() for c in self.log]})

    @staticmethod
    def parse_log(raw: bytes) -> list[Correction]:
        return [Correction.from_json(c) for c in orjson.loads(raw)["log"]]


def records_bytes(rec: DocRecords) -> bytes:
    """A document's records as JSON (orjson writes the dataclasses itself: a tenth of ``asdict``'s time)."""
    return orjson.dumps({"document": rec.document, "nodes": rec.nodes, "facts": rec.facts})


def records_from_bytes(raw: bytes | str) -> DocRecords:
    return records_from_json(orjson.loads(raw))


def records_from_json(data: dict[str, Any]) -> DocRecords:
    nodes = [
        Node(**{**n, "mentions": {d: [(a, b) for a, b in s] for d, s in n["mentions"].items()}})
        for n in data["nodes"]
    ]
    facts = [Fact(**{**f, "span": (f["span"][0], f["span"][1])}) for f in data["facts"]]
    return DocRecords(DocumentRecord(**data["document"]), nodes, facts)


class _Doc:
    """A document's records being corrected: nodes by key (copies), facts in order."""

    def __init__(self, rec: DocRecords) -> None:
        self.id = rec.document.id
        self.name = doc_name(rec.document.path)
        self.nodes: dict[str, Node] = {
            n.key: Node(
                n.key,
                n.type,
                n.name,
                list(n.aliases),
                {self.id: list(n.mentions.get(self.id, []))},
                n.confidence,
            )
            for n in rec.nodes
        }
        self.facts: list[Fact] = list(rec.facts)

    def rekey(self, old: str, new: str, new_type: str, new_name: str) -> None:
        """Node ``old`` becomes ``new`` (merged into it when present); its facts follow it."""
        node = self.nodes.pop(old)
        target = self.nodes.get(new)
        if target is None:
            target = self.nodes[new] = Node(new, new_type, new_name, [], {self.id: []}, node.confidence)
        else:
            target.name = new_name
            target.confidence = max(target.confidence, node.confidence)
        forms = [*target.aliases, node.name, *node.aliases]
        own = normalize(target.name)
        best: dict[str, str] = {}
        for raw in forms:
            norm = normalize(raw)
            if norm and norm != own and (norm not in best or raw < best[norm]):
                best[norm] = raw
        target.aliases = sorted(best.values())
        target.mentions[self.id] = sorted(set(target.mentions[self.id]) | set(node.mentions[self.id]))
        self.move_facts(old, new, lambda f: True)

    def move_facts(self, old: str, new: str, which: Any) -> None:
        out: list[Fact] = []
        seen: set[str] = set()
        for f in self.facts:
            if (f.subject == old or f.object == old) and which(f):
                s = new if f.subject == old else f.subject
                o = new if f.object == old else f.object
                if s == o:
                    continue  # a fact between the two halves of a merge says nothing
                f = dataclasses.replace(
                    f, id=fact_id(self.id, f.predicate, s, o, f.span), subject=s, object=o
                )
            if f.id not in seen:
                seen.add(f.id)
                out.append(f)
        self.facts = out


def _step(c: Correction, doc: _Doc) -> bool:
    """Apply one correction to one document; True when it found its target there (and changed it)."""
    nodes = doc.nodes
    if c.op in ("merge", "rename", "retype", "split", "reject", "confirm"):
        if c.key is None or c.key not in nodes:
            return False
        node = nodes[c.key]
        if c.op == "confirm":
            return True
        if c.op == "reject":
            del nodes[c.key]
            doc.facts = [f for f in doc.facts if c.key not in (f.subject, f.object)]
            return True
        new = c.produced_key()
        assert new is not None and c.target is not None
        if c.op == "merge":
            if key_type(new) != node.type:  # never across type, whatever the log says
                return False
            doc.rekey(c.key, new, node.type, c.target_name or new.split(":", 1)[1])
        elif c.op == "rename":
            doc.rekey(c.key, new, node.type, c.target)
        elif c.op == "retype":
            doc.rekey(c.key, new, c.target, node.name)
        else:  # split
            alias = normalize(c.target)
            kept = [a for a in node.aliases if normalize(a) != alias]
            if len(kept) == len(node.aliases):
                return False
            node.aliases = kept
            spans = node.mentions[doc.id]
            own = (
                [s for s in spans if s[1] - s[0] == len(c.target)] if len(c.target) != len(node.name) else []
            )
            part = nodes.get(new)
            if part is None:
                part = nodes[new] = Node(new, node.type, c.target, [], {doc.id: []}, node.confidence)
            part.mentions[doc.id] = sorted(set(part.mentions[doc.id]) | set(own or spans))
            name = normalize(node.name)
            doc.move_facts(
                c.key, new, lambda f: alias in normalize(f.evidence) and name not in normalize(f.evidence)
            )
        return True
    if c.op in ("reject_fact", "confirm_fact"):
        ref = c.fact
        if ref is None or ref.document != doc.name:
            return False
        hits = [f for f in doc.facts if ref.matches(f)]
        if not hits:
            return False
        if c.op == "reject_fact":
            gone = {f.id for f in hits}
            doc.facts = [f for f in doc.facts if f.id not in gone]
        return True
    if c.op == "add":
        nf = c.new_fact
        if nf is None or nf.document != doc.name:
            return False
        for key, name in ((nf.subject, nf.subject_name), (nf.object, nf.object_name)):
            if key not in nodes:
                start = nf.evidence.find(name)
                span = (nf.span[0] + start, nf.span[0] + start + len(name)) if start >= 0 else nf.span
                nodes[key] = Node(key, key_type(key), name, [], {doc.id: [span]})
        fact = nf.fact(doc.id)
        if all(f.id != fact.id for f in doc.facts):
            doc.facts.append(fact)
        return True
    return False


#: operations that change records (confirmations only mark them)
CHANGING = frozenset(OPS) - {"confirm", "confirm_fact", "undo"}


def apply(rec: DocRecords, log: Sequence[Correction], hits: set[int] | None = None) -> DocRecords:
    """The document's records with every correction of ``log`` applied in order.

    Returns ``rec`` itself when nothing applied, so a caller can tell a changed
    document by identity.  ``hits`` collects the seq of every entry that found
    its target (what :func:`graph.fixing.stale` reports on).
    """
    if not log:
        return rec
    doc: _Doc | None = None
    changed = False
    for c in log:
        if doc is None:
            if not _could_touch(c, rec):
                continue
            doc = _Doc(rec)
        if _step(c, doc):
            if hits is not None:
                hits.add(c.seq)
            changed = changed or c.op in CHANGING
    if doc is None or not changed:
        return rec
    nodes = list(doc.nodes.values())
    document = dataclasses.replace(rec.document, entity_count=len(nodes), fact_count=len(doc.facts))
    return DocRecords(document, nodes, doc.facts)


def _could_touch(c: Correction, rec: DocRecords) -> bool:
    """A cheap test before copying the records: most documents meet no correction at all."""
    if c.key is not None:
        return any(n.key == c.key for n in rec.nodes)
    ref = c.fact or c.new_fact
    return ref is not None and ref.document == doc_name(rec.document.path)


def check_type(entity_type: str) -> None:
    if entity_type not in ENTITY_TYPES:
        raise ValueError(f"unknown type {entity_type!r} (one of {', '.join(ENTITY_TYPES)})")


def touched_keys(c: Correction) -> set[str]:
    """The entity keys a correction is about, before and after it (to find the documents it changes)."""
    keys = {k for k in (c.key, c.produced_key()) if k}
    if c.new_fact is not None:
        keys |= {c.new_fact.subject, c.new_fact.object}
    return keys


def documents_named(docs: Iterable[DocumentRecord], name: str) -> list[str]:
    return [d.id for d in docs if doc_name(d.path) == name]
