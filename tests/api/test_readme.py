"""The README's quick-start examples answer on the quick start's own data (``kg build examples/``)."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from graph.store import open_store
from tests.api.live import LiveServer
from tests.api.test_cli_reading import kg

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")


def _blocks_after(marker: str) -> str:
    """The first ```sh block after ``marker`` in the README."""
    rest = README[README.index(marker) :]
    return rest[rest.index("```sh") + 5 : rest.index("```", rest.index("```sh") + 5)]


def _commands() -> list[list[str]]:
    lines = [line.split("#", 1)[0].strip() for line in _blocks_after("Then ask it things").splitlines()]
    # kg serve runs until stopped: its examples are the URLs below
    argvs = [shlex.split(line)[1:] for line in lines if line.startswith(".venv/bin/kg ")]
    return [a for a in argvs if a[0] != "serve"]


def _urls() -> list[str]:
    block = _blocks_after("With `kg serve` running")
    return re.findall(r"http://127\.0\.0\.1:8000(/[^\s\"]*)", block)


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("quickstart") / "kg-data"
    result = kg("build", "--store", str(store), str(REPO / "examples"))
    assert result.returncode == 0, result.stderr
    return store


@pytest.mark.parametrize("argv", _commands(), ids=lambda a: " ".join(a[:2]))
def test_quickstart_commands_answer(argv: list[str], quickstart: Path, tmp_path: Path) -> None:
    result = kg(*argv, "--store", str(quickstart), cwd=tmp_path)
    assert result.returncode == 0, (argv, result.stdout, result.stderr)
    assert result.stdout.strip() or list(tmp_path.iterdir()), argv
    assert not re.search(
        r"no instrument|no funding facts|no policy links|No connection|no facts", result.stdout
    )


def test_help_examples_answer_on_the_quickstart(quickstart: Path, tmp_path: Path) -> None:
    for command in ("funding", "links", "neighbors", "path", "viz", "documents", "stats"):
        help_text = kg(command, "--help", columns=200).stdout
        (example,) = re.findall(r"Example: kg (.+)", help_text)
        argv = shlex.split(example)
        result = kg(*argv, "--store", str(quickstart), cwd=tmp_path)
        assert result.returncode == 0, (example, result.stderr)


@pytest.fixture(scope="module")
def served(quickstart: Path) -> Iterator[httpx.Client]:
    store = open_store(str(quickstart), readonly=True)
    with LiveServer(create_app(store)) as srv, httpx.Client(base_url=srv.url, timeout=30) as c:
        yield c
    store.close()


@pytest.mark.parametrize("path", _urls())
def test_quickstart_urls_answer(path: str, served: httpx.Client) -> None:
    resp = served.get(path)
    assert resp.status_code == 200, (path, resp.text)
    body = resp.json()
    assert body.get("items") or body.get("key"), json.dumps(body, ensure_ascii=False)[:200]
