"""The commands as an analyst reads them: one report identity, wrapped tables, answers that say why."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def kg(*args: str, columns: int = 80, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real entry point in a subprocess, its output piped (not a terminal), COLUMNS as given."""
    env = {k: v for k, v in os.environ.items() if k not in ("KG_STORE", "KG_API_TOKEN")}
    env["PYTHONPATH"] = str(REPO)
    env["COLUMNS"] = str(columns)
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=cwd or REPO,
        check=False,
    )


@pytest.fixture(scope="module")
def store_004(tmp_path_factory: pytest.TempPathFactory, eval_dir: Path) -> tuple[Path, Path]:
    """A store built by ``kg build`` from the real reports; returns (store, report 004)."""
    store = tmp_path_factory.mktemp("cli") / "kg-data"
    docs = sorted((eval_dir / "docs").glob("00[014]_*.txt"))
    result = kg("build", "--store", str(store), *map(str, docs))
    assert result.returncode == 0, result.stderr
    return store, next(d for d in docs if d.name.startswith("004_"))


def _column(table: str, header: str) -> str:
    """The text of one column of a printed table, its wrapped lines joined (Chinese wraps without spaces)."""
    lines = table.splitlines()
    heads = [line for line in lines if line.startswith("┃")]
    index = next(i for head in heads for i, cell in enumerate(head.split("┃")) if header in cell)
    cells = [line.split("│")[index].strip() for line in lines if line.startswith("│")]
    return "".join(cells)


def test_funding_sums_the_shared_payment_once_and_marks_its_rows(store_004: tuple[Path, Path]) -> None:
    store, _ = store_004
    result = kg("funding", "--store", str(store), "--json")
    answer = json.loads(result.stdout)
    shared = [i for i in answer["items"] if i["amount"]["text"] == "76.5万元"]
    assert len(shared) == 5 and all(i["shared_by"] == 5 and i["amount"]["shared"] for i in shared)
    (total,) = [t for t in answer["totals"] if t["instrument"]["key"] == shared[0]["instrument"]["key"]]
    assert total["amount"] == 765_000 and total["facts"] == 5 and total["amounts"] == 1
    table = kg("funding", "--store", str(store), columns=80)
    amounts = _column(table.stdout, "Amount").replace(" ", "")
    assert amounts.count("76.5万元共享sharedby5") == 5


def test_tables_at_80_columns_keep_whole_evidence_and_fit(store_004: tuple[Path, Path]) -> None:
    store, _ = store_004
    result = kg("links", "--store", str(store), "麦博韦尔", columns=80)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80, result.stdout
    evidence = json.loads(kg("links", "--store", str(store), "麦博韦尔", "--json").stdout)["items"][0][
        "evidence"
    ]
    assert len(evidence) > 40 and "…" not in result.stdout
    assert evidence in _column(result.stdout, "Evidence")
    wide = kg("links", "--store", str(store), "麦博韦尔", "--wide", columns=80)
    assert any(evidence in line for line in wide.stdout.splitlines())


def test_rows_name_their_report_by_title_and_file_and_print_resolved_periods(
    store_004: tuple[Path, Path],
) -> None:
    store, doc = store_004
    result = kg("funding", "--store", str(store), "--wide", columns=80)
    assert doc.name in result.stdout and "区经信局2022年上半年工作总结" in result.stdout
    # report 000's 专项债 row is stored as 上半年, 2022-01-01..2022-06-30: it prints with its year
    rows = json.loads(kg("funding", "--store", str(store), "--json").stdout)["items"]
    bare = [r for r in rows if r["period"] and r["period"]["text"] == "上半年"]
    assert bare and bare[0]["period"]["start"] == "2022-01-01"
    assert "上半年 (2022-01-01–06-30)" in result.stdout
    assert not re.search(r"│ 上半年 +│", result.stdout)


def test_period_labels() -> None:
    from graph.labels import period_label

    assert period_label("上半年", "2022-01-01", "2022-06-30") == "上半年 (2022-01-01–06-30)"
    assert period_label("2023年1-5月", "2023-01-01", "2023-05-31") == "2023年1-5月"
    assert period_label("年底", "2023-12-31", "2023-12-31") == "年底 (2023-12-31)"
    assert period_label("跨年", "2022-07-01", "2023-06-30") == "跨年 (2022-07-01–2023-06-30)"
    assert period_label(None, "2022-01-01", "2022-06-30") == "2022-01-01–06-30"


def test_kg_documents_lists_the_reports_and_kg_remove_takes_the_stem(
    store_004: tuple[Path, Path], tmp_path: Path
) -> None:
    store, doc = store_004
    listed = kg("documents", "--store", str(store), columns=80)
    assert listed.returncode == 0 and "区经信局2022年上半年工作总结" in _column(listed.stdout, "Title")
    assert max(len(line) for line in listed.stdout.splitlines()) <= 80
    docs = json.loads(kg("documents", "--store", str(store), "--json").stdout)["items"]
    assert {d["file"] for d in docs} >= {doc.name} and all("/" not in d["file"] for d in docs)
    copy = tmp_path / "kg-data"
    subprocess.run(["cp", "-r", str(store), str(copy)], check=True)
    removed = kg("remove", "--store", str(copy), doc.stem)
    assert removed.returncode == 0, removed.stderr
    left = json.loads(kg("documents", "--store", str(copy), "--json").stdout)["items"]
    assert doc.name not in {d["file"] for d in left} and len(left) == len(docs) - 1
    again = kg("remove", "--store", str(copy), doc.stem)
    assert again.returncode == 1 and again.stderr.count("\n") == 1 and "no document" in again.stderr


def test_empty_answers_say_why(store_004: tuple[Path, Path], tmp_path: Path) -> None:
    store, _ = store_004
    result = kg("funding", "--store", str(store), "--instrument", "不存在")
    assert result.returncode == 0 and "不存在" in result.stdout and "专项债" in result.stdout
    from graph.embedded import EmbeddedStore
    from tests.graph.builders import Report, yi

    r = Report("/reports/two.txt")
    r.rel(("甲园", "Project"), "FUNDED_BY", ("专项债", "Funding"), amount=yi(1))
    r.rel(("乙园", "Project"), "FUNDED_BY", ("省级专项资金", "Funding"), amount=yi(2))
    two = tmp_path / "two"
    with EmbeddedStore(str(two)) as s:
        s.ingest(r.build())
    several = kg("funding", "--store", str(two), "--instrument", "专项")
    assert several.returncode == 0 and "matched 2 instruments" in several.stderr
    assert "专项债" in several.stderr and "省级专项资金" in several.stderr


def test_links_without_policy_links_names_the_other_facts(tmp_path: Path) -> None:
    from graph.embedded import EmbeddedStore
    from tests.graph.builders import report_a

    store = tmp_path / "kg"
    with EmbeddedStore(str(store)) as s:
        s.ingest(report_a())  # 均胜电子 INVESTS_IN its park, and no policy
    result = kg("links", "--store", str(store), "均胜电子")
    assert result.returncode == 0, result.stderr
    assert "no policy links" in result.stdout and "INVESTS_IN" in result.stdout
    linked = kg("links", "--store", str(store), "亿太诺")
    assert "1 policy link" in linked.stdout and "1 policy links" not in linked.stdout


def test_build_of_a_missing_path_creates_no_store(tmp_path: Path) -> None:
    store = tmp_path / "kg-data"
    result = kg("build", "--store", str(store), str(tmp_path / "missing"))
    assert result.returncode == 1 and "missing" in result.stderr and len(result.stderr.splitlines()) == 1
    assert not store.exists()


def test_error_lines_are_not_wrapped_when_piped(tmp_path: Path) -> None:
    bad = tmp_path / ("a-rather-long-file-name-for-a-binary-file-pretending-to-be-a-report-" * 2 + ".txt")
    bad.write_bytes(b"\x00\x01\x02" * 100)
    good = tmp_path / "r.txt"
    good.write_text("经信局2023年工作总结\n凌智产业园获得专项债2.5亿元。\n", encoding="utf-8")
    result = kg("build", "--store", str(tmp_path / "kg"), str(bad), str(good), columns=80)
    assert result.returncode == 1
    (line,) = [x for x in result.stderr.splitlines() if x.strip()]
    assert line.startswith("kg: ") and bad.name in line


def test_three_encodings_of_one_report_are_one_document(tmp_path: Path, eval_dir: Path) -> None:
    text = next((eval_dir / "docs").glob("004_*.txt")).read_text(encoding="utf-8")
    for folder, data in (
        ("gb", text.encode("gb18030")),
        ("u16", text.encode("utf-16")),
        ("u8", text.encode("utf-8")),
    ):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "report.txt").write_bytes(data)
    store = tmp_path / "kg"
    result = kg(
        "build", "--store", str(store), str(tmp_path / "gb"), str(tmp_path / "u16"), str(tmp_path / "u8")
    )
    assert result.returncode == 0, result.stderr
    docs = json.loads(kg("documents", "--store", str(store), "--json").stdout)["items"]
    assert len(docs) == 1


def test_an_edited_file_is_kept_beside_unless_replace(tmp_path: Path) -> None:
    report = tmp_path / "r.txt"
    report.write_text("经信局2023年工作总结\n凌智产业园获得专项债2.5亿元。\n", encoding="utf-8")
    store = tmp_path / "kg"
    assert kg("build", "--store", str(store), str(report)).returncode == 0
    report.write_text("经信局2023年工作总结\n凌智产业园获得专项债3亿元。\n", encoding="utf-8")
    kept = kg("build", "--store", str(store), str(report))
    assert kept.returncode == 0 and "--replace" in kept.stderr
    assert len(json.loads(kg("documents", "--store", str(store), "--json").stdout)["items"]) == 2
    ambiguous = kg("remove", "--store", str(store), "r")
    assert ambiguous.returncode == 1 and "names 2 stored reports" in ambiguous.stderr
    report.write_text("经信局2023年工作总结\n凌智产业园获得专项债4亿元。\n", encoding="utf-8")
    replaced = kg("build", "--store", str(store), "--replace", str(report))
    assert replaced.returncode == 0
    assert len(json.loads(kg("documents", "--store", str(store), "--json").stdout)["items"]) == 1


def test_viz_takes_chinese_type_names(store_004: tuple[Path, Path], tmp_path: Path) -> None:
    store, _ = store_004
    out = tmp_path / "page.html"
    result = kg("viz", "--store", str(store), "--type", "企业", "--type", "资金", "-o", str(out))
    assert result.returncode == 0, result.stderr
    english = tmp_path / "en.html"
    assert kg("viz", "--store", str(store), "--type", "Company,Funding", "-o", str(english)).returncode == 0
    assert out.read_text(encoding="utf-8") == english.read_text(encoding="utf-8")
    bad = kg("viz", "--store", str(store), "--type", "公司", "-o", str(out))
    assert bad.returncode == 1 and "项目" in bad.stderr


def test_help_shows_readable_placeholders_and_plurals(store_004: tuple[Path, Path]) -> None:
    for command in ("build", "viz", "funding", "neighbors", "remove"):
        help_text = kg(command, "--help", columns=100).stdout
        assert "<list[" not in help_text and "<str>" not in help_text and "<int" not in help_text, help_text
    assert max(len(x) for x in kg("viz", "--help", columns=100).stdout.splitlines()) > 80
    store, _ = store_004
    one = kg("neighbors", "--store", str(store), "善德电子", "--depth", "1")
    assert "within 1 hop" in one.stdout and "1 hops" not in one.stdout
