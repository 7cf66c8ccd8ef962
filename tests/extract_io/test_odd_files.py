"""Inputs that used to hang or abort a run: named pipes, unreadable files, a shared jieba cache, HTML as .txt.

Every command here runs for real in a subprocess with a timeout, so a hang fails the test instead of
stopping the suite.
"""

from __future__ import annotations

import marshal
import os
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from extract.load import load_bytes, load_file
from extract.segment import tokenize

REPO = Path(__file__).resolve().parents[2]
GOOD = REPO / "examples" / "yunxi_jingxin_2024h1.txt"
NOBODY = 65534
TIMEOUT = 120


def kg(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    full.pop("KG_STORE", None)
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        capture_output=True, text=True, env=full, timeout=TIMEOUT, cwd=cwd or REPO, check=False,
    )  # fmt: skip


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder every user can enter (pytest's tmp_path is private to its owner)."""
    d = Path(tempfile.mkdtemp(prefix="kg-odd-"))
    d.chmod(0o755)
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_named_pipe_named_directly_or_in_a_folder_is_one_line_each(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    shutil.copy(GOOD, folder / "a_good.txt")
    os.mkfifo(folder / "x.txt")
    os.mkfifo(tmp_path / "direct.txt")
    for command in (["extract", "--json"], ["build", "--store", str(tmp_path / "kg-data")]):
        result = kg(*command, str(tmp_path / "direct.txt"), str(folder))
        assert result.returncode == 1, result.stderr
        problems = [line for line in result.stderr.splitlines() if "not a regular file" in line]
        assert [p.split(": ")[1] for p in problems] == [str(tmp_path / "direct.txt"), str(folder / "x.txt")]
        assert "Traceback" not in result.stderr
    extracted = kg("extract", "--json", str(folder))
    assert extracted.stdout.count('"doc": ') == 1  # the good report beside the pipe was read
    stats = kg("stats", "--json", "--store", str(tmp_path / "kg-data"))
    assert '"documents": 1' in stats.stdout, stats.stdout


def test_loader_refuses_a_pipe_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "p.txt")
    with pytest.raises(Exception, match="not a regular file"):
        load_file(tmp_path / "p.txt")


def _site_packages() -> str:
    return sysconfig.get_paths()["purelib"]


def _unprivileged_python(env: dict[str, str]) -> list[str]:
    """An interpreter the unprivileged user can start (ours may sit under root's private home).

    Tried in order: this interpreter, then the system ``python3`` of the same version with our
    packages on its path; each is proven by importing the CLI as that user.
    """
    candidates = [sys.executable]
    for name in (f"python{sys.version_info.major}.{sys.version_info.minor}", "python3"):
        for folder in ("/usr/bin", "/usr/local/bin"):
            if os.access(Path(folder) / name, os.X_OK):
                candidates.append(str(Path(folder) / name))
    for python in candidates:
        try:
            probe = subprocess.run(
                [python, "-c", "import sys, api.cli; print(sys.version_info[:2])"],
                capture_output=True, text=True, env=env, timeout=60, user=NOBODY, group=NOBODY,
                extra_groups=[], check=False,
            )  # fmt: skip
        except OSError:
            continue
        if probe.returncode == 0 and probe.stdout.strip() == str(tuple(sys.version_info[:2])):
            return [python]
    message = "no Python interpreter that an unprivileged user can run"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def test_unreadable_file_named_directly_does_not_stop_the_others(shared_dir: Path) -> None:
    good = shared_dir / "good.txt"
    shutil.copy(GOOD, good)
    good.chmod(0o644)
    secret = shared_dir / "secret.txt"
    secret.write_text("宁波市经济发展局工作总结", encoding="utf-8")
    secret.chmod(0o000)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": os.pathsep.join([str(REPO), _site_packages()]),
        "HOME": str(shared_dir),
        "XDG_CACHE_HOME": str(shared_dir / "cache"),
    }
    args = ["-m", "api.cli", "extract", "--json", str(secret), str(good)]
    if os.geteuid() == 0:
        # root reads any file: run as nobody, for whom the file is unreadable
        cmd = [*_unprivileged_python(env), *args]
        result = subprocess.run(
            cmd, capture_output=True, text=True, env=env, timeout=TIMEOUT, user=NOBODY, group=NOBODY,
            extra_groups=[], cwd=shared_dir, check=False,
        )  # fmt: skip
    else:
        result = subprocess.run(
            [sys.executable, *args], capture_output=True, text=True, env=env, timeout=TIMEOUT, check=False
        )
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [f"kg: {secret}: permission denied (cannot read the file)"]
    assert result.stdout.count('"doc": ') == 1 and str(good) in result.stdout


SENTENCE = "凌智产业园申报专项债"
OURS = f"from extract.segment import tokenize as t; print('/'.join(x.word for x in t('{SENTENCE}')))"
PLAIN_JIEBA = f"import jieba; print('/'.join(jieba.Tokenizer().lcut('{SENTENCE}')))"


def _segment(env: dict[str, str], code: str = OURS) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PYTHONPATH": str(REPO), **env}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=full, timeout=TIMEOUT, check=False
    )


#: The cut with jieba's real dictionary and our lexicon, made in this process.
EXPECTED = "/".join(t.word for t in tokenize(SENTENCE))


def test_jieba_cache_lives_in_a_private_user_folder_and_a_planted_one_is_ignored(tmp_path: Path) -> None:
    shared_tmp = tmp_path / "tmp"
    shared_tmp.mkdir()
    # a cache planted where jieba looks by default: a dictionary of one word
    with open(shared_tmp / "jieba.cache", "wb") as fh:
        marshal.dump(({"凌": 1}, 1), fh)
    planted = _segment({"TMPDIR": str(shared_tmp)}, PLAIN_JIEBA)
    assert planted.stdout.strip() not in ("", EXPECTED)  # plain jieba does load it, and cuts differently
    cache_home = tmp_path / "xdg"
    first = _segment({"TMPDIR": str(shared_tmp), "XDG_CACHE_HOME": str(cache_home)})
    assert first.returncode == 0 and first.stderr == "", first.stderr
    assert first.stdout.strip() == EXPECTED
    folder = cache_home / "policy-kg"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert (folder / "jieba.cache").stat().st_size > 1_000_000
    assert sorted(p.name for p in shared_tmp.iterdir()) == [
        "jieba.cache"
    ]  # nothing written to the shared folder
    again = _segment({"TMPDIR": str(shared_tmp), "XDG_CACHE_HOME": str(cache_home)})
    assert again.stdout == first.stdout and again.stderr == ""


def test_any_cache_failure_is_silent(tmp_path: Path) -> None:
    # the cache folder is open to others: tightened to 0700 before use
    open_home = tmp_path / "open"
    (open_home / "policy-kg").mkdir(parents=True)
    (open_home / "policy-kg").chmod(0o777)
    assert _segment({"XDG_CACHE_HOME": str(open_home)}).stderr == ""
    assert stat.S_IMODE((open_home / "policy-kg").stat().st_mode) == 0o700
    # the cache file cannot be written (a folder in its place): jieba's "Dump cache file failed." kept quiet
    blocked = tmp_path / "blocked"
    (blocked / "policy-kg" / "jieba.cache").mkdir(parents=True)
    result = _segment({"XDG_CACHE_HOME": str(blocked)})
    assert result.returncode == 0 and result.stderr == "" and result.stdout.strip() == EXPECTED
    # no cache folder can be made at all (a file in the way): built in memory, nothing printed
    (tmp_path / "file").write_text("x")
    nowhere = _segment({"XDG_CACHE_HOME": str(tmp_path / "file"), "TMPDIR": str(tmp_path / "tmp2")})
    assert nowhere.returncode == 0 and nowhere.stderr == "" and nowhere.stdout.strip() == EXPECTED


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to hand the cache folder to another user")
def test_cache_folder_owned_by_another_user_is_not_used(tmp_path: Path) -> None:
    home = tmp_path / "other"
    (home / "policy-kg").mkdir(parents=True, mode=0o700)
    with open(home / "policy-kg" / "jieba.cache", "wb") as fh:
        marshal.dump(({"凌": 1}, 1), fh)
    os.chown(home / "policy-kg", NOBODY, NOBODY)
    result = _segment({"XDG_CACHE_HOME": str(home)})
    assert result.returncode == 0 and result.stderr == "" and result.stdout.strip() == EXPECTED


PAGE_AS_TXT = (
    "<div class='nav'>首页 | 政务公开</div>\n<p>宁波市经济发展局</p><p>公开方式：主动公开</p>\n"
    "<p>2023年，区经济发展局推进凌智产业园项目建设，申报专项债2.5亿元。</p>"
)


def test_html_saved_as_txt_is_read_as_a_page(tmp_path: Path) -> None:
    loaded = load_bytes(PAGE_AS_TXT.encode("utf-8"), "page.txt")
    assert loaded.media_type == "text/html"
    assert "<" not in loaded.text and "宁波市经济发展局\n\n公开方式：主动公开" in loaded.text
    path = tmp_path / "page.txt"
    path.write_text(PAGE_AS_TXT, encoding="utf-8")
    result = kg("extract", "--json", str(path))
    assert result.returncode == 0, result.stderr
    assert "</p>" not in result.stdout and "<p>" not in result.stdout
    assert "凌智产业园" in result.stdout


@pytest.mark.parametrize(
    "text",
    ["今年增长<5%，投资>3亿元。", "一、主要工作\n<注>数据为初步统计。", "# 标题\n<b>重点</b>项目"],
)
def test_plain_reports_with_angle_brackets_stay_text(text: str) -> None:
    loaded = load_bytes(text.encode("utf-8"), "r.txt")
    assert loaded.media_type == "text/plain" and loaded.text == text
