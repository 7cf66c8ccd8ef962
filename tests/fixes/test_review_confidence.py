"""The review queue ranks what the extractor was least sure of first, entities and facts together.

On both backends (the Neo4j one marked ``neo4j``), with hand-made confidences:
the queue's head is every entity and fact under the bound, lowest first; then
the near-duplicates and the single mentions; a confirmation takes an item off.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import fixing, review
from graph.store import GraphStore
from tests.graph.backends import make_embedded_store, make_neo4j_store
from tests.graph.builders import report_a, report_b

ENTITIES = {"贵驷片区": 0.3, "亿太诺": 0.55, "工信部": 0.2, "大东江软件谷": 0.9}
#: by evidence; the rest are 1.0
FACTS = {"均胜电子INVESTS_IN均胜电子创新产业园": 0.45, "大东江软件谷LOCATED_IN宁波高新区": 0.25}


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    s = make_embedded_store(tmp_path) if request.param == "embedded" else make_neo4j_store()
    a, b = report_a(), report_b()
    for ex in (a, b):
        for e in ex.entities:
            e.confidence = ENTITIES.get(e.name, 1.0)
        for r in ex.relations:
            r.confidence = FACTS.get(r.evidence, 1.0)
    s.ingest_many([a, b])
    try:
        yield s
    finally:
        s.close()


def test_least_sure_entities_and_facts_come_first_lowest_first(store: GraphStore) -> None:
    items = review.queue(store, limit=100)
    head = [(i.kind, i.fact or i.key, i.confidence) for i in items[:5]]
    located = next(f.id for f in store.facts(predicate="LOCATED_IN", subject="Project:大东江软件谷"))
    invests = next(f.id for f in store.facts(predicate="INVESTS_IN"))
    assert head == [
        ("unsure", "Agency:工信部", 0.2),
        ("unsure_fact", located, 0.25),
        ("unsure", "Zone:贵驷片区", 0.3),
        ("unsure_fact", invests, 0.45),
        ("unsure", "Company:亿太诺", 0.55),
    ]
    assert items[1].key == "Project:大东江软件谷" and items[1].other == "Zone:宁波高新区"
    assert items[1].suggested == "reject" and items[4].suggested == "confirm"  # under / over half the bound
    rest = items[5:]
    assert rest and all(i.kind in ("duplicate", "single") for i in rest)
    kinds = [i.kind for i in rest]
    assert kinds == sorted(kinds, key=("duplicate", "single").index)  # duplicates, then singles
    assert "Company:亿太诺" not in {i.key for i in rest}  # listed once
    singles = [i.confidence for i in rest if i.kind == "single"]
    assert singles == sorted(singles)  # the least sure single mentions first
    # a lower bound lists less; a short queue is the head of the long one
    low = review.queue(store, limit=100, below=0.3)
    assert [(i.kind, i.fact or i.key) for i in low[:2]] == [
        ("unsure", "Agency:工信部"),
        ("unsure_fact", located),
    ]
    assert low[2].kind in ("duplicate", "single")
    assert review.queue(store, limit=3) == items[:3]


def test_what_a_person_confirmed_leaves_the_queue(store: GraphStore) -> None:
    fixing.confirm(store, "Agency:工信部")
    located = next(f.id for f in store.facts(predicate="LOCATED_IN", subject="Project:大东江软件谷"))
    fixing.confirm_fact(store, located)
    items = review.queue(store, limit=100)
    assert "Agency:工信部" not in {i.key for i in items}
    assert located not in {i.fact for i in items}
    assert (items[0].kind, items[0].key) == ("unsure", "Zone:贵驷片区")


def test_a_filled_sheet_rejects_and_confirms_facts(store: GraphStore, tmp_path: Path) -> None:
    items = review.queue(store, limit=100)
    sheet = tmp_path / "review.csv"
    text = review.to_csv(items)
    assert "confidence" in text.splitlines()[0] and ",fact," in text.splitlines()[0]
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    for row, item in zip(rows, items, strict=True):
        assert row["key"] == item.key and row["fact"] == item.fact
        if item.kind == "unsure_fact":
            row["decision"] = "reject" if item.confidence < 0.3 else "confirm"
    with sheet.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    results = review.apply_decisions(store, review.read_decisions(sheet), who="test")
    assert [r.correction.op for r in results if r.correction] == ["reject_fact", "confirm_fact"]
    assert store.facts(predicate="LOCATED_IN", subject="Project:大东江软件谷") == []
    assert all(i.kind != "unsure_fact" for i in review.queue(store, limit=100))

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "kind,key,fact,decision,value\nunsure_fact,Company:均胜电子,abc,merge,x\n", encoding="utf-8"
    )
    with pytest.raises(review.BadReviewFile, match=r"bad\.csv:2: a fact's line takes reject or confirm"):
        review.read_decisions(bad)
