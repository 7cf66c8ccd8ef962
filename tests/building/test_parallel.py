"""``kg build --jobs N``: the same store as a serial build, and a clean stop on Ctrl-C or kill -9."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from extract.batch import extract_batch
from extract.errors import LoadError
from graph.build import build
from graph.embedded import EmbeddedStore
from tests.building.conftest import kg_background
from tests.graph.snapshots import snapshot


def test_batch_keeps_input_order_and_problems_in_place(tmp_path: Path, eval_docs: Path) -> None:
    docs = sorted(eval_docs.glob("*.txt"))
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    walked = LoadError(str(tmp_path / "gone"), "no such file or folder")
    inputs = [docs[2], broken, walked, docs[0], docs[1]]
    serial = list(extract_batch(inputs, jobs=1))
    pooled = list(extract_batch(inputs, jobs=2))
    assert [type(x).__name__ for x in pooled] == [
        "Extraction",
        "LoadError",
        "LoadError",
        "Extraction",
        "Extraction",
    ]
    assert [x.doc.path for x in pooled if not isinstance(x, LoadError)] == [
        str(docs[i].resolve()) for i in (2, 0, 1)
    ]
    assert pooled[2] is walked
    assert isinstance(pooled[1], LoadError) and pooled[1].path == str(broken)

    def as_json(items: list[object]) -> list[object]:
        return [str(x) if isinstance(x, LoadError) else x.to_json() for x in items]  # type: ignore[attr-defined]

    assert as_json(pooled) == as_json(serial)


def test_parallel_build_stores_what_a_serial_build_stores(tmp_path: Path, eval_docs: Path) -> None:
    synthetic = eval_docs.parent / "synthetic" / "docs"
    paths = [eval_docs, *([synthetic] if synthetic.is_dir() else [])]
    with EmbeddedStore(tmp_path / "serial") as a, EmbeddedStore(tmp_path / "pooled") as b:
        one = build(a, paths, jobs=1)
        two = build(b, paths, jobs=2)
        assert one.results == two.results and one.failures == two.failures == []
        assert len(one.results) >= 3
        assert snapshot(a) == snapshot(b)


# -- stopping a parallel build ----------------------------------------------------------------------------


def _stored_count(store: Path) -> int:
    try:
        manifest = json.loads((store / "manifest.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return 0
    return sum(len(s["docs"]) for s in manifest["segments"])


def _live_in_group(pgid: int) -> list[int]:
    """Processes of the group that are still running (zombies waiting to be reaped do not count)."""
    live = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            live.append(int(entry))
    return live


def _wait_group_gone(pgid: int, seconds: float = 15) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        live = _live_in_group(pgid)
        if not live:
            return []
        time.sleep(0.1)
    return _live_in_group(pgid)


def _assert_prefix_of_serial(tmp_path: Path, store: Path, inputs: list[Path]) -> int:
    """The store holds the first N inputs, whole, as a serial build of those N stores them."""
    with EmbeddedStore(store) as got:
        paths = sorted(d.path for d in got.iter_documents())
        n = len(paths)
        assert paths == sorted(str(p.resolve()) for p in inputs[:n])
        with EmbeddedStore(tmp_path / f"ref-{store.name}") as ref:
            build(ref, inputs[:n], jobs=1)
            assert snapshot(got) == snapshot(ref)
    return n


@pytest.mark.parametrize("how", ["ctrl-c", "kill-9"])
def test_stopped_parallel_build_keeps_whole_reports_and_leaves_no_process(
    tmp_path: Path, many_reports: Path, how: str
) -> None:
    inputs = sorted(many_reports.glob("*.txt"))
    store = tmp_path / "kg-data"
    proc = kg_background("build", "--jobs", "2", "--store", str(store), str(many_reports))
    try:
        deadline = time.monotonic() + 120
        while _stored_count(store) < 2 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, f"the build ended before it could be stopped: {proc.stderr}"
        if how == "ctrl-c":
            os.killpg(proc.pid, signal.SIGINT)  # what a terminal does: the whole foreground group
        else:
            os.kill(proc.pid, signal.SIGKILL)  # only kg build itself; its workers must notice
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _wait_group_gone(proc.pid) == [], "worker processes outlived kg build"
    if how == "ctrl-c":
        assert proc.returncode == 130, stderr
        assert "Traceback" not in stderr, stderr
        lines = [ln for ln in stderr.splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("kg: interrupted: "), stderr
    else:
        assert proc.returncode == -signal.SIGKILL
    n = _assert_prefix_of_serial(tmp_path, store, inputs)
    assert 2 <= n < len(inputs)
