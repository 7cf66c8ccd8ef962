"""The report proper is found inside a forum page; the page around it is never part of the body."""

from __future__ import annotations

import itertools
from pathlib import Path

from extract.junk import body_ranges, classify_line
from extract.load import load_file

REPO = Path(__file__).resolve().parents[2]


def _body(text: str, ranges: list[tuple[int, int]]) -> str:
    return "\n".join(text[s:e] for s, e in ranges)


def _doc(eval_dir: Path, prefix: str) -> Path:
    return next((eval_dir / "docs").glob(f"{prefix}_*.txt"))


def test_forum_header_and_footer_excluded_on_doc_004(eval_dir: Path) -> None:
    loaded = load_file(_doc(eval_dir, "004"))
    text, body = loaded.text, loaded.body
    inside = _body(text, body)
    for junk in ("热搜", "discuz", "上一主题", "[复制链接]", "只看该作者", "分享到", "QQ好友和群",
                 "ICP备", "Powered by Discuz", "GMT+8", "文章转载网络", "快速回复", "返回顶部",
                 "立即注册"):  # fmt: skip
        assert junk not in inside, junk
        assert junk in text, junk  # the text itself is untouched
    # the report is all there, from its title to its last sentence
    assert inside.startswith("区经信局2022年上半年工作总结")
    assert "2022年,XX区经信局深入贯彻落实" in inside
    assert inside.endswith("华尔推剪等8家企业获宁波市企业管理创新提升星级评价五星级。")
    assert "亿太诺" in inside
    # offsets point into the decoded text and ranges are ordered and disjoint
    assert all(0 <= s < e <= len(text) for s, e in body)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(body))


def test_plain_reports_are_all_body(eval_dir: Path) -> None:
    for prefix in ("000", "001"):
        loaded = load_file(_doc(eval_dir, prefix))
        assert loaded.body == [(0, len(loaded.text.rstrip()))]


def test_forum_example_page() -> None:
    loaded = load_file(REPO / "examples" / "nanwan_forum_post_2022h1.html")
    inside = _body(loaded.text, loaded.body)
    assert inside.startswith("南湾区经信局2022年上半年工作总结")
    assert inside.endswith("确保全年工业增加值增长7%以上。")
    for junk in ("发表于", "分享到", "ICP备", "返回顶部", "收藏本站"):
        assert junk not in inside


def test_long_report_sentences_with_interface_words_are_kept() -> None:
    text = (
        "搜索\n打印 上一主题 下一主题\n"
        "上半年，我局指导企业登录浙政钉平台注册并回复诉求，帮助12家企业分享数字化改造经验。\n"
        "一、收藏品产业园建设\n"
        "组织企业申报专项债，成功申报3亿元。\n"
        "桂ICP备00000000号\n"
        "回复 举报\n"
    )
    ranges = body_ranges(text)
    inside = _body(text, ranges)
    assert inside.startswith("上半年，我局指导企业登录浙政钉平台")
    assert "一、收藏品产业园建设" in inside
    assert inside.endswith("成功申报3亿元。")


def test_strong_junk_inside_the_report_is_cut_out() -> None:
    text = (
        "第一段工作总结，完成投资3亿元，同比增长12%。\n版权所有 © 某某网\n"
        "第二段工作总结，兑现奖励资金500万元。\n"
    )
    ranges = body_ranges(text)
    assert [text[s:e] for s, e in ranges] == [
        "第一段工作总结，完成投资3亿元，同比增长12%。",
        "第二段工作总结，兑现奖励资金500万元。",
    ]


def test_line_rules() -> None:
    assert classify_line("Powered by Discuz! X3.2") == ("junk", True)
    assert classify_line("浙ICP备12345678号-1") == ("junk", True)
    assert classify_line("使用道具 举报") == ("junk", False)
    assert classify_line("（三）强化企业服务") == ("content", False)
    assert classify_line("   ") == ("blank", False)
