"""``schemathesis run --checks all`` against the live OpenAPI schema, bounded, with 0 failures expected.

Every check schemathesis has (server errors, status codes and content types as documented,
response bodies matching their schemas, invalid input rejected, valid input accepted, the ``Allow``
header, auth that is really enforced...) over every operation, uploads and deletes included, on a
store of its own.  The only exception is declared, with its reason, in ``fuzz/schemathesis.toml``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.app import create_app
from graph.queries import build
from graph.store import open_store
from tests.api.live import LiveServer

CONFIG = Path(__file__).parent / "fuzz" / "schemathesis.toml"
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
TOKEN = "fuzz-token-5d0e"
#: Generated requests per operation and phase: enough to find the shape bugs, short enough for CI.
MAX_EXAMPLES = 25
SEED = 20261201


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory, eval_docs: Path) -> Iterator[LiveServer]:
    """Its own store behind a token: generated uploads and deletes land here, never in a shared store."""
    store = open_store(str(tmp_path_factory.mktemp("fuzz-store") / "kg-data"))
    build(store, [eval_docs])
    with LiveServer(create_app(store, api_token=TOKEN)) as srv:
        yield srv
    store.close()


def test_schemathesis_all_checks_find_nothing(fuzz_server: LiveServer, tmp_path: Path) -> None:
    cmd = [
        str(SCHEMATHESIS), "--config-file", str(CONFIG), "run", f"{fuzz_server.url}/openapi.json",
        "--checks", "all", "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED),
        "--header", f"Authorization: Bearer {TOKEN}", "--no-color", "--request-timeout", "60",
    ]  # fmt: skip
    env = {**os.environ, "SCHEMATHESIS_HOOKS": ""}
    result = subprocess.run(
        cmd, capture_output=True, text=True, timeout=900, cwd=tmp_path, env=env, check=False
    )
    tail = result.stdout[-6000:]
    assert result.returncode == 0, tail
    tested = re.search(r"Tested: (\d+)", result.stdout)
    assert tested is not None and int(tested.group(1)) >= 15, tail  # every operation, writes included
    assert "Failures:" not in result.stdout, tail
