"""Stored reports: list, read, upload and remove."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, HTTPException, Path, Query, Response, UploadFile

from graph.queries import document_detail, remove, upload
from graph.store import GraphStore

from ..auth import require_token
from ..deps import get_store
from ..schemas import DocumentDetailOut, DocumentOut, ErrorOut, IngestOut, ListOf, RemoveOut
from .calls import Calls
from .params import Limit, Offset
from .render import json_answer

router = APIRouter(prefix="/api/documents", tags=["报告 Documents"])

DocId = Annotated[
    str,
    Path(description="报告 Document id, file name or file stem, e.g. 001_4853349fa1cdb6f5"),
]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "未找到 No such document"}
}
AUTH: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "需要令牌 Bearer token required (KG_API_TOKEN)"}
}
MAX_UPLOAD = 20 * 1024 * 1024


@router.get("", response_model=ListOf[DocumentOut], summary="报告列表 Stored reports")
async def list_documents(call: Calls, limit: Limit = 100, offset: Offset = 0) -> Response:
    page = await call(call.store.documents, limit=limit, offset=offset)
    return json_answer(
        ListOf[DocumentOut](items=[DocumentOut.build(d) for d in page.items], total=page.total)
    )


@router.get(
    "/{doc_id:path}", response_model=DocumentDetailOut, responses=NOT_FOUND, summary="报告详情 One report"
)
async def get_document(call: Calls, doc_id: DocId) -> Response:
    """Metadata of the report and every fact read from it."""
    return json_answer(DocumentDetailOut.from_detail(await call(document_detail, call.store, doc_id)))


@router.post(
    "",
    response_model=IngestOut,
    status_code=201,
    responses={
        400: {"model": ErrorOut, "description": "坏文件 Empty, binary or unreadable file; nothing stored"},
        413: {"model": ErrorOut, "description": "太大 File larger than 20 MB"},
        **AUTH,
    },
    dependencies=[Depends(require_token)],
    summary="上传报告 Upload a report",
)
def upload_document(
    store: Annotated[GraphStore, Depends(get_store)],
    file: Annotated[UploadFile, File(description="报告文本 A report as a text file (UTF-8 or GB18030)")],
    replace: Annotated[
        bool, Query(description="替换 Replace the reports stored under this file name (default: keep both)")
    ] = False,
) -> Response:
    """Extract the report and store it in one step; returns what was added.

    The same text (in any encoding) is 'unchanged'; a different text under a used file name is a new
    document unless replace=true.
    """
    data = file.file.read(MAX_UPLOAD + 1)
    name = file.filename or "upload.txt"
    if len(data) > MAX_UPLOAD:
        raise HTTPException(413, f"{name}: larger than {MAX_UPLOAD // (1024 * 1024)} MB")
    return json_answer(IngestOut.build(upload(store, name, data, replace=replace)), status_code=201)


@router.delete(
    "/{doc_id:path}",
    response_model=RemoveOut,
    responses={**NOT_FOUND, **AUTH},
    dependencies=[Depends(require_token)],
    summary="删除报告 Remove a report",
)
def delete_document(store: Annotated[GraphStore, Depends(get_store)], doc_id: DocId) -> Response:
    """Removes the report's facts and every entity no other report supports."""
    return json_answer(RemoveOut.build(remove(store, doc_id)))
