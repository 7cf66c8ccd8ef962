"""Each encoding a report comes in is recognised without being told; offsets point into the decoded text."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from extract.errors import LoadError
from extract.load import load_file

REPORT = (
    "经发局2023年上半年工作总结\n组织凌云产业园项目申报2023年第二批专项债，成功申报2.5亿元。\nGDP增长6.8%。\n"
)

CASES = [
    # (file encoding as written, expected encoding name reported by the loader)
    (lambda s: s.encode("utf-8"), "utf-8"),
    (lambda s: codecs.BOM_UTF8 + s.encode("utf-8"), "utf-8-sig"),
    (lambda s: s.encode("utf-16"), "utf-16-le"),  # Python writes a little-endian BOM
    (lambda s: codecs.BOM_UTF16_BE + s.encode("utf-16-be"), "utf-16-be"),
    (lambda s: s.encode("utf-16-le"), "utf-16-le"),  # no BOM: NUL positions decide
    (lambda s: s.encode("utf-16-be"), "utf-16-be"),
    (lambda s: s.encode("gb18030"), "gb18030"),
    (lambda s: s.encode("gbk"), "gb18030"),  # GBK is a subset of GB18030
]
IDS = ["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le-nobom", "utf16be-nobom", "gb18030", "gbk"]


@pytest.mark.parametrize(("encode", "expected"), CASES, ids=IDS)
def test_encodings_detected(tmp_path: Path, encode, expected: str) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(encode(REPORT))
    loaded = load_file(path)
    assert loaded.encoding == expected
    assert loaded.text == REPORT
    start = loaded.text.index("凌云产业园")
    assert loaded.text[start : start + 5] == "凌云产业园"
    assert loaded.body == [(0, len(REPORT.rstrip()))]


def test_gb18030_only_characters(tmp_path: Path) -> None:
    """Characters outside GBK (here a rare CJK Extension B ideograph) still decode."""
    text = "项目𠀀园区建设顺利推进，完成投资3亿元。\n"
    path = tmp_path / "rare.txt"
    path.write_bytes(text.encode("gb18030"))
    loaded = load_file(path)
    assert (loaded.encoding, loaded.text) == ("gb18030", text)


def test_utf8_is_preferred_over_gb18030(tmp_path: Path) -> None:
    """Valid UTF-8 Chinese would also decode as (wrong) GB18030 text; UTF-8 must win."""
    path = tmp_path / "u.md"
    path.write_text("成功申报1.2亿元专项债。", encoding="utf-8")
    loaded = load_file(path)
    assert loaded.encoding == "utf-8"
    assert loaded.media_type == "text/markdown"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty file"),
        (b"  \n\t\n", "empty file (only whitespace)"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\n", "looks like a PDF, not a text report"),
        (bytes(range(256)) * 8, "binary file, not a text report"),
        ("经发局工作总结\x00第二段".encode(), "contains NUL bytes (first at byte 21) but is not UTF-16 text"),
        (b"PK\x03\x04\x14\x00\x06\x00", "looks like a ZIP archive (a .docx/.xlsx?), not a text report"),
    ],
    ids=["empty", "whitespace", "pdf", "binary", "nul", "zip"],
)
def test_bad_bytes_refused(tmp_path: Path, data: bytes, problem: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(LoadError) as info:
        load_file(path)
    assert info.value.problem == problem
    assert info.value.path == str(path)
    assert str(info.value) == f"{path}: {problem}"
    assert "\n" not in str(info.value)
