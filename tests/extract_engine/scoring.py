"""Score our extraction of a folder of reports with the evaluation's own ``score.py``, run as a process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from extract.pipeline import extract_file


def score_reports(scorer: Path, docs: list[Path], gold_dir: Path, tmp_path: Path) -> dict[str, Any]:
    """The scorer's ``--json`` summary for our JSON Lines on ``docs`` against ``gold_dir``."""
    out = tmp_path / "extraction.jsonl"
    lines = [json.dumps(extract_file(p).to_json(), ensure_ascii=False) for p in docs]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(scorer), str(gold_dir), str(out), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    summary: dict[str, Any] = json.loads(proc.stdout)
    return summary


def below(summary: dict[str, Any], thresholds: dict[str, float]) -> dict[str, Any]:
    """The figures under their floor (empty when all pass)."""
    return {k: summary[k] for k, floor in thresholds.items() if summary[k] < floor}
