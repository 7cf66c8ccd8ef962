"""End to end on the real reports: extract each one and score it with the evaluation's own scorer.

The scorer (``score.py`` beside the gold) is run as a separate process, exactly
as a person would run it, on the JSON Lines our pipeline writes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from extract.pipeline import extract_file

THRESHOLDS = {"entity_f1": 0.75, "relation_f1": 0.70, "amount_accuracy": 0.95, "period_accuracy": 0.8}


def test_scores_on_the_real_reports(eval_dir: Path, tmp_path: Path) -> None:
    docs = sorted((eval_dir / "docs").glob("*.txt"))
    assert docs, "no reports to score"
    out = tmp_path / "out.jsonl"
    lines = [json.dumps(extract_file(p).to_json(), ensure_ascii=False) for p in docs]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(eval_dir / "score.py"), str(eval_dir / "gold"), str(out), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = json.loads(proc.stdout)
    assert summary["documents_missing"] == []
    failures = {k: summary[k] for k, floor in THRESHOLDS.items() if summary[k] < floor}
    assert not failures, f"below threshold: {failures} (all: { {k: summary[k] for k in THRESHOLDS} })"


def test_every_relation_points_at_its_evidence(eval_dir: Path) -> None:
    for path in sorted((eval_dir / "docs").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        ex = extract_file(path)
        ids = {e.id for e in ex.entities}
        for e in ex.entities:
            for s, end in e.mentions:
                assert 0 <= s < end <= len(text)
        for r in ex.relations:
            assert r.subject in ids and r.object in ids
            assert text[r.span[0] : r.span[1]] == r.evidence
            if r.amount is not None and r.amount.masked:
                assert r.amount.value is None
