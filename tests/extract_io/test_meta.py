"""Report metadata on the real reports matches the gold ``report`` field; header rules on small cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.load import load_file
from extract.meta import read_meta
from extract.model import LoadedText, ReportMeta

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("prefix", ["000", "001", "004"])
def test_real_reports_match_gold(eval_dir: Path, prefix: str) -> None:
    doc = next((eval_dir / "docs").glob(f"{prefix}_*.txt"))
    gold = json.loads((eval_dir / "gold" / f"{doc.stem}.json").read_text(encoding="utf-8"))["report"]
    meta = read_meta(load_file(doc))
    assert meta.issuer == gold["issuer"]
    assert meta.date == gold["date"]
    assert meta.period is not None
    assert [meta.period.start, meta.period.end] == gold["period"]
    assert meta.year == int(gold["period"][0][:4])
    assert meta.zone == gold["zone"]


def test_titles_of_real_reports(eval_dir: Path) -> None:
    titles = {}
    for doc in sorted((eval_dir / "docs").glob("*.txt")):
        titles[doc.stem[:3]] = read_meta(load_file(doc)).title
    assert titles == {
        "000": None,  # the report starts straight with its first sentence
        "001": "经发局2023年上半年工作总结和下半年工作思路",
        "004": "区经信局2022年上半年工作总结",  # the forum tag [计划总结] is not part of it
    }


def _meta(text: str) -> ReportMeta:
    return read_meta(LoadedText(path="t.txt", text=text, encoding="utf-8", body=[(0, len(text))]))


@pytest.mark.parametrize(
    ("text", "title", "issuer", "date", "period", "year"),
    [
        (
            "发布机构: 经济发展局\n成文日期: 2023-11-08\n\n经发局2023年上半年工作总结\n\n"
            "上半年，经发局完成投资3亿元。",
            "经发局2023年上半年工作总结",
            "经济发展局",
            "2023-11-08",
            ("2023-01-01", "2023-06-30"),
            2023,
        ),
        (
            "[计划总结] 区经信局2022年1-5月工作情况\n2022年，某某区经信局深入推进数字化改革，成效明显。",
            "区经信局2022年1-5月工作情况",
            "某某区经信局",
            None,
            ("2022-01-01", "2022-05-31"),
            2022,
        ),
        (
            "东湖管委会2021年工作总结\n2021年，管委会统筹推进各项工作，取得明显成效。\n\n2022年1月10日",
            "东湖管委会2021年工作总结",
            "东湖管委会",
            "2022-01-10",
            ("2021-01-01", "2021-12-31"),
            2021,
        ),
        (
            "## 南岭区发改局2024年度工作总结\n\n全年完成固定资产投资120亿元，增长8%。",
            "南岭区发改局2024年度工作总结",
            "南岭区发改局",
            None,
            ("2024-01-01", "2024-12-31"),
            2024,
        ),
        (
            "一季度，区商务局全力稳外贸，2023年进出口总额增长5%，2023年引进外资项目8个。",
            None,
            "区商务局",
            None,
            ("2023-01-01", "2023-03-31"),
            2023,
        ),
        (
            "上半年，局里加强经济运行监测，为全年目标打下基础。",  # no year anywhere: nothing is guessed
            None,
            None,
            None,
            None,
            None,
        ),
    ],
    ids=["portal-fields", "forum-tag-full-issuer", "annual-signed", "markdown-annual", "opening", "no-year"],
)
def test_header_rules(
    text: str,
    title: str | None,
    issuer: str | None,
    date: str | None,
    period: tuple[str, str] | None,
    year: int | None,
) -> None:
    meta = _meta(text)
    assert meta.title == title
    assert meta.issuer == issuer
    assert meta.date == date
    assert (None if meta.period is None else (meta.period.start, meta.period.end)) == period
    assert meta.year == year


def test_forum_posting_date_only_anchors_the_year() -> None:
    text = "发表于 2021-7-4 21:52:13 | 只看该作者\n上半年，经信局推进工业稳增长，完成技改投资3亿元。"
    meta = _meta(text)
    assert meta.date is None
    assert meta.year == 2021
    assert meta.period is not None and (meta.period.start, meta.period.end) == ("2021-01-01", "2021-06-30")


def test_upcoming_party_congress_anchors_the_year_last() -> None:
    meta = _meta("上半年，经发局做好安全生产工作，重点关注二十大等时段，持续深化专项整治。")
    assert meta.year == 2022
    meta = _meta("上半年，经发局深入学习二十大精神，推动工作落实。")
    assert meta.year is None  # a past congress only says "after 2022"


def test_examples_metadata() -> None:
    metas = {p.name: read_meta(load_file(p)) for p in sorted((REPO / "examples").iterdir())}
    assert metas["yunxi_jingxin_2024h1.txt"].issuer == "云溪区经济和信息化局"
    assert metas["yunxi_jingxin_2024h1.txt"].date == "2024-07-12"
    assert metas["hexi_jingxin_2023_1-5_gb18030.txt"].period is not None
    assert metas["hexi_jingxin_2023_1-5_gb18030.txt"].period.end == "2023-05-31"
    assert metas["beishan_jingfa_2024h1_utf16.txt"].issuer == "北山县经济发展局"
    assert metas["qinglan_gaoxinqu_2023_annual.md"].title == "青岚高新区管委会2023年度工作总结"
    assert metas["nanwan_forum_post_2022h1.html"].year == 2022
    assert all(m.year is not None for m in metas.values())
