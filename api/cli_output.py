"""Rendering helpers shared by the query and build commands: the open store, JSON and money on a terminal."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console

from graph.store import GraphStore, open_store

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False)


@contextmanager
def opened(spec: str | None, *, readonly: bool = False) -> Iterator[GraphStore]:
    """The store for one command, closed even when the command fails."""
    store = open_store(spec, readonly=readonly)
    try:
        yield store
    finally:
        store.close()


def print_json(data: Any) -> None:
    """Machine-readable output: UTF-8 JSON with Chinese as is, one document on stdout."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def money(value: float | None, currency: str | None = "CNY") -> str:
    """2.5亿元-style figures for a person; masked or missing amounts say so instead of showing 0."""
    if value is None:
        return "—"
    unit = "元" if currency in (None, "CNY") else f" {currency}"
    if abs(value) >= 1e8:
        return f"{value / 1e8:,.4g}亿{unit}"
    if abs(value) >= 1e4:
        return f"{value / 1e4:,.6g}万{unit}"
    return f"{value:,.0f}{unit}"
