"""``kg viz`` as a user runs it: the installed command, a real store built from the reports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from graph.store import GraphStore
from tests.viz.test_page import embedded

KG = Path(sys.executable).parent / "kg"


def kg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(KG), *args], capture_output=True, text=True, timeout=120)


def test_kg_viz_writes_the_page(viz_store: GraphStore, tmp_path: Path) -> None:
    out = tmp_path / "lz.html"
    r = kg("viz", "--store", viz_store.location, "--center", "凌智产业园", "--depth", "2", "-o", str(out))
    assert r.returncode == 0, r.stderr
    nodes = embedded(out.read_text(encoding="utf-8"), "KG_NODES")
    assert r.stdout.strip().startswith(f"wrote {out}: {len(nodes)} nodes, ")
    assert any(n["name"] == "凌智产业园" for n in nodes)


def test_kg_viz_cap_is_reported(viz_store: GraphStore, tmp_path: Path) -> None:
    out = tmp_path / "capped.html"
    r = kg("viz", "--store", viz_store.location, "--limit", "7", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "7 nodes" in r.stdout and "more not shown (cap 7)" in r.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--center", "没有这个实体"], "kg: no entity named '没有这个实体' in the store"),
        (["--center", "凌智产业园", "--start", "last year"], "kg: start must be a date like"),
        (["--type", "Person"], "kg: unknown entity type 'Person'"),
    ],
)
def test_kg_viz_bad_input_is_one_line_and_keeps_the_old_file(
    viz_store: GraphStore, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "page.html"
    out.write_text("old page", encoding="utf-8")
    r = kg("viz", "--store", viz_store.location, *args, "-o", str(out))
    assert r.returncode == 1
    assert r.stderr.startswith(message)
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert out.read_text(encoding="utf-8") == "old page"


def test_kg_viz_depth_out_of_range_is_refused(viz_store: GraphStore, tmp_path: Path) -> None:
    r = kg("viz", "--store", viz_store.location, "--depth", "4", "-o", str(tmp_path / "x.html"))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "x.html").exists()
