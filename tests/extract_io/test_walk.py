"""Expanding paths: recursive, sorted, report suffixes only, symlink loops reported once."""

from __future__ import annotations

import os
from pathlib import Path

from extract.errors import LoadError
from extract.walk import iter_inputs


def _tree(root: Path) -> None:
    (root / "b").mkdir(parents=True)
    (root / "a").mkdir()
    (root / "b" / "2.txt").write_text("x", encoding="utf-8")
    (root / "b" / "1.htm").write_text("x", encoding="utf-8")
    (root / "a" / "z.md").write_text("x", encoding="utf-8")
    (root / "a" / "notes.docx").write_bytes(b"PK\x03\x04")
    (root / "a" / ".hidden.txt").write_text("x", encoding="utf-8")
    (root / "top.html").write_text("x", encoding="utf-8")


def test_folders_walked_sorted_with_report_suffixes(tmp_path: Path) -> None:
    _tree(tmp_path)
    got = [p.relative_to(tmp_path).as_posix() for p in iter_inputs([tmp_path]) if isinstance(p, Path)]
    assert got == ["a/z.md", "b/1.htm", "b/2.txt", "top.html"]


def test_named_files_kept_in_order_whatever_suffix(tmp_path: Path) -> None:
    _tree(tmp_path)
    named = [tmp_path / "top.html", tmp_path / "a" / "notes.docx"]
    assert list(iter_inputs(named)) == named


def test_missing_path_is_an_error_item(tmp_path: Path) -> None:
    items = list(iter_inputs([tmp_path / "nope.txt"]))
    assert len(items) == 1 and isinstance(items[0], LoadError)
    assert items[0].problem == "no such file or folder"


def test_symlink_loop_reported_once_and_walk_ends(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "r.txt").write_text("x", encoding="utf-8")
    os.symlink(root, root / "sub" / "loop")  # sub/loop -> reports: back to an ancestor
    os.symlink("self.txt", root / "self.txt")  # a link to itself
    items = list(iter_inputs([root]))
    errors = [i for i in items if isinstance(i, LoadError)]
    files = [i for i in items if isinstance(i, Path)]
    assert files == [root / "sub" / "r.txt"]
    assert sorted(e.problem.split(" (")[0] for e in errors) == ["symlink loop", "symlink loop"]
    assert {Path(e.path).name for e in errors} == {"loop", "self.txt"}


def test_same_file_through_two_links_read_once(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "r.txt").write_text("x", encoding="utf-8")
    os.symlink(tmp_path / "real", tmp_path / "alias")
    files = [i for i in iter_inputs([tmp_path]) if isinstance(i, Path)]
    assert len(files) == 1
