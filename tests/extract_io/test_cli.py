"""``kg extract`` run for real: JSON Lines out, one stderr line per bad input, exit status 1, no traceback."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
KG = Path(sys.executable).parent / "kg"


def kg(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([str(KG), *args], capture_output=True, text=True, env=full_env, timeout=300)


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of reports and every kind of bad input the issue names."""
    root = tmp_path_factory.mktemp("messy")
    shutil.copy(REPO / "examples" / "yunxi_jingxin_2024h1.txt", root / "a_good.txt")
    shutil.copy(REPO / "examples" / "hexi_jingxin_2023_1-5_gb18030.txt", root / "b_good_gbk.txt")
    (root / "c_empty.txt").write_bytes(b"")
    (root / "d_binary.txt").write_bytes(bytes(range(256)) * 64)
    (root / "e_fake.txt").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    (root / "f_nul.txt").write_bytes("经发局工作总结\x00\x00成功申报1.2亿元".encode())
    with open(root / "g_big.txt", "wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    sub = root / "h_sub"
    sub.mkdir()
    shutil.copy(REPO / "examples" / "nanwan_forum_post_2022h1.html", sub / "page.html")
    os.symlink(root, sub / "loop")
    return root


EXPECTED_PROBLEMS = {
    "c_empty.txt": "empty file",
    "d_binary.txt": "binary file, not a text report",
    "e_fake.txt": "looks like a PDF, not a text report",
    "f_nul.txt": "contains NUL bytes (first at byte 21) but is not UTF-16 text",
    "g_big.txt": "file too large (50.0 MB; the limit is 20.0 MB, see KG_MAX_FILE_MB)",
    "loop": "symlink loop",
    "notes.docx": "unsupported file type .docx (expected .txt, .md, .html or .htm)",
}


def test_bad_inputs_one_line_each_others_processed(messy: Path, tmp_path: Path) -> None:
    docx = tmp_path / "notes.docx"
    docx.write_bytes(b"PK\x03\x04")
    result = kg("extract", "--json", str(messy), str(docx))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == len(EXPECTED_PROBLEMS), result.stderr
    for line in lines:
        assert line.startswith("kg: ")
        path, _, problem = line[4:].partition(": ")
        name = Path(path).name
        assert problem.startswith(EXPECTED_PROBLEMS[name]), line
    docs = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["doc"]["id"] for d in docs] == ["a_good", "b_good_gbk", "page"]
    for d in docs:
        assert d["entities"], d["doc"]["id"]
        assert Path(d["doc"]["path"]).is_absolute()


def test_json_lines_shape_and_doc_header() -> None:
    path = REPO / "examples" / "yunxi_jingxin_2024h1.txt"
    result = kg("extract", "--json", str(path))
    assert result.returncode == 0, result.stderr
    assert "\\u" not in result.stdout  # Chinese as is
    (doc,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert set(doc) == {"doc", "entities", "relations"}
    head = doc["doc"]
    assert head["id"] == "yunxi_jingxin_2024h1"
    assert head["path"] == str(path.resolve())
    assert head["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert head["issuer"] == "云溪区经济和信息化局"
    assert head["date"] == "2024-07-12"
    assert head["period"] == {"text": "2024年上半年", "start": "2024-01-01", "end": "2024-06-30"}
    text = path.read_text(encoding="utf-8")
    for e in doc["entities"]:
        for start, end in e["mentions"]:
            assert 0 <= start < end <= len(text) and text[start:end].strip()
    for r in doc["relations"]:
        start, end = r["span"]
        assert text[start:end] == r["evidence"]


def test_offsets_point_into_decoded_text_of_every_example() -> None:
    from extract.load import load_file

    result = kg("extract", "--json", str(REPO / "examples"))
    assert result.returncode == 0, result.stderr
    docs = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(docs) == len(list((REPO / "examples").iterdir()))
    for d in docs:
        text = load_file(d["doc"]["path"]).text
        for r in d["relations"]:
            start, end = r["span"]
            assert text[start:end] == r["evidence"], d["doc"]["id"]


def test_table_output_and_help() -> None:
    result = kg("extract", str(REPO / "examples" / "luhu_jingfa_2023h1_masked.txt"), env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert "实体 Entities" in result.stdout
    assert "关系 Relations" in result.stdout
    assert "鹭湖经济开发区经发局2023年上半年工作总结和下半年工作思路" in result.stdout
    helped = kg("extract", "--help")
    assert helped.returncode == 0
    assert "Example: kg extract --json reports/" in helped.stdout


def test_max_size_option_and_empty_folder(tmp_path: Path) -> None:
    result = kg("extract", "--max-size-mb", "0.001", str(REPO / "examples" / "yunxi_jingxin_2024h1.txt"))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "file too large" in result.stderr
    empty = tmp_path / "none"
    empty.mkdir()
    result = kg("extract", str(empty))
    assert result.returncode == 1
    assert result.stderr.strip() == f"kg: no report files (.txt, .md, .html, .htm) found in {empty}"


def test_web_junk_is_not_mined(eval_dir: Path) -> None:
    """Every mention and evidence span of a forum page lies inside the report body the loader marked."""
    from extract.load import load_file

    doc_004 = next((eval_dir / "docs").glob("004_*.txt"))
    result = kg("extract", "--json", str(doc_004), str(REPO / "examples" / "nanwan_forum_post_2022h1.html"))
    assert result.returncode == 0, result.stderr
    for line in result.stdout.splitlines():
        d = json.loads(line)
        body = load_file(d["doc"]["path"]).body

        def inside(start: int, end: int, body: list[tuple[int, int]] = body) -> bool:
            return any(a <= start and end <= b for a, b in body)

        assert d["entities"]
        for e in d["entities"]:
            assert all(inside(*m) for m in e["mentions"]), e["name"]
        for r in d["relations"]:
            assert inside(*r["span"]), r["evidence"]
