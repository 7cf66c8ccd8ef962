"""``kg load``: extractions made elsewhere (``kg extract --json``) stored as ``kg build`` stores them."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from extract.jsonl import check_shape, read_jsonl, to_line
from extract.pipeline import extract_file
from graph.embedded import EmbeddedStore
from tests.building.conftest import kg
from tests.graph.snapshots import snapshot


def _snap(store: Path) -> dict[str, Any]:
    with EmbeddedStore(store, readonly=True) as s:
        return snapshot(s)


def test_load_stores_what_build_stores(tmp_path: Path, eval_docs: Path, extracted: Path) -> None:
    loaded = kg("load", "--store", str(tmp_path / "loaded"), str(extracted))
    assert loaded.returncode == 0, loaded.stderr
    assert "added" in loaded.stdout and loaded.stderr.strip() == ""
    piped = kg("load", "--store", str(tmp_path / "piped"), "-", stdin=extracted.read_bytes())
    assert piped.returncode == 0, piped.stderr
    serial = kg("build", "--jobs", "1", "--store", str(tmp_path / "serial"), str(eval_docs))
    assert serial.returncode == 0, serial.stderr
    pooled = kg("build", "--jobs", "2", "--store", str(tmp_path / "pooled"), str(eval_docs))
    assert pooled.returncode == 0, pooled.stderr
    reference = _snap(tmp_path / "serial")
    assert reference["stats"]["documents"] == 3 and reference["stats"]["relations"]
    for name in ("loaded", "piped", "pooled"):
        assert _snap(tmp_path / name) == reference, name
    stats = {
        name: json.loads(kg("stats", "--json", "--store", str(tmp_path / name)).stdout)
        for name in ("loaded", "serial", "pooled")
    }
    assert stats["loaded"] == stats["serial"] == stats["pooled"]
    again = kg("load", "--store", str(tmp_path / "loaded"), str(extracted))
    assert again.returncode == 0 and _snap(tmp_path / "loaded") == reference


def test_bad_lines_are_reported_one_each_and_the_rest_loads(tmp_path: Path, extracted: Path) -> None:
    good = [ln for ln in extracted.read_text(encoding="utf-8").splitlines() if ln.strip()]
    first = json.loads(good[0])
    wrong_name = json.loads(good[1])
    wrong_name["entities"][0]["name"] = 17
    unknown_type = json.loads(good[1])
    unknown_type["entities"][0]["type"] = "Person"
    lines = [
        good[0],  # 1
        "not json at all",  # 2
        "[1, 2, 3]",  # 3
        json.dumps({"entities": []}),  # 4
        "",  # 5: blank lines are skipped, not errors
        json.dumps(wrong_name, ensure_ascii=False),  # 6
        json.dumps(unknown_type, ensure_ascii=False),  # 7: the store refuses it
        json.dumps({**first, "relations": "none"}, ensure_ascii=False),  # 8
        good[2],  # 9
        good[1],  # 10
    ]
    bad = tmp_path / "mixed.jsonl"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    missing = tmp_path / "missing.jsonl"
    result = kg("load", "--store", str(tmp_path / "kg-data"), str(bad), str(missing))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = result.stderr.strip().splitlines()
    assert [e.split(": ", 2)[1] for e in errors] == [f"{bad}:{n}" for n in (2, 3, 4, 6, 7, 8)] + [
        str(missing)
    ], result.stderr
    assert all(e.startswith("kg: ") for e in errors)
    assert "not JSON" in errors[0] and "missing 'doc'" in errors[2]
    assert "entities[0].name must be a string" in errors[3]
    assert "unknown type 'Person'" in errors[4] and "'relations' must be a list" in errors[5]
    with EmbeddedStore(tmp_path / "kg-data", readonly=True) as s:
        assert s.stats().documents == 3


def test_an_overlong_line_is_skipped_without_being_held(tmp_path: Path) -> None:
    doc = {"doc": {"id": "a", "path": "/r/a.txt"}, "entities": [], "relations": []}
    data = (json.dumps({"pad": "x" * 5000}) + "\n" + json.dumps(doc) + "\n").encode()
    got = list(read_jsonl(io.BytesIO(data), "big.jsonl", max_line_bytes=1000))
    assert len(got) == 2
    assert str(got[0]).startswith("big.jsonl:1: line longer than 1,000 bytes")
    assert not isinstance(got[1], Exception) and got[1].where == "big.jsonl:2"


def test_a_line_reads_back_as_the_extraction_it_was(eval_docs: Path) -> None:
    ex = extract_file(sorted(eval_docs.glob("*.txt"))[0])
    (record,) = list(read_jsonl(io.BytesIO(("\ufeff" + to_line(ex) + "\n").encode()), "x.jsonl"))
    assert not isinstance(record, Exception)
    assert record.extraction.to_json() == ex.to_json()


_DOC: dict[str, Any] = {"id": "d", "path": "/d.txt"}
_ENT: dict[str, Any] = {"id": "e1", "name": "凌智产业园", "type": "Project", "mentions": [[1, 6]]}
_REL: dict[str, Any] = {
    "subject": "e1",
    "predicate": "FUNDED_BY",
    "object": "e1",
    "evidence": "…",
    "span": [0, 3],
}


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ({"doc": _DOC, "entities": [_ENT], "relations": [_REL]}, None),
        ({"doc": _DOC}, None),
        ("text", "a line must hold one JSON object"),
        ({"doc": {"path": "/d.txt"}}, "doc.id must be a non-empty string"),
        ({"doc": {**_DOC, "title": 3}}, "doc.title must be a string or null"),
        ({"doc": {**_DOC, "period": {"text": "2023年", "start": 2023}}}, "doc.period.start must be"),
        ({"doc": _DOC, "entities": {}}, "'entities' must be a list"),
        (
            {"doc": _DOC, "entities": [{**_ENT, "aliases": "凌智"}]},
            "entities[0].aliases must be a list of strings",
        ),
        ({"doc": _DOC, "entities": [{**_ENT, "mentions": [[1, "6"]]}]}, "entities[0].mentions must be"),
        (
            {"doc": _DOC, "entities": [{**_ENT, "confidence": True}]},
            "entities[0].confidence must be a number",
        ),
        ({"doc": _DOC, "relations": [{**_REL, "span": [1]}]}, "relations[0].span must be [start, end]"),
        (
            {"doc": _DOC, "relations": [{**_REL, "amount": {"value": 1}}]},
            "relations[0].amount must be an object",
        ),
        (
            {"doc": _DOC, "relations": [{**_REL, "amount": {"text": "1亿元", "value": "1e8"}}]},
            "relations[0].amount.value must be a number or null",
        ),
        (
            {"doc": _DOC, "relations": [{**_REL, "predicate": None}]},
            "relations[0].predicate must be a string",
        ),
    ],
)
def test_shape_check(record: object, problem: str | None) -> None:
    got = check_shape(record)
    if problem is None:
        assert got is None
    else:
        assert got is not None and got.startswith(problem), got
