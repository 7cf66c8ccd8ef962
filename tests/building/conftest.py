"""Fixtures for building stores: the evaluation reports, and many distinct reports made from them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def eval_docs(eval_dir: Path) -> Path:
    return eval_dir / "docs"


@pytest.fixture(scope="session")
def many_reports(tmp_path_factory: pytest.TempPathFactory, eval_docs: Path) -> Path:
    """150 distinct reports (the evaluation reports with different closing lines): a build that lasts."""
    folder = tmp_path_factory.mktemp("many")
    for i in range(50):
        for doc in sorted(eval_docs.glob("*.txt")):
            text = doc.read_text(encoding="utf-8")
            (folder / f"{doc.stem}_v{i:02d}.txt").write_text(f"{text}\n附件{i + 1}\n", encoding="utf-8")
    return folder


#: ``kg`` as a terminal runs it: Ctrl-C raises KeyboardInterrupt even when the test runner was started with
#: SIGINT ignored (a background job), which the child would otherwise inherit.
KG_MAIN = """
import signal, sys
if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from api.cli import main
    sys.argv = ["kg", *sys.argv[1:]]
    main()
"""


def kg_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("KG_STORE", "KG_API_TOKEN", "KG_DEBUG")}
    env["PYTHONPATH"] = str(REPO)
    env["COLUMNS"] = "200"
    return env


def kg(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``kg`` in a subprocess and wait for it (in ``cwd``: a Bolt store's page is written there)."""
    proc = subprocess.run(
        [sys.executable, "-c", KG_MAIN, *args],
        input=stdin.decode("utf-8") if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=600,
        env=kg_env(),
        cwd=cwd or REPO,
        check=False,
    )
    return proc


def kg_background(*args: str) -> subprocess.Popen[str]:
    """Start ``kg`` in its own process group (as a terminal's foreground job is), without waiting."""
    return subprocess.Popen(
        [sys.executable, "-c", KG_MAIN, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=kg_env(),
        cwd=REPO,
        start_new_session=True,
    )


@pytest.fixture(scope="session")
def extracted(tmp_path_factory: pytest.TempPathFactory, eval_docs: Path) -> Path:
    """What ``kg extract --json`` prints for the evaluation reports, as a file."""
    out = tmp_path_factory.mktemp("jsonl") / "eval.jsonl"
    result = kg("extract", "--json", str(eval_docs))
    assert result.returncode == 0, result.stderr
    out.write_text(result.stdout, encoding="utf-8")
    return out
