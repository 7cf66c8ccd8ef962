"""Helpers: run the engine on a snippet of report text.

``run`` pins the rule layer (the recognizers that generate candidates, and the rules' own
relations), with the learned decisions switched off, so a change to a recognizer shows up
as such.  ``learned`` runs the whole engine with the shipped model, as users get it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from extract.engine import extract_entities_relations
from extract.learned import Model
from extract.model import Entity, LoadedText, Relation, ReportMeta

Run = Callable[..., tuple[list[Entity], list[Relation]]]


def _runner(model: Model | None) -> Run:
    def _run(
        text: str, issuer: str | None = "经发局", year: int | None = 2023, zone: str | None = None
    ) -> tuple[list[Entity], list[Relation]]:
        loaded = LoadedText("snippet.txt", text, "utf-8", body=[(0, len(text))])
        meta = ReportMeta(issuer=issuer, year=year, zone=zone)
        return extract_entities_relations(loaded, meta, model=model)

    return _run


@pytest.fixture()
def run() -> Run:
    return _runner(Model.rules_only())


@pytest.fixture()
def learned() -> Run:
    return _runner(None)
