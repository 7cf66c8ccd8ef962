"""Helpers: run the engine on a snippet of report text."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from extract.engine import extract_entities_relations
from extract.model import Entity, LoadedText, Relation, ReportMeta

Run = Callable[..., tuple[list[Entity], list[Relation]]]


@pytest.fixture()
def run() -> Run:
    def _run(
        text: str, issuer: str | None = "经发局", year: int | None = 2023, zone: str | None = None
    ) -> tuple[list[Entity], list[Relation]]:
        loaded = LoadedText("snippet.txt", text, "utf-8", body=[(0, len(text))])
        return extract_entities_relations(loaded, ReportMeta(issuer=issuer, year=year, zone=zone))

    return _run
