"""``--min-confidence`` on the read commands, through the real entry point (``kg load`` of a JSONL)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.api.test_cli_reading import kg
from tests.graph.builders import report_a

LOW = {"贵驷片区": 0.3, "亿太诺": 0.4}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-conf")
    a = report_a()
    for e in a.entities:
        e.confidence = LOW.get(e.name, 0.9)
    for r in a.relations:
        r.confidence = 0.45 if r.predicate == "INVESTS_IN" else 0.8
    lines = folder / "a.jsonl"
    lines.write_text(json.dumps(a.to_json(), ensure_ascii=False) + "\n", encoding="utf-8")
    result = kg("load", "--store", str(folder / "kg-data"), str(lines))
    assert result.returncode == 0, result.stderr
    return folder / "kg-data"


def _json(*args: str) -> Any:
    result = kg(*args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_neighbors_and_links_leave_out_what_is_less_sure(store: Path) -> None:
    full = _json("neighbors", "宁波高新区", "--store", str(store))
    sure = _json("neighbors", "宁波高新区", "--store", str(store), "--min-confidence", "0.5")
    assert {n["name"] for n in full["nodes"]} - {n["name"] for n in sure["nodes"]} == {"贵驷片区"}
    assert all(e["confidence"] >= 0.5 for e in sure["edges"])
    # the company asked about stays; its link is 0.8
    assert _json("links", "亿太诺", "--store", str(store), "--min-confidence", "0.5")["total"] == 1
    assert _json("links", "亿太诺", "--store", str(store), "--min-confidence", "0.85")["total"] == 0


def test_funding_and_path_filter_and_a_bad_minimum_is_one_line(store: Path) -> None:
    assert _json("funding", "--store", str(store), "--min-confidence", "0.8")["total"] == 1
    assert _json("funding", "--store", str(store), "--min-confidence", "0.81")["total"] == 0
    assert _json("path", "凌智产业园", "宁波高新区", "--store", str(store))["total"] == 1
    gone = kg("path", "凌智产业园", "宁波高新区", "--store", str(store), "--min-confidence", "0.5")
    assert gone.returncode == 1 and "No connection" in gone.stdout
    bad = kg("neighbors", "宁波高新区", "--store", str(store), "--min-confidence", "2")
    assert bad.returncode == 2 and "--min-confidence" in bad.stderr and "Traceback" not in bad.stderr
