"""``kg fix …`` and ``kg review`` as a user runs them (the real entry point, in a subprocess)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.api.test_cli import kg


@pytest.fixture(scope="module")
def report(eval_dir: Path) -> Path:
    return eval_dir / "docs" / "000_0207fd07f11f00dd.txt"


def _log(store: Path) -> list[dict[str, object]]:
    done = kg("fix", "list", "--json", "--store", str(store))
    assert done.returncode == 0, done.stderr
    entries: list[dict[str, object]] = json.loads(done.stdout)
    return entries


def test_review_csv_filled_in_and_imported(tmp_path: Path, report: Path) -> None:
    store = tmp_path / "kg-data"
    assert kg("build", "--store", str(store), str(report)).returncode == 0
    sheet = tmp_path / "review.csv"
    done = kg("review", "--csv", str(sheet), "--limit", "20", "--store", str(store))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8-sig"))))
    assert rows and {"kind", "key", "decision", "value", "note"} <= set(rows[0])
    single = next(r for r in rows if r["kind"] == "single")
    single["decision"], single["note"] = "reject", "not a thing"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    sheet.write_text(buf.getvalue(), encoding="utf-8")

    done = kg("fix", "import", str(sheet), "--who", "analyst", "--store", str(store))
    assert done.returncode == 0, done.stderr
    assert "1 applied, 0 failed" in done.stdout
    (entry,) = _log(store)
    assert entry["op"] == "reject" and entry["key"] == single["key"]
    assert entry["who"] == "analyst" and entry["note"] == "not a thing"
    table = kg("review", "--json", "--limit", "20", "--store", str(store))
    assert single["key"] not in table.stdout  # rejected: gone from the graph and the queue

    undone = kg("fix", "undo", "1", "--store", str(store))
    assert undone.returncode == 0 and "#2" in undone.stdout
    assert [e["op"] for e in _log(store)] == ["reject", "undo"]


def test_bad_input_is_one_line(tmp_path: Path, report: Path) -> None:
    store = tmp_path / "kg-data"
    assert kg("build", "--store", str(store), str(report)).returncode == 0
    sheet = tmp_path / "bad.csv"
    sheet.write_text("kind,key,decision\nsingle,Policy:x,delete\n", encoding="utf-8")
    done = kg("fix", "import", str(sheet), "--store", str(store))
    assert done.returncode == 1
    assert done.stderr.strip() == f"kg: {sheet}:2: unknown decision 'delete' " + (
        "(one of merge, reject, confirm, retype, rename, split, skip)"
    )
    funding = json.loads(kg("review", "--json", "--store", str(store)).stdout)
    company = next(i["key"] for i in funding if i["type"] == "Company")
    policy = next(i["key"] for i in funding if i["type"] == "Policy")
    cross = kg("fix", "merge", company, policy, "--store", str(store))
    assert cross.returncode == 1 and "cannot merge a Company into a Policy" in cross.stderr
    assert len(cross.stderr.strip().splitlines()) == 1 and "Traceback" not in cross.stderr
    missing = kg("fix", "reject", "Project:没有这个项目", "--store", str(store))
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert _log(store) == []


def test_a_log_saved_and_loaded_into_a_rebuilt_store(tmp_path: Path, report: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    assert kg("build", "--store", str(old), str(report)).returncode == 0
    queue = json.loads(kg("review", "--json", "--store", str(old)).stdout)
    target = queue[0]["key"]
    assert kg("fix", "reject", target, "--store", str(old)).returncode == 0
    saved = tmp_path / "fixes.json"
    saved.write_text(kg("fix", "list", "--json", "--store", str(old)).stdout, encoding="utf-8")

    loaded = kg("fix", "load", str(saved), "--store", str(new))
    assert loaded.returncode == 0, loaded.stderr
    assert "1 corrections loaded; 0 stored reports corrected" in loaded.stdout
    assert kg("build", "--store", str(new), str(report)).returncode == 0
    gone = kg("neighbors", target, "--store", str(new))
    assert gone.returncode == 1 and "Traceback" not in gone.stderr
    again = kg("fix", "load", str(saved), "--store", str(new))
    assert again.returncode == 1 and "already holds corrections" in again.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("[{]", encoding="utf-8")
    bad = kg("fix", "load", str(broken), "--store", str(new))
    assert bad.returncode == 1 and bad.stderr.startswith(f"kg: {broken}: not a corrections log")
