"""Finding the report proper inside a saved web page: everything else is junk.

Reports copied from forums and portals carry a page around them: search
boxes, "上一主题 下一主题", "发表于 … | 只看该作者", share buttons, login
prompts, ICP registration lines, "Powered by …", "快速回复 返回顶部".  None of
it may be mined for entities, yet the text itself must stay untouched so that
offsets keep pointing into the decoded file.  So this module only *marks*
ranges: the report body is what is left after trimming a leading and a
trailing block of junk lines, and dropping the unmistakable junk lines (ICP,
copyright, "Powered by") that sit inside.

A line is judged on its own by two kinds of rule:

* strong patterns that never occur in a work report (ICP备, 公网安备, GMT+8,
  Powered by, ©, 版权…侵权), junk at any length;
* web-interface vocabulary (登录, 回复, 分享到, 楼主, 上一主题, …) that makes a
  short line junk when it covers a good part of it; a long report sentence
  that happens to contain 登录 or 回复 is not affected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .model import Span

LineKind = Literal["blank", "junk", "content"]

_STRONG = re.compile(
    r"ICP备|ICP证|公网安备|GMT\s*[+-]\s*\d|Powered\s+by|Processed\s+in\s+[\d.]+\s+second|©|Copyright|"
    r"版权所有|版权归|如有侵权|侵权请|转载.{0,12}(学习|交流|版权|出处)|技术支持\s*[:：]|All\s+Rights\s+Reserved",
    re.IGNORECASE,
)

#: Words of a web page's interface (forum, portal, share widgets), not of a report.
_UI_WORDS = (
    "搜索", "热搜", "上一主题", "下一主题", "上一篇", "下一篇", "复制链接", "跳转到指定楼层", "楼主", "沙发",
    "板凳", "地板", "发表于", "只看该作者", "倒序浏览", "阅读模式", "回帖奖励", "回帖", "分享到", "分享",
    "QQ好友", "QQ空间", "微博", "微信", "朋友圈", "收藏", "转播", "淘帖", "回复", "举报", "使用道具", "登录",
    "立即注册", "注册", "积分", "本版", "手机版", "快速回复", "返回顶部", "返回列表", "打印", "关闭窗口",
    "字体", "字号", "浏览次数", "阅读次数", "点击数", "责任编辑", "扫一扫", "discuz", "首页", "帖子",
    "查看", "电梯直达", "只看大图", "收起", "展开", "点赞", "评论", "置顶", "楼层", "上传", "附件",
)  # fmt: skip
_UI = re.compile("|".join(re.escape(w) for w in sorted(_UI_WORDS, key=len, reverse=True)), re.IGNORECASE)

#: Page furniture lines are short; a longer line is report prose even if it names 版权 or ©.
_STRONG_MAX_LEN = 200
_WHITESPACE = re.compile(r"\s")
#: A short line is interface junk when UI words cover at least this share of its visible characters.
_UI_SHARE = 0.3
#: Longer lines are prose; UI words inside them are a coincidence.
_UI_MAX_LEN = 80
#: A line that opens the report proper: a sentence (or at least a long line), not a title or a menu.
_SENTENCE_PUNCT = re.compile(r"[。，,；;：:！？]")
_SUBSTANTIAL_LEN = 40
_SUBSTANTIAL_WITH_PUNCT = 16


@dataclass(frozen=True, slots=True)
class Line:
    start: int
    end: int
    kind: LineKind
    strong: bool = False


def classify_line(line: str) -> tuple[LineKind, bool]:
    """``(kind, strong)`` for one line of text: blank, junk (strong or interface words) or content."""
    stripped = line.strip()
    if not stripped:
        return "blank", False
    if len(stripped) > _STRONG_MAX_LEN:
        return "content", False  # a paragraph of the report, whatever words it contains
    if _STRONG.search(stripped):
        return "junk", True
    visible = len(_WHITESPACE.sub("", stripped))
    if visible <= _UI_MAX_LEN:
        covered = sum(len(m.group(0)) for m in _UI.finditer(stripped))
        if covered and covered / visible >= _UI_SHARE:
            return "junk", False
    return "content", False


def split_lines(text: str) -> list[Line]:
    """Every line of ``text`` with its offsets (end excludes the newline) and kind."""
    out: list[Line] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n\u2028\u2029\x85\x0b\x0c\x1c\x1d\x1e")
        kind, strong = classify_line(body)
        out.append(Line(pos, pos + len(body), kind, strong))
        pos += len(raw)
    return out


def _substantial(text: str, line: Line) -> bool:
    if line.kind != "content":
        return False
    content = text[line.start : line.end].strip()
    return len(content) >= _SUBSTANTIAL_LEN or (
        len(content) >= _SUBSTANTIAL_WITH_PUNCT and bool(_SENTENCE_PUNCT.search(content))
    )


def body_ranges(text: str) -> list[Span]:
    """Ranges of ``text`` that hold the report itself, in order; the whole text when there is no junk.

    The leading block ends at the last junk line before the first sentence
    of the report; the trailing block starts at the first junk line after
    its last sentence.  In between, only strong junk lines are cut out.
    """
    lines = split_lines(text)
    if not any(line.kind == "junk" for line in lines):
        return _trimmed([(0, len(text))], text)
    first = next((i for i, line in enumerate(lines) if _substantial(text, line)), None)
    if first is None:
        return []
    last = max(i for i, line in enumerate(lines) if _substantial(text, line))
    head_junk = [i for i in range(first) if lines[i].kind == "junk"]
    lo = head_junk[-1] + 1 if head_junk else 0
    tail_junk = [i for i in range(last + 1, len(lines)) if lines[i].kind == "junk"]
    hi = tail_junk[0] if tail_junk else len(lines)

    ranges: list[Span] = []
    run_start: int | None = None
    run_end = 0
    for line in lines[lo:hi]:
        if line.kind == "junk" and line.strong:
            if run_start is not None:
                ranges.append((run_start, run_end))
                run_start = None
            continue
        if line.kind == "blank":
            continue
        if run_start is None:
            run_start = line.start
        run_end = line.end
    if run_start is not None:
        ranges.append((run_start, run_end))
    return _trimmed(ranges, text)


def _trimmed(ranges: list[Span], text: str) -> list[Span]:
    """Ranges without surrounding whitespace; empty ones dropped."""
    out: list[Span] = []
    for start, end in ranges:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            out.append((start, end))
    return out
