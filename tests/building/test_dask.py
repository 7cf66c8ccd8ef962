"""The distributed path on a real Dask cluster (a LocalCluster of worker processes), then ``kg load``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from extract.dask_engine import extract_on_dask
from graph.build import build
from graph.embedded import EmbeddedStore
from tests.building.conftest import kg
from tests.graph.backends import make_neo4j_store
from tests.graph.snapshots import snapshot

distributed = pytest.importorskip("distributed", reason="the Dask path needs dask[distributed] (dev extra)")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A real scheduler and two worker processes on the loopback interface."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def partitions(tmp_path_factory: pytest.TempPathFactory, scheduler: str, eval_docs: Path) -> Path:
    out = tmp_path_factory.mktemp("dask") / "out"
    broken = out.parent / "broken.txt"
    broken.write_bytes(b"\x00\x01\x02" * 100)
    result = kg(
        "extract",
        "--engine",
        "dask",
        "--scheduler",
        scheduler,
        "--out",
        str(out),
        str(eval_docs),
        str(broken),
    )
    assert result.returncode == 1, result.stderr  # the broken file, reported by the worker that read it
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"kg: {broken}: ") and "Traceback" not in result.stderr, result.stderr
    assert lines[-1].startswith("kg: 3 reports extracted into "), result.stderr
    return out


def test_partitions_are_what_kg_extract_prints(partitions: Path, extracted: Path) -> None:
    parts = sorted(partitions.glob("part-*.jsonl"))
    assert len(parts) >= 2  # the work was split
    assert b"".join(p.read_bytes() for p in parts) == extracted.read_bytes()


def test_more_partitions_than_reports_and_a_local_cluster(
    tmp_path: Path, eval_docs: Path, extracted: Path
) -> None:
    run = extract_on_dask([eval_docs], tmp_path / "out", workers=1, partitions=10)
    assert run.reports == 3 and run.failures == [] and len(run.parts) == 3
    assert b"".join(Path(p).read_bytes() for p in run.parts) == extracted.read_bytes()


def test_partitions_load_as_build_stores(tmp_path: Path, partitions: Path, eval_docs: Path) -> None:
    result = kg("load", "--store", str(tmp_path / "loaded"), str(partitions))
    assert result.returncode == 0, result.stderr
    with EmbeddedStore(tmp_path / "loaded") as loaded, EmbeddedStore(tmp_path / "built") as built:
        build(built, [eval_docs], jobs=1)
        assert snapshot(loaded) == snapshot(built)


@pytest.mark.neo4j
def test_partitions_load_into_neo4j(tmp_path: Path, partitions: Path, eval_docs: Path) -> None:
    import os

    store = make_neo4j_store()  # wiped; skipped (or failed on CI) without a Bolt server
    uri = os.environ.get("KG_TEST_BOLT_URI", "bolt://127.0.0.1:7687")
    try:
        result = kg("load", "--store", uri, str(partitions), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        with EmbeddedStore(tmp_path / "built") as built:
            build(built, [eval_docs], jobs=1)
            assert snapshot(store) == snapshot(built)
    finally:
        store.close()
