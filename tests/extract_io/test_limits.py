"""Size limit and unreadable files, at the library level (the CLI tests run the same cases through ``kg``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from extract.errors import LoadError
from extract.load import load_file, read_bytes

FIFTY_MB = 50 * 1024 * 1024


def _sparse(path: Path, size: int) -> Path:
    with open(path, "wb") as fh:
        fh.truncate(size)
    return path


def test_fifty_megabytes_refused_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KG_MAX_FILE_MB", raising=False)
    big = _sparse(tmp_path / "big.txt", FIFTY_MB)
    with pytest.raises(LoadError) as info:
        load_file(big)
    assert info.value.problem == "file too large (50.0 MB; the limit is 20.0 MB, see KG_MAX_FILE_MB)"


def test_limit_is_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "r.txt"
    path.write_text("组织项目申报专项债，成功申报1.2亿元。" * 100, encoding="utf-8")
    with pytest.raises(LoadError, match="file too large"):
        read_bytes(path, max_bytes=1000)
    monkeypatch.setenv("KG_MAX_FILE_MB", "0.001")
    with pytest.raises(LoadError, match="file too large"):
        load_file(path)
    monkeypatch.setenv("KG_MAX_FILE_MB", "lots")
    with pytest.raises(LoadError, match="not a number of megabytes"):
        load_file(path)
    monkeypatch.setenv("KG_MAX_FILE_MB", "1")
    assert load_file(path).text.startswith("组织项目")


def test_unsupported_suffix_and_folder(tmp_path: Path) -> None:
    doc = tmp_path / "report.docx"
    doc.write_bytes(b"PK\x03\x04")
    with pytest.raises(LoadError) as info:
        load_file(doc)
    assert info.value.problem == "unsupported file type .docx (expected .txt, .md, .html or .htm)"
    folder = tmp_path / "dir.txt"
    folder.mkdir()
    with pytest.raises(LoadError, match="is a folder"):
        load_file(folder)


def _as_nobody() -> list[str]:
    """Root reads everything, so the unreadable case runs as user nobody when the tests run as root."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot make a file unreadable")
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]


def test_unreadable_file() -> None:
    room = Path(os.environ.get("TMPDIR", "/tmp")) / f"kg-unreadable-{os.getpid()}"
    room.mkdir(mode=0o755, exist_ok=True)
    room.chmod(0o755)
    secret = room / "secret.txt"
    secret.write_text("组织项目申报专项债。", encoding="utf-8")
    secret.chmod(0)
    try:
        code = (
            "import sys; from extract.load import load_file; from extract.errors import LoadError\n"
            "try:\n    load_file(sys.argv[1])\nexcept LoadError as e:\n    print(e.problem)\n"
        )
        repo = Path(__file__).resolve().parents[2]
        env = {**os.environ, "PYTHONPATH": str(repo), "HOME": str(room)}
        out = subprocess.run(
            [*_as_nobody(), sys.executable, "-c", code, str(secret)],
            capture_output=True, text=True, env=env, cwd=room, check=True,
        )  # fmt: skip
        assert out.stdout.strip() == "permission denied (cannot read the file)"
    finally:
        secret.chmod(0o644)
        shutil.rmtree(room)
