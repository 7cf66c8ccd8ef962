"""One report identity over HTTP: id, file name or stem name it; uploads never silently replace each other."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from graph.store import open_store
from tests.api.helpers import enc
from tests.api.live import LiveServer

TOKEN = "test-token-identity"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[httpx.Client]:
    store = open_store(str(tmp_path / "kg-data"))
    with (
        LiveServer(create_app(store, api_token=TOKEN)) as srv,
        httpx.Client(base_url=srv.url, timeout=60) as c,
    ):
        yield c
    store.close()


def _upload(c: httpx.Client, name: str, data: bytes, **params: str) -> httpx.Response:
    return c.post("/api/documents", files={"file": (name, data)}, headers=AUTH, params=params)


def test_documents_are_named_by_id_file_name_or_stem(server: httpx.Client, eval_docs: Path) -> None:
    doc = next(eval_docs.glob("004_*.txt"))
    added = _upload(server, doc.name, doc.read_bytes())
    assert added.status_code == 201, added.text
    doc_id = added.json()["document"]
    listed = server.get("/api/documents").json()["items"]
    assert [d["file"] for d in listed] == [doc.name] and "path" not in listed[0]
    assert listed[0]["title"] == "区经信局2022年上半年工作总结"
    for ref in (doc_id, doc.name, doc.stem):
        got = server.get(f"/api/documents/{enc(ref)}")
        assert got.status_code == 200, (ref, got.text)
        assert got.json()["id"] == doc_id and got.json()["edges"]
    assert server.get("/api/documents/nothing-like-it").status_code == 404
    removed = server.delete(f"/api/documents/{enc(doc.stem)}", headers=AUTH)
    assert removed.status_code == 200 and removed.json()["document"] == doc_id
    assert server.get("/api/documents").json()["total"] == 0


def test_the_same_report_in_three_encodings_is_one_document(server: httpx.Client, eval_docs: Path) -> None:
    text = next(eval_docs.glob("004_*.txt")).read_text(encoding="utf-8")
    first = _upload(server, "r-gb18030.txt", text.encode("gb18030")).json()
    second = _upload(server, "r-utf16.txt", text.encode("utf-16")).json()
    third = _upload(server, "r-utf8.txt", text.encode("utf-8")).json()
    assert first["status"] == "added"
    assert second["status"] == third["status"] == "unchanged"
    assert first["document"] == second["document"] == third["document"]
    assert server.get("/api/documents").json()["total"] == 1


def test_a_different_upload_under_a_used_name_is_a_new_document(server: httpx.Client) -> None:
    one = _upload(
        server, "report.txt", "经信局2023年工作总结\n凌智产业园获得专项债2.5亿元。\n".encode()
    ).json()
    two = _upload(server, "report.txt", "经信局2023年工作总结\n凌智产业园获得专项债3亿元。\n".encode()).json()
    assert two["status"] == "added" and two["same_name"] == [one["document"]] and two["replaced"] is None
    assert {d["id"] for d in server.get("/api/documents").json()["items"]} == {
        one["document"],
        two["document"],
    }
    ambiguous = server.get("/api/documents/report.txt")
    assert ambiguous.status_code == 404 and "names 2 stored reports" in ambiguous.json()["detail"]
    three = _upload(
        server, "report.txt", "经信局2023年工作总结\n凌智产业园获得专项债4亿元。\n".encode(), replace="true"
    ).json()
    assert three["status"] == "replaced" and three["replaced"] in {one["document"], two["document"]}
    assert [d["id"] for d in server.get("/api/documents").json()["items"]] == [three["document"]]
