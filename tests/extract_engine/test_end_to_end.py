"""End to end on the real reports: extract each one and score it with the evaluation's own scorer.

The scorer (``score.py`` beside the gold) is run as a separate process, exactly
as a person would run it, on the JSON Lines our pipeline writes.
"""

from __future__ import annotations

from pathlib import Path

from extract.pipeline import extract_file
from tests.extract_engine.scoring import below, score_reports

THRESHOLDS = {"entity_f1": 0.75, "relation_f1": 0.70, "amount_accuracy": 0.95, "period_accuracy": 0.8}


def test_scores_on_the_real_reports(eval_dir: Path, tmp_path: Path) -> None:
    docs = sorted((eval_dir / "docs").glob("*.txt"))
    assert docs, "no reports to score"
    summary = score_reports(eval_dir / "score.py", docs, eval_dir / "gold", tmp_path)
    assert summary["documents_missing"] == []
    failures = below(summary, THRESHOLDS)
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
