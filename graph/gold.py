"""The corrected graph, report by report, as extractions and as gold files (``../shared/eval/SCHEMA.md``).

Why: an analyst's corrections are the best annotations we get.  Written in
the gold format, they are what the extractor's training command learns from
and what ``score.py`` scores a new extractor against.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from extract.model import Amount, DocInfo, Entity, Extraction, Period, Relation

from .corrections import doc_name
from .model import Fact
from .persist import DocRecords, write_atomic
from .store import GraphStore


def _records(store: GraphStore, doc_id: str) -> DocRecords:
    reader = getattr(store, "document_records", None)
    if reader is None:
        raise TypeError(f"{store.location}: this store cannot give a report's records")
    rec: DocRecords = reader(doc_id)
    return rec


def _stem(path: str) -> str:
    name = doc_name(path)
    return PurePath(name).stem if "." in name else name


def document_extraction(store: GraphStore, doc_id: str) -> Extraction:
    """One stored report as the extraction it now is (corrections applied), in ``kg extract --json`` shape."""
    rec = _records(store, doc_id)
    d = rec.document
    ids = {n.key: f"e{i}" for i, n in enumerate(rec.nodes, start=1)}
    entities = [
        Entity(ids[n.key], n.name, n.type, list(n.aliases), list(n.mentions.get(d.id, [])), n.confidence)  # type: ignore[arg-type]
        for n in rec.nodes
    ]
    relations = [
        Relation(
            subject=ids[f.subject],
            predicate=f.predicate,  # type: ignore[arg-type]
            object=ids[f.object],
            evidence=f.evidence,
            span=f.span,
            amount=Amount(
                f.amount_text or "",
                f.amount_value,
                f.amount_currency or "CNY",
                f.amount_masked,
                f.amount_approx,
                f.amount_shared,
                f.amount_group,
            )
            if f.has_amount
            else None,
            period=Period(f.period_text or "", f.period_start, f.period_end, f.period_inherited)
            if f.period_start or f.period_end
            else None,
            agency=f.agency,
            action=f.action,
            confidence=f.confidence,
        )
        for f in rec.facts
        if f.subject in ids and f.object in ids
    ]
    period = (
        Period(d.period_text or "", d.period_start, d.period_end) if d.period_start or d.period_end else None
    )
    info = DocInfo(id=_stem(d.path), path=d.path, title=d.title, date=d.date, issuer=d.issuer, period=period)
    return Extraction(doc=info, entities=entities, relations=relations)


def _gold_relation(f: Fact, names: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {"s": names[f.subject], "p": f.predicate, "o": names[f.object]}
    if f.has_amount:
        out["amount"] = (
            int(f.amount_value)
            if f.amount_value is not None and f.amount_value.is_integer()
            else (f.amount_value)
        )
        if f.amount_approx:
            out["approx"] = True
        if f.amount_shared:
            out["shared"] = True
            if f.amount_group:
                out["group"] = f.amount_group
    if f.period_start or f.period_end:
        out["period"] = [f.period_start, f.period_end]
        if f.period_inherited:
            out["inherited"] = True
    if f.action:
        out["action"] = f.action
    if f.agency:
        out["agency"] = f.agency
    return out


def gold(store: GraphStore, doc_id: str) -> dict[str, Any]:
    """One report's gold annotation: names instead of ids, qualifiers as bare values.

    The flags SCHEMA.md puts on a gold relation (approx, shared with group, inherited) are written;
    the extractor's confidence is not: a gold file says what is true, not how sure a program was.
    """
    rec = _records(store, doc_id)
    names = {n.key: n.name for n in rec.nodes}
    return {
        "doc": doc_name(rec.document.path),
        "entities": [{"name": n.name, "type": n.type, "aliases": list(n.aliases)} for n in rec.nodes],
        "relations": [
            _gold_relation(f, names) for f in rec.facts if f.subject in names and f.object in names
        ],
    }


@dataclass(frozen=True, slots=True)
class GoldExport:
    folder: Path
    files: list[Path]


def export_gold(store: GraphStore, folder: str | Path) -> GoldExport:
    """One ``<stem>.json`` per stored report in ``folder`` (created), each written atomically."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    for d in sorted(store.iter_documents(), key=lambda d: doc_name(d.path)):
        path = out / f"{_stem(d.path)}.json"
        data = json.dumps(gold(store, d.id), ensure_ascii=False, indent=1) + "\n"
        write_atomic(path, data.encode("utf-8"))
        files.append(path)
    return GoldExport(out, files)


def extractions(store: GraphStore) -> Iterator[Extraction]:
    for d in store.iter_documents():
        yield document_extraction(store, d.id)
