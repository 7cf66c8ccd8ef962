"""Lists of names: "A、B、C等N家企业", "A、B等项目", "A、B获…", "X等8家企业".

Company and project names in these reports are mostly learned from list
context: the list's head noun (企业, 项目, 载体, 部门) types the items, and the
stated count (等2家企业, 四家) is checked against the number of items: a list
with more items than its count was split wrongly and is dropped.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from extract.lexicon import Lexicon
from extract.mentions import Mention
from extract.model import EntityType
from extract.names import Tokens, all_generic, name_stop, stops_name
from extract.sentences import Sentence

_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_TAIL = re.compile(
    r"(?P<deng>等)?(?P<count>\d+|[一二两三四五六七八九十]+)?(?P<more>多|余)?(?P<unit>家(?!次)|个|项)?"
    r"(?P<head>[^，,。；;、“”《》\d]{0,10}?(?:企业|公司|项目|载体|平台|部门|单位))?"
)
_PARTICIPATION = re.compile(r"^(?:入选|获评|获得|获|列入|纳入|申报|评定为|评为|为[一二三四五]星级|开展|参加)")
_CONJ = frozenset({"和", "及", "与", "以及"})
_ITEM_STOPS = frozenset({"等", "为"})
_BRACKETS = {"(": ")", "（": "）"}


@dataclass(slots=True)
class ItemList:
    """A list found in a sentence; offsets into the loaded text."""

    items: list[Mention]
    head: str
    count: int | None
    start: int
    end: int
    trigger: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def _count(text: str | None) -> int | None:
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if len(text) == 1:
        return _CN_NUM.get(text)
    if text.startswith("十"):
        return 10 + _CN_NUM.get(text[1], 0)
    if len(text) == 2 and text[1] == "十":
        return _CN_NUM.get(text[0], 0) * 10
    return None


def _quoted_at(text: str, pos: int) -> bool:
    depth = 0
    for ch in text[:pos]:
        if ch in "“《":
            depth += 1
        elif ch in "”》" and depth:
            depth -= 1
    return depth > 0


def _item_start(toks: Tokens, end: int, limit: int, lex: Lexicon) -> int:
    """Start of the list's first item, which ends at ``end``: lead-in verbs and time words are left out."""
    i = toks.index_at(end - 1) if end > 0 else -1
    start = end
    while i >= 0:
        tok = toks.tokens[i]
        if tok.start < limit or end - tok.start > 14:
            break
        if tok.word in _CONJ:
            prev = toks.tokens[i - 1] if i > 0 else None
            # "辅导和利时": 和 after a lead-in verb belongs to the name
            if (
                tok.word == "和"
                and prev is not None
                and prev.word in lex.leadin_words
                and end - tok.start >= 3
            ):
                start = tok.start
            break
        if tok.word in ")）":
            j = i - 1
            while j >= 0 and toks.tokens[j].word not in "(（" and i - j < 6:
                j -= 1
            if j >= 0 and toks.tokens[j].word in "(（":
                start = toks.tokens[j].start
                i = j - 1
                continue
            break
        if name_stop(toks, i, lex) and not (tok.end == end and tok.word in lex.company_suffixes):
            break  # an industry word closing the item (恒源|铸造) is its head, not a verb
        start = tok.start
        i -= 1
    return start


ABBREVIATION = re.compile(r"[（(](?:以下)?简称[:：]?[“\"]?([^“”\"（）()，,、]{2,12})[”\"]?[）)]")


def _without_abbreviation(
    text: str, toks: Tokens, lex: Lexicon, s: int, e: int, limit: int
) -> tuple[int, int]:
    """An item written with its short name in brackets (全称（简称“禾丰供应链”）) is the full name."""
    for m in ABBREVIATION.finditer(text, s, e):
        if m.end() == e:
            start = s if s < m.start() else _item_start(toks, m.start(), limit, lex)
            return start, m.start()
    return s, e


def _last_items(toks: Tokens, start: int, limit: int, lex: Lexicon) -> tuple[list[tuple[int, int]], int]:
    """Items from ``start`` up to the first word that cannot be in a name; splits on 和/及."""
    items: list[tuple[int, int]] = []
    i = toks.index_at(start)
    cur = start
    end = start
    while i < len(toks.tokens):
        tok = toks.tokens[i]
        if tok.start >= limit or tok.end - cur > 20:
            break
        if tok.word in _CONJ and end - cur >= 2:
            items.append((cur, end))
            cur = end = tok.end
            i += 1
            continue
        if tok.word in _BRACKETS:
            j = i + 1
            while j < len(toks.tokens) and toks.tokens[j].word != _BRACKETS[tok.word] and j - i < 6:
                j += 1
            nxt = toks.tokens[j + 1] if j + 1 < len(toks.tokens) else None
            if (
                j < len(toks.tokens)
                and nxt is not None
                and not stops_name(nxt, lex, True)
                and nxt.word not in "，,、"
            ):
                end = toks.tokens[j].end
                i = j + 1
                continue
            break
        if tok.word in _ITEM_STOPS or (tok.start > cur and name_stop(toks, i, lex)):
            break
        if tok.start == cur and name_stop(toks, i, lex) and not tok.word.isalpha():
            break
        end = tok.end
        i += 1
    if end - cur >= 2:
        items.append((cur, end))
    return items, end


def find_lists(sent: Sentence, toks: Tokens, lex: Lexicon, own_type: dict[str, EntityType]) -> list[ItemList]:
    """Lists in ``sent``; ``own_type`` maps name suffixes to the type they give an item on their own."""
    out: list[ItemList] = []
    text = sent.text
    for c_start, c_end in sent.clauses():
        # a clause may hold several lists, each closed by 等 (A、B等7家企业申报C、D项目)
        cuts = [c_start]
        i = text.find("等", c_start, c_end)
        while i >= 0:
            cuts.append(i + 1)
            i = text.find("等", i + 1, c_end)
        cuts.append(c_end)
        for seg_start, seg_end in itertools.pairwise(cuts):
            if seg_end <= seg_start:
                continue
            seps = []
            i = text.find("、", seg_start, seg_end)
            while i >= 0:
                if not _quoted_at(text, i):
                    seps.append(i)
                i = text.find("、", i + 1, seg_end)
            if seps:
                lst = _list_with_separators(sent, toks, lex, own_type, seg_start, c_end, seps)
            else:
                lst = _single_item_list(sent, toks, lex, own_type, seg_start, seg_end)
            if lst is not None:
                out.append(lst)
    return out


def _list_with_separators(
    sent: Sentence,
    toks: Tokens,
    lex: Lexicon,
    own_type: dict[str, EntityType],
    c_start: int,
    c_end: int,
    seps: list[int],
) -> ItemList | None:
    text = sent.text
    spans: list[tuple[int, int]] = []
    first_start = _item_start(toks, seps[0], c_start, lex)
    spans.append((first_start, seps[0]))
    for a, b in itertools.pairwise(seps):
        spans.append((a + 1, b))
    last, tail_pos = _last_items(toks, seps[-1] + 1, c_end, lex)
    spans += last
    spans = [_without_abbreviation(text, toks, lex, s, e, c_start) for s, e in spans]
    if any(not 2 <= e - s <= 22 for s, e in spans) or text[spans[0][0]] in "《“":
        return None
    tail = _TAIL.match(text, tail_pos, c_end)
    assert tail is not None
    head = (tail.group("head") or "") if tail.group("deng") or tail.group("count") else ""
    if not head and tail.group("deng") and tail.group("unit") == "家":
        head = "企业"
    count = _count(tail.group("count")) if tail.group("unit") else None
    rest = text[tail.end() : c_end]
    trigger = bool(_PARTICIPATION.match(rest)) or bool(_PARTICIPATION.match(text[tail_pos:c_end]))
    if not head and tail.group("unit") == "家":
        head = "企业"
    if not head and text[spans[-1][0] : spans[-1][1]].endswith("部门"):
        head = "部门"
    if not head and not trigger:
        return None
    if count is not None and not tail.group("more") and count < len(spans):
        return None
    items = _typed_items(sent, toks, lex, own_type, spans, head)
    if len(items) < max(1, len(spans) - 1):
        return None
    return ItemList(items, head, count, sent.start + spans[0][0], sent.start + tail.end(), trigger)


def _single_item_list(
    sent: Sentence,
    toks: Tokens,
    lex: Lexicon,
    own_type: dict[str, EntityType],
    c_start: int,
    c_end: int,
) -> ItemList | None:
    text = sent.text
    pos = text.find("等", c_start, c_end)
    if pos <= c_start + 1:
        return None
    tail = _TAIL.match(text, pos, c_end)
    if tail is None or not (tail.group("head") or tail.group("unit") == "家"):
        return None
    head = tail.group("head") or "企业"
    if not head.endswith(("企业", "项目", "公司")):
        return None
    start = _item_start(toks, pos, c_start, lex)
    items = _typed_items(sent, toks, lex, own_type, [(start, pos)], head)
    if not items:
        return None
    rest = text[tail.end() : c_end]
    count = _count(tail.group("count")) if tail.group("unit") else None
    return ItemList(
        items, head, count, sent.start + start, sent.start + tail.end(), bool(_PARTICIPATION.match(rest))
    )


def _typed_items(
    sent: Sentence,
    toks: Tokens,
    lex: Lexicon,
    own_type: dict[str, EntityType],
    spans: list[tuple[int, int]],
    head: str,
) -> list[Mention]:
    text = sent.text
    head_type: EntityType | None
    if head.endswith(("企业", "公司")) or not head:
        head_type = "Company"
    elif head.endswith("部门"):
        head_type = "Agency"
    elif head.endswith(("载体", "平台")):
        head_type = "Project"
    elif head.endswith(("项目",)):
        head_type = "Company"
    else:
        head_type = None
    out = []
    for s, e in spans:
        name = text[s:e].strip()
        if len(name) < 2 or any(ch.isdigit() for ch in name) or name in lex.generic_words:
            continue
        if name in lex.utility_words:
            continue  # 发改、供电、住建等部门: the utility is listed beside departments, it is not one
        words = [t.word for t in toks.tokens if s <= t.start and t.end <= e]
        if all_generic(words, lex):
            continue
        # a place in a list is a place whatever the list's head (赴长三角、珠三角开展…, 赴日本、韩国…)
        etype = "Zone" if name in lex.places else _own_type(name, own_type)
        short = False
        if etype is None:
            if head_type is None:
                continue
            etype = head_type
            short = head.endswith("项目")
        elif head_type == "Agency":
            etype = "Agency"
        m = Mention(sent.start + s, sent.start + e, etype, name, "list")
        m.short_name = short
        out.append(m)
    return out


def _own_type(name: str, own_type: dict[str, EntityType]) -> EntityType | None:
    for n in range(min(len(name), 7), 1, -1):
        t = own_type.get(name[-n:])
        if t is not None:
            return t
    return None
