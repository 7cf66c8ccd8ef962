"""In real Chromium: the page's own upload works; another site's no-cors POST and a rebound DNS name do not.

``evil.example`` resolves to 127.0.0.1 inside this browser only (``--host-resolver-rules``), so
the hostile page is served for real by a second server on loopback, on its own origin, and a
request to ``evil.example:<api port>`` reaches the API under that name as after DNS rebinding.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from graph.queries import build
from graph.store import open_store
from tests.api.live import LiveServer
from tests.viz.browser import CHROMIUM_ARGS, chromium_path

pytestmark = pytest.mark.browser

EVIL = "evil.example"
REPORT = "宁波市经济发展局2023年工作总结\n2023年，区经济发展局推进凌智产业园项目建设，申报专项债2.5亿元。\n"

#: What the hostile page runs: the no-cors POST any page may send to any address.
ATTACK = """
async ([target, text, mode]) => {
  const form = new FormData();
  form.append("file", new File([text], "planted.txt", {type: "text/plain"}));
  try { await fetch(target + "/api/documents", {method: "POST", mode: mode, body: form}); }
  catch (e) { return "error: " + e; }
  return "sent";
}
"""

#: What the served page itself runs: an ordinary same-origin upload, then the removal of what it added.
OWN_UPLOAD = """
async (text) => {
  const form = new FormData();
  form.append("file", new File([text], "own.txt", {type: "text/plain"}));
  const added = await fetch("/api/documents", {method: "POST", body: form});
  const body = await added.json();
  const gone = await fetch("/api/documents/" + encodeURIComponent(body.document), {method: "DELETE"});
  return [added.status, body.status, gone.status];
}
"""


@pytest.fixture(scope="module")
def writable_api(tmp_path_factory: pytest.TempPathFactory, eval_dir: Path) -> Iterator[LiveServer]:
    """``--allow-writes`` without a token: the case a hostile page would like best."""
    store = open_store(str(tmp_path_factory.mktemp("origin-store") / "kg-data"))
    build(store, [sorted((eval_dir / "docs").glob("*.txt"))[0]])
    with LiveServer(create_app(store, allow_writes=True)) as srv:
        yield srv
    store.close()


@pytest.fixture(scope="module")
def hostile_site() -> Iterator[int]:
    """A page on another origin (``http://evil.example:<port>/``), served for real on loopback."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<!DOCTYPE html><html><body><h1>cat pictures</h1></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def rebinding_browser(chromium: Any) -> Iterator[Any]:
    """A second Chromium from the session's Playwright (one per process) that resolves ``evil.example``."""
    b = chromium.browser_type.launch(
        executable_path=chromium_path(), args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {EVIL} 127.0.0.1"]
    )
    try:
        yield b
    finally:
        b.close()


def documents(api: LiveServer) -> int:
    return int(httpx.get(f"{api.url}/api/stats", timeout=30).json()["documents"])


def test_the_served_page_can_upload(rebinding_browser: Any, writable_api: LiveServer) -> None:
    before = documents(writable_api)
    page = rebinding_browser.new_page()
    try:
        page.goto(f"{writable_api.url}/")
        assert page.evaluate(OWN_UPLOAD, REPORT) == [201, "added", 200]
    finally:
        page.close()
    assert documents(writable_api) == before


def test_another_sites_no_cors_post_stores_nothing(
    rebinding_browser: Any, writable_api: LiveServer, hostile_site: int
) -> None:
    before = documents(writable_api)
    page = rebinding_browser.new_page()
    answers: list[tuple[str, int]] = []
    page.on("response", lambda r: answers.append((r.url, r.status)))
    try:
        page.goto(f"http://{EVIL}:{hostile_site}/")
        assert (
            page.evaluate(ATTACK, [writable_api.url, REPORT, "no-cors"]) == "sent"
        )  # the browser did send it
        page.wait_for_timeout(500)
    finally:
        page.close()
    assert documents(writable_api) == before
    assert (f"{writable_api.url}/api/documents", 403) in answers, answers


def test_a_rebound_name_gets_no_answer(rebinding_browser: Any, writable_api: LiveServer) -> None:
    """The attacker's name now points at 127.0.0.1: its page would be same-origin with the API."""
    before = documents(writable_api)
    page = rebinding_browser.new_page()
    try:
        first = page.goto(f"http://{EVIL}:{writable_api.port}/api/stats")
        assert first is not None and first.status == 400
        assert "not served here" in page.content()
        read = page.evaluate("async () => (await fetch('/api/documents')).status")
        write = page.evaluate(ATTACK, [f"http://{EVIL}:{writable_api.port}", REPORT, "same-origin"])
        assert read == 400 and write == "sent"
    finally:
        page.close()
    assert documents(writable_api) == before
