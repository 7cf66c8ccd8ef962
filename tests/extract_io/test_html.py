"""Saved web pages: the page's readable text, with scripts, navigation and furniture dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.html_text import html_to_text
from extract.load import load_file

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>站点标题 - 门户</title>
<style>.x{color:red}</style><script>var a = "专项债 9亿元";</script></head>
<body><header><div>网站首页 | 政务公开</div></header>
<nav><ul><li>首页</li><li>政策文件</li></ul></nav>
<div class="article"><h1>云岭区经信局2024年上半年工作总结</h1>
<p>上半年，云岭区经信局&nbsp;组织&lt;云岭智造园&gt;项目申报专项债，成功申报1.2亿元&amp;兑现奖励资金。</p>
<p>一、主要工作<br>二、下步打算</p>
<table><tr><td>指标</td><td>完成</td></tr></table>
<noscript>请开启脚本</noscript><aside>热门文章</aside>
<form><input value="搜索"><button>提交</button></form></div>
<footer>版权所有 © 2024</footer><script>document.write("广告")</script></body></html>"""


def test_scripts_navigation_and_furniture_dropped() -> None:
    text = html_to_text(PAGE)
    for dropped in ("var a", "专项债 9亿元", "color:red", "网站首页", "政策文件", "请开启脚本", "热门文章",
                    "提交", "版权所有", "广告", "站点标题"):  # fmt: skip
        assert dropped not in text, dropped
    lines = [line for line in text.splitlines() if line]
    assert lines[0] == "云岭区经信局2024年上半年工作总结"
    # entities unescaped, &nbsp; becomes a space, <br> a new line, cells side by side
    assert "云岭区经信局\xa0组织<云岭智造园>项目申报专项债，成功申报1.2亿元&兑现奖励资金。" in text
    assert "一、主要工作\n二、下步打算" in text
    assert "指标 完成" in text


def test_html_offsets_point_into_page_text(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    loaded = load_file(path)
    assert loaded.media_type == "text/html"
    assert loaded.text == html_to_text(PAGE)
    start = loaded.text.index("云岭智造园")
    assert loaded.text[start : start + 5] == "云岭智造园"
    assert all(0 <= s < e <= len(loaded.text) for s, e in loaded.body)


@pytest.mark.parametrize("declared", ["gb2312", "gbk", None])
def test_html_in_gbk(tmp_path: Path, declared: str | None) -> None:
    meta = f'<meta charset="{declared}">' if declared else ""
    page = f"<html><head>{meta}</head><body><p>组织项目申报专项债，成功申报1.2亿元。</p></body></html>"
    path = tmp_path / "gbk.htm"
    path.write_bytes(page.encode("gb18030"))
    loaded = load_file(path)
    assert loaded.text == "组织项目申报专项债，成功申报1.2亿元。\n"


def test_unclosed_head_does_not_swallow_body() -> None:
    assert html_to_text("<html><head><title>t</title><body><p>正文内容</p>") == "正文内容\n"
