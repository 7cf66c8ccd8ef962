"""Corrections: the log, the review queue, what is confirmed, and making a correction (a write).

All writes go through one route, ``POST /api/corrections``, on a router that
carries the API's write protection once for every route it holds.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from graph import fixing, review
from graph.corrections import OP_LABELS, Correction, doc_name
from graph.store import GraphStore

from ..auth import WRITE_REFUSALS, require_write
from ..deps import get_store
from ..schemas import ErrorOut
from .calls import Calls
from .render import json_answer

router = APIRouter(prefix="/api/corrections", tags=["修正 Corrections"])
#: the write routes: the API's write protection, applied here once
writes = APIRouter(
    prefix="/api/corrections", tags=["修正 Corrections"], dependencies=[Depends(require_write)]
)

Short = Annotated[str, Field(max_length=fixing.MAX_NAME)]


class CorrectionIn(BaseModel):
    """One correction.  Which fields it needs depends on ``op``:
    merge ``key`` + ``into``; split ``key`` + ``alias``; rename ``key`` + ``name``; retype ``key`` + ``type``;
    reject / confirm ``key`` or ``fact``; add ``document``, ``subject``, ``predicate``, ``object``,
    ``evidence``; undo ``seq``."""

    op: Literal["merge", "split", "rename", "retype", "reject", "confirm", "add", "undo"]
    key: Short | None = Field(None, description="实体键 The entity it is about, e.g. Project:凌智产业园")
    into: Short | None = Field(None, description="合并到 merge: the entity it is the same as")
    alias: Short | None = Field(None, description="拆分 split: the alias that is an entity of its own")
    name: Short | None = Field(None, description="改名 rename: the new canonical name")
    type: Short | None = Field(None, description="改类型 retype: the new type")
    fact: Annotated[str, Field(max_length=64)] | None = Field(
        None, description="关系编号 reject / confirm: a fact id instead of an entity"
    )
    document: Short | None = Field(None, description="add: the report (document id or path)")
    subject: Short | None = Field(None, description="add: subject key, or Type:name for a new entity")
    predicate: Short | None = Field(None, description="add: the predicate")
    object: Short | None = Field(None, description="add: object key, or Type:name for a new entity")
    evidence: Annotated[str, Field(max_length=fixing.MAX_EVIDENCE)] | None = Field(
        None, description="add: the sentence of the report that states it"
    )
    seq: Annotated[int, Field(ge=1)] | None = Field(None, description="undo: the correction's number")
    who: Short = Field("", description="谁 Who makes it")
    note: Annotated[str, Field(max_length=fixing.MAX_NOTE)] = Field("", description="为什么 Why")


def _need(value: str | int | None, what: str, op: str) -> Any:
    if value is None or value == "":
        raise fixing.CorrectionError(f"{op} needs {what}")
    return value


def _make(store: GraphStore, c: CorrectionIn) -> Correction:
    a = fixing.Author(c.who, c.note)
    op = c.op
    if op in ("reject", "confirm") and c.fact:
        return (fixing.reject_fact if op == "reject" else fixing.confirm_fact)(store, c.fact, a)
    if op == "undo":
        return fixing.undo(store, _need(c.seq, "seq", op), a)
    if op == "add":
        return fixing.add_fact(
            store, _need(c.document, "document", op), _need(c.subject, "subject", op),
            _need(c.predicate, "predicate", op), _need(c.object, "object", op),
            _need(c.evidence, "evidence", op), a,
        )  # fmt: skip
    key = _need(c.key, "key", op)
    if op == "merge":
        return fixing.merge(store, key, _need(c.into, "into", op), a)
    if op == "split":
        return fixing.split(store, key, _need(c.alias, "alias", op), a)
    if op == "rename":
        return fixing.rename(store, key, _need(c.name, "name", op), a)
    if op == "retype":
        return fixing.retype(store, key, _need(c.type, "type", op), a)
    return (fixing.reject if op == "reject" else fixing.confirm)(store, key, a)


def _entry(c: Correction) -> dict[str, Any]:
    return {**c.to_json(), "label": OP_LABELS[c.op], "summary": fixing.describe(c)}


@router.get("", summary="修正记录 The corrections log")
async def list_corrections(
    call: Calls,
    stale: Annotated[bool, Query(description="只看失效的 Only those whose target is in no report")] = False,
) -> Response:
    """Every correction, oldest first (undo entries included); `stale=true`: those whose target is gone."""
    entries = await call(fixing.stale if stale else fixing.log, call.store)
    return json_answer({"items": [_entry(c) for c in entries], "total": len(entries)})


@router.get("/review", summary="待审队列 Review queue")
async def review_queue(
    call: Calls,
    limit: Annotated[int, Query(ge=1, le=1000, description="条数 How many")] = 50,
    below: Annotated[
        float,
        Query(ge=0, le=1, description="置信度低于 Entities and facts under this confidence come first"),
    ] = review.UNSURE,
) -> Response:
    """Entities and facts the extractor was least sure of first (lowest confidence first), then
    near-duplicate names of one type, then entities with one mention; nothing a person confirmed."""
    items = await call(review.queue, call.store, limit, below)
    return json_answer({"items": [asdict(i) for i in items], "total": len(items)})


def _confirmed(store: GraphStore) -> dict[str, Any]:
    done = fixing.confirmed(store)
    docs = {d.id: d.path for d in store.iter_documents()} if done.facts else {}
    names = {r.document for r in done.facts}
    facts = [
        f.id
        for f in (store.iter_facts() if done.facts else ())
        if doc_name(docs.get(f.document, "")) in names and done.fact(f, docs[f.document])
    ]
    return {"entities": sorted(done.entities), "facts": sorted(facts)}


@router.get("/confirmed", summary="已确认 Confirmed by a person")
async def confirmed(call: Calls) -> Response:
    """Keys of the entities and ids of the facts a person confirmed (the page marks them)."""
    return json_answer(await call(_confirmed, call.store))


@writes.post(
    "",
    status_code=201,
    responses={
        400: {"model": ErrorOut, "description": "不能修正 The correction cannot be made (reason given)"},
        **WRITE_REFUSALS,
        404: {"model": ErrorOut, "description": "未找到 No such entity, fact or report"},
    },
    summary="修正 Make a correction",
)
def make_correction(store: Annotated[GraphStore, Depends(get_store)], body: CorrectionIn) -> Response:
    """Appends one entry to the log and applies it; the answer is the entry (with its number, for undo)."""
    return json_answer(_entry(_make(store, body)), status_code=201)
