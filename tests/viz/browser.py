"""Headless Chromium for the page tests and the benchmark; requests outside one origin are blocked, logged."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    return CHROMIUM if shutil.which(CHROMIUM) else shutil.which("chromium")


@dataclass
class PageLog:
    """What a page did besides drawing: requests it tried (allowed or blocked), console errors, dialogs."""

    allowed: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@contextmanager
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError("Debian's chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def open_page(
    b: Any,
    url: str,
    allow_prefix: str,
    *,
    width: int = 1400,
    height: int = 900,
    init_script: str | None = None,
) -> tuple[Any, PageLog]:
    """Open ``url`` with every request not starting with ``allow_prefix`` aborted and logged."""
    log = PageLog()
    page = b.new_page(viewport={"width": width, "height": height})

    def route(r: Any) -> None:
        req_url = r.request.url
        if req_url.startswith(allow_prefix):
            log.allowed.append(req_url)
            r.continue_()
        else:
            log.blocked.append(req_url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log.page_errors.append(str(e)))

    def on_dialog(d: Any) -> None:
        log.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    if init_script:
        page.add_init_script(init_script)
    page.goto(url)
    return page, log


def wait_stable(page: Any, timeout_ms: int = 30_000) -> None:
    page.wait_for_function(
        "document.body && document.body.getAttribute('data-stable') === '1'", timeout=timeout_ms
    )
