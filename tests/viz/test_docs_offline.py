"""``/docs`` and ``/redoc`` render in headless Chromium with every request outside the server refused."""

from __future__ import annotations

from typing import Any

import pytest

from tests.viz.browser import open_page

pytestmark = pytest.mark.browser


def _no_request_left(log: Any, origin: str) -> None:
    assert log.blocked == [], f"requests leaving the machine: {log.blocked}"
    assert log.allowed and all(u.startswith(origin) for u in log.allowed)
    assert log.page_errors == [], log.page_errors


def test_swagger_ui_lists_the_operations_offline(chromium: Any, live_viz: Any, artifacts: Any) -> None:
    page, log = open_page(chromium, f"{live_viz.url}/docs", live_viz.url)
    try:
        page.wait_for_selector(".opblock", timeout=30_000)
        summaries = page.eval_on_selector_all(".opblock-summary-path", "els => els.map(e => e.textContent)")
        assert "/api/funding" in summaries and "/api/documents" in summaries, summaries
        assert page.locator(".opblock-tag").count() >= 5  # one section per router tag
        page.screenshot(path=str(artifacts / "docs-offline.png"))
        _no_request_left(log, live_viz.url)
        assert log.console_errors == [], log.console_errors
        assert any("swagger-ui-bundle.js" in u for u in log.allowed)
    finally:
        page.close()


def test_redoc_renders_offline(chromium: Any, live_viz: Any) -> None:
    page, log = open_page(chromium, f"{live_viz.url}/redoc", live_viz.url)
    try:
        page.wait_for_selector("[data-section-id]", timeout=30_000)
        text = page.inner_text("body")
        assert "policy-kg" in text and "/api/funding" in text
        _no_request_left(log, live_viz.url)
        assert any("redoc.standalone.js" in u for u in log.allowed)
        # ReDoc always asks its CDN for a logo: the page's policy refuses it inside the browser
        assert all("Content Security Policy" in e for e in log.console_errors), log.console_errors
    finally:
        page.close()
