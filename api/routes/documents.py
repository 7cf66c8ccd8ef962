"""Stored reports: list, read, upload and remove."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, HTTPException, Path, Query, Response, UploadFile

from extract.load import DEFAULT_MAX_BYTES, check_supported
from graph.queries import document_detail, remove, upload
from graph.store import GraphStore

from ..auth import WRITE_REFUSALS, require_write
from ..deps import get_store
from ..schemas import DocumentDetailOut, DocumentOut, ErrorOut, IngestOut, ListOf, RemoveOut
from .calls import Calls
from .params import Limit, MinConfidence, Offset
from .render import json_answer

router = APIRouter(prefix="/api/documents", tags=["报告 Documents"])

DocId = Annotated[
    str,
    Path(description="报告 Document id, file name or file stem, e.g. 001_4853349fa1cdb6f5"),
]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "未找到 No such document"}
}
#: The largest report accepted, as the CLI's default limit.
MAX_UPLOAD = DEFAULT_MAX_BYTES
#: The whole request may be this much larger (multipart boundaries and part headers).  Past it the
#: body is not read any further: a refused upload never costs more than this on disk or in memory.
MULTIPART_OVERHEAD = 64 * 1024


@router.get("", response_model=ListOf[DocumentOut], summary="报告列表 Stored reports")
async def list_documents(call: Calls, limit: Limit = 100, offset: Offset = 0) -> Response:
    page = await call(call.store.documents, limit=limit, offset=offset)
    return json_answer(
        ListOf[DocumentOut](items=[DocumentOut.build(d) for d in page.items], total=page.total)
    )


@router.get(
    "/{doc_id:path}", response_model=DocumentDetailOut, responses=NOT_FOUND, summary="报告详情 One report"
)
async def get_document(call: Calls, doc_id: DocId, min_confidence: MinConfidence = None) -> Response:
    """Metadata of the report and every fact read from it (`min_confidence`: the sure ones only)."""
    found = await call(document_detail, call.store, doc_id, min_confidence)
    return json_answer(DocumentDetailOut.from_detail(found))


@router.post(
    "",
    response_model=IngestOut,
    status_code=201,
    responses={
        400: {
            "model": ErrorOut,
            "description": "坏文件 Empty, binary, unreadable or not a report type (.txt .md .html .htm); "
            "nothing stored",
        },
        413: {"model": ErrorOut, "description": "太大 File larger than 20 MB (refused before it is read)"},
        **WRITE_REFUSALS,
    },
    dependencies=[Depends(require_write)],
    max_body_size=MAX_UPLOAD + MULTIPART_OVERHEAD,
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
    name = file.filename or "upload.txt"
    check_supported(name)  # the suffixes the CLI reads (.txt, .md, .html, .htm), nothing else
    data = file.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise HTTPException(413, f"{name}: larger than {MAX_UPLOAD // (1024 * 1024)} MB")
    return json_answer(IngestOut.build(upload(store, name, data, replace=replace)), status_code=201)


@router.delete(
    "/{doc_id:path}",
    response_model=RemoveOut,
    responses={**NOT_FOUND, **WRITE_REFUSALS},
    dependencies=[Depends(require_write)],
    summary="删除报告 Remove a report",
)
def delete_document(store: Annotated[GraphStore, Depends(get_store)], doc_id: DocId) -> Response:
    """Removes the report's facts and every entity no other report supports."""
    return json_answer(RemoveOut.build(remove(store, doc_id)))
