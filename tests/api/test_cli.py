"""The ``kg`` commands run as a user runs them: the real entry point (python -m api.cli), in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from api.cli import app

KG = [sys.executable, "-m", "api.cli"]
REPO = Path(__file__).resolve().parents[2]
OURS = {"build", "serve", "funding", "links", "neighbors", "path", "stats", "remove", "fix", "review"}


def kg(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("KG_STORE", "KG_API_TOKEN")}
    env["PYTHONPATH"] = str(REPO)
    env["COLUMNS"] = "200"
    return subprocess.run(
        [*KG, *args], capture_output=True, text=True, timeout=300, env=env, cwd=cwd or REPO, check=False
    )


def _walk(command: object, path: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Every runnable command under a (typer) click group, as its argv path."""
    children = getattr(command, "commands", None)
    if not children:
        return [path]
    return [p for name, child in sorted(children.items()) for p in _walk(child, (*path, name))]


def test_every_command_has_help_with_an_example() -> None:
    group = typer.main.get_command(app)
    commands = _walk(group, ())
    assert {p[0] for p in commands} >= OURS
    runner = CliRunner()
    for path in commands:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Example" in result.output, f"kg {' '.join(path)}: no example in --help"
        if path[0] in OURS:
            assert "--store" in result.output, f"kg {path[0]}: no --store option"


def test_unreachable_store_is_one_line_and_status_2() -> None:
    result = kg("stats", "--store", "bolt://127.0.0.1:1")
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: "), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory: pytest.TempPathFactory, eval_docs: Path) -> Path:
    """A store built by ``kg build`` itself."""
    store = tmp_path_factory.mktemp("cli") / "kg-data"
    result = kg("build", "--store", str(store), str(eval_docs))
    assert result.returncode == 0, result.stderr
    assert "added" in result.stdout and "Network page" in result.stdout
    assert (store / "network.html").stat().st_size > 1000
    return store


def test_build_again_changes_nothing(cli_store: Path, eval_docs: Path) -> None:
    result = kg("build", "--store", str(cli_store), str(eval_docs))
    assert result.returncode == 0, result.stderr
    stats = json.loads(kg("stats", "--json", "--store", str(cli_store)).stdout)
    assert stats["documents"] == 3


def test_funding_json(cli_store: Path) -> None:
    result = kg("funding", "--instrument", "专项债", "--json", "--store", str(cli_store))
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    rows = [(i["recipient"]["name"], (i["amount"] or {}).get("value")) for i in body["items"]]
    assert ("凌智产业园", 250000000) in rows
    table = kg("funding", "--instrument", "专项债", "--store", str(cli_store))
    assert "凌智产业园" in table.stdout and "2.5亿元" in table.stdout


def test_links_path_neighbors(cli_store: Path) -> None:
    links = kg("links", "亿太诺", "--store", str(cli_store))
    assert links.returncode == 0, links.stderr
    assert "小巨人" in links.stdout
    path = kg("path", "凌智产业园", "贵驷片区", "--json", "--store", str(cli_store))
    assert path.returncode == 0, path.stderr
    paths = json.loads(path.stdout)
    assert paths["total"] >= 1 and paths["items"][0]["nodes"][0]["name"] == "凌智产业园"
    near = kg("neighbors", "凌智产业园", "--depth", "2", "--json", "--store", str(cli_store))
    assert near.returncode == 0, near.stderr
    assert any(n["name"] == "专项债" for n in json.loads(near.stdout)["nodes"])
    missing = kg("links", "没有这家公司", "--store", str(cli_store))
    assert missing.returncode == 1 and missing.stderr.startswith("kg: ") and "Traceback" not in missing.stderr


def test_bad_file_fails_alone(tmp_path: Path, eval_docs: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    good = sorted(eval_docs.glob("*.txt"))[0]
    shutil.copy(good, folder / good.name)
    (folder / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    store = tmp_path / "kg-data"
    result = kg("build", "--store", str(store), str(folder))
    assert result.returncode == 1
    assert "broken.txt" in result.stderr and "Traceback" not in result.stderr
    stats = json.loads(kg("stats", "--json", "--store", str(store)).stdout)
    assert stats["documents"] == 1


def test_remove_by_path_and_unknown(tmp_path: Path, eval_docs: Path) -> None:
    store = tmp_path / "kg-data"
    docs = sorted(eval_docs.glob("*.txt"))[:2]
    assert kg("build", "--store", str(store), *map(str, docs)).returncode == 0
    removed = kg("remove", str(docs[0]), "--store", str(store))
    assert removed.returncode == 0, removed.stderr
    stats = json.loads(kg("stats", "--json", "--store", str(store)).stdout)
    assert stats["documents"] == 1
    unknown = kg("remove", "no-such-doc", "--store", str(store))
    assert unknown.returncode == 1 and "no-such-doc" in unknown.stderr
    assert len(unknown.stderr.strip().splitlines()) == 1
