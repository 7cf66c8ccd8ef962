"""Corrections teach the extractor: the corrected reports exported as gold score 1.0 with score.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from extract.pipeline import extract_file
from graph import fixing, gold
from graph.embedded import EmbeddedStore
from graph.queries import build

REPORT = "000_0207fd07f11f00dd.txt"


def _score(
    eval_dir: Path, gold_dir: Path, extractions: list[dict[str, object]], out: Path
) -> dict[str, float]:
    out.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in extractions), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(eval_dir / "score.py"), str(gold_dir), str(out), "--json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, float] = json.loads(done.stdout)
    return result


def test_exported_gold_of_a_corrected_report_scores_one(eval_dir: Path, tmp_path: Path) -> None:
    source = eval_dir / "docs" / REPORT
    store = EmbeddedStore(str(tmp_path / "kg-data"))
    try:
        build(store, [source])
        (doc,) = store.iter_documents()
        nodes = store.document_records(doc.id).nodes
        linked = next(n for n in nodes if store.degree(n.key) >= 1 and n.type != "Zone")
        loose = next(n for n in nodes if store.degree(n.key) == 0 and n.type == "Policy")
        fixing.reject(store, linked.key)
        fixing.retype(store, loose.key, "Project")
        wrong = store.document_facts(doc.id)[0]
        fixing.reject_fact(store, wrong.id)

        result = gold.export_gold(store, tmp_path / "gold")
        assert [p.name for p in result.files] == [REPORT.replace(".txt", ".json")]
        exported = json.loads(result.files[0].read_text(encoding="utf-8"))
        assert exported["doc"] == REPORT
        names = {(e["name"], e["type"]) for e in exported["entities"]}
        assert (linked.name, linked.type) not in names and (loose.name, "Project") in names
        assert not any(linked.name in (r["s"], r["o"]) for r in exported["relations"])
        assert len(exported["relations"]) == len(store.document_facts(doc.id))

        corrected = [e.to_json() for e in gold.extractions(store)]
        score = _score(eval_dir, tmp_path / "gold", corrected, tmp_path / "corrected.jsonl")
        assert score["entity_f1"] == 1.0 and score["relation_f1"] == 1.0
        assert score["documents_missing"] == []

        # the extractor's own output misses the fixes, so against the corrected gold it scores less
        raw = _score(eval_dir, tmp_path / "gold", [extract_file(source).to_json()], tmp_path / "raw.jsonl")
        assert raw["entity_f1"] < 1.0 and raw["relation_f1"] < 1.0
    finally:
        store.close()


def test_gold_and_the_stored_extraction_keep_the_flags_and_confidence(tmp_path: Path) -> None:
    """SCHEMA.md: gold flags on the relation (shared, group, inherited); the extraction keeps confidence."""
    from extract.model import Amount, Period
    from tests.graph.builders import Report

    r = Report("/reports/flags.txt")
    shared = Amount(text="76.5万元", value=765_000, shared=True, group="g1")
    own = Period(text="2023年上半年", start="2023-01-01", end="2023-06-30", inherited=True)
    r.rel(("甲公司", "Company"), "FUNDED_BY", ("奖励资金", "Funding"), amount=shared, period=own)
    r.rel(("乙公司", "Company"), "FUNDED_BY", ("奖励资金", "Funding"), amount=shared, period=own)
    ex = r.build()
    ex.entities[0].confidence, ex.relations[1].confidence = 0.42, 0.61
    store = EmbeddedStore(str(tmp_path / "kg-data"))
    try:
        store.ingest(ex)
        (doc,) = store.iter_documents()
        back = gold.document_extraction(store, doc.id).to_json()
        assert [e["confidence"] for e in back["entities"]] == [0.42, 1.0, 1.0]
        assert [r["confidence"] for r in back["relations"]] == [1.0, 0.61]
        assert all(r["amount"]["shared"] and r["period"]["inherited"] for r in back["relations"])
        assert len({r["amount"]["group"] for r in back["relations"]}) == 1
        written = gold.gold(store, doc.id)["relations"]
        assert all(r["shared"] and r["inherited"] and r["group"] for r in written)
        assert all("confidence" not in r for r in written)  # gold says what is true, not how sure
    finally:
        store.close()
