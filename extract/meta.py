"""What a report says about itself: issuer, title, date, covered period, year and zone.

The year matters most: it anchors every relative period the engine meets
(今年, 上半年, 年底).  Sources are tried from the most to the least explicit:

* portal header fields (``发布机构: 经济发展局``, ``成文日期: 2023-11-08``);
* the title line (``经发局2023年上半年工作总结和下半年工作思路``; a forum tag such as
  ``[计划总结]`` is dropped);
* the opening sentence (``上半年，经发局牢牢把握…``);
* counts over the body (the most frequent ``20xx年``);
* the page's posting date (``发表于 2022-7-4``), which is when a copy was put
  online, not the report's date: it only anchors the year;
* as a last resort, a national event the report looks forward to
  (``重点关注二十大等时段``): the Party congresses fall in known years.

Anything not found stays None rather than being guessed.
"""

from __future__ import annotations

import re
from collections import Counter

from .dates import explicit_years, find_period, parse_date, resolve_with_year
from .model import LoadedText, Period, ReportMeta, Span

_FIELD = re.compile(
    r"(?P<key>发布机构|发文机关|发文单位|发布单位|成文日期|发文日期|印发日期|发布日期)\s*[:：]?\s*"
    r"(?P<value>[^\s:：|｜]+(?:[ \t]*\d{1,2}:\d{2}(?::\d{2})?)?)"
)
_ISSUER_KEYS = ("发布机构", "发文机关", "发文单位", "发布单位")
_DATE_KEYS = ("成文日期", "发文日期", "印发日期", "发布日期")
_POSTED = re.compile(
    r"(?:发表于|发布时间|发帖时间|发表时间)\s*[:：]?\s*((?:19|20)\d{2}[-./年]\d{1,2}[-./月]\d{1,2})"
)

#: Words a work report's title is made of (a title names what kind of document it is).
_TITLE_WORDS = re.compile(
    r"总结|工作思路|工作报告|情况报告|工作要点|工作计划|工作情况|述职|的报告|的汇报|情况汇报|执行情况|推进情况|预算草案"
)
#: What may precede a title on its line: markdown heading marks, a forum tag such as [计划总结].
_FORUM_TAG = re.compile(r"^\s*(?:#{1,6}\s*)?(?:\[[^\]]{1,12}\]|【[^】]{1,12}】)?\s*")
_ENUMERATOR = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．])"
)
_NOT_TITLE_PUNCT = re.compile(r"[。；;，,！？!?：:]")
_TITLE_MAX = 60
#: How many non-blank lines from the top of the body may hold the title.
_TITLE_WINDOW = 15

#: Endings of government bodies.  局 is checked against words where it means "situation" (格局, 开局 …).
_AGENCY_END = re.compile(r"管委会|委员会|办公室|局|委|办|厅|署")
_NOT_AGENCY_BEFORE_JU = frozenset("格布开大全结出破残变时饭赌棋当僵骗终胜败乱定")
_NAME_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-zＸ*＊]")
_LEADING_TIME = re.compile(
    r"^(?:(?:19|20)\d{2}年)?(?:上半年|下半年|全年|今年|去年|年初|年底|年内|近年来|近期|以来|[一二三四]季度|前三季度)+"
)
_LEADING_FUNCTION = re.compile(r"^(?:我|本|在|由|对|向|为|据|经过|通过)")
#: The opening of the report: the agency that speaks is named within these characters.
_OPENING_CHARS = 200

#: Zone words that are a type rather than a name: the report usually prefixes the city somewhere (宁波高新区).
_GENERIC_ZONES = (
    "经济技术开发区", "高新技术产业开发区", "经济开发区", "高新区", "开发区", "经开区", "新区", "保税区",
)  # fmt: skip
#: Longest first, so 高新区 is not also counted as 新区.
_GENERIC_ZONE_WORD = re.compile("|".join(sorted(_GENERIC_ZONES, key=len, reverse=True)))
_ZONE_IN_ISSUER = re.compile(
    r"^(?P<zone>[\u4e00-\u9fffXＸ*]{1,10}?(?:新区|高新区|开发区|经开区|区|县|市|镇|街道))"
)
_NOT_PLACE = frozenset("年月日的了在对为和与及是将把被由向从打造推进加快全我本该各今去明")

#: Party congresses (十八大 …) by the year they are held; a report that watches over one is from that year.
_CONGRESS_YEAR = {"十八大": 2012, "十九大": 2017, "二十大": 2022, "二十一大": 2027}
_CONGRESS = re.compile(r"(二十一大|二十大|十九大|十八大)")
#: Context showing the congress is ahead or under way (security, "迎接"), not past ("精神" after it).
_CONGRESS_AHEAD = re.compile(r"迎接|召开前|期间|时段|前后|安保|维稳|关注|保障")
_CONGRESS_PAST = re.compile(r"精神|胜利召开|召开以来|报告提出|指出|之后")


def read_meta(loaded: LoadedText) -> ReportMeta:
    """Metadata of ``loaded``: header fields may sit anywhere, everything else comes from the body."""
    text = loaded.text
    body = loaded.body or [(0, len(text))]
    body_text = "\n".join(text[s:e] for s, e in body)
    fields = _fields(text)

    title = _title(text, body)
    issuer = next((fields[k] for k in _ISSUER_KEYS if k in fields), None)
    if issuer is None and title is not None:
        issuer = _issuer_in_title(title, body_text)
    opening = _opening(body_text)
    if issuer is None:
        issuer = _issuer_line(_lines(text, body)[:_TITLE_WINDOW])
    if issuer is None:
        issuer = _first_agency(opening)

    date = next((parse_date(fields[k]) for k in _DATE_KEYS if k in fields and parse_date(fields[k])), None)
    if date is None:
        date = _signature_date(body_text)

    period = find_period(title, None) if title else None
    if period is None:
        period = find_period(opening, None)

    year = _year(period, date, body_text, text, body)
    if period is not None and year is not None:
        period = resolve_with_year(period, year)
    if period is not None and period.start is None:
        period = None

    zone = _zone(issuer, opening, body_text)
    return ReportMeta(title=title, issuer=issuer, date=date, period=period, year=year, zone=zone)


def _fields(text: str) -> dict[str, str]:
    """Header fields of a portal page; the first value of each key wins."""
    out: dict[str, str] = {}
    for match in _FIELD.finditer(text):
        out.setdefault(match["key"], match["value"].strip())
    return out


def _lines(text: str, ranges: list[Span]) -> list[str]:
    out: list[str] = []
    for start, end in ranges:
        out.extend(line.strip() for line in text[start:end].splitlines() if line.strip())
    return out


def _clean_title(line: str) -> str:
    return _FORUM_TAG.sub("", line, count=1).strip().strip("*").strip()


def _is_title(line: str) -> bool:
    if len(line) > _TITLE_MAX or len(line) < 4:
        return False
    if _ENUMERATOR.match(line) or _NOT_TITLE_PUNCT.search(line) or _FIELD.match(line):
        return False
    return bool(_TITLE_WORDS.search(line))


def _title(text: str, body: list[Span]) -> str | None:
    """The title line near the top of the body; failing that, anywhere near the top of the page."""
    for lines in (_lines(text, body)[:_TITLE_WINDOW], _lines(text, [(0, len(text))])[:_TITLE_WINDOW]):
        for line in lines:
            cleaned = _clean_title(line)
            if _is_title(cleaned):
                return cleaned
    return None


def _issuer_in_title(title: str, body_text: str) -> str | None:
    """``区经信局2022年上半年工作总结`` → 区经信局, written out in full when the body does (XX区经信局)."""
    head = re.split(r"(?:19|20)\d{2}\s*年|[上下]半年|关于|工作", title, maxsplit=1)[0].strip()
    agency = _agency_at_end(head)
    if agency is None:
        return None
    if agency[0] in "区市县镇省" and len(agency) <= 6:
        for match in re.finditer(re.escape(agency), body_text):
            prefix = _name_before(body_text, match.start(), limit=6)
            prefix = _LEADING_TIME.sub("", prefix)
            if prefix and not set(prefix) & _NOT_PLACE:
                return prefix + agency
    return agency


def _agency_at_end(head: str) -> str | None:
    """``head`` itself when it is an agency name (ends with 局, 委, 办 …)."""
    ending = _AGENCY_END.search(head[-3:])
    if ending is None or len(head) - 3 + ending.end() != len(head) or len(head) < 2:
        return None
    return head


def _name_before(text: str, end: int, limit: int) -> str:
    """The run of name characters just before ``end`` (at most ``limit``), stopping at punctuation."""
    start = end
    while start > 0 and end - start < limit and _NAME_CHAR.match(text[start - 1]):
        start -= 1
    return text[start:end]


def _opening(body_text: str) -> str:
    """The first sentences of the report proper (after the title and header fields)."""
    for line in body_text.splitlines():
        stripped = line.strip()
        if len(stripped) >= 20 and re.search(r"[。，,；;]", stripped) and not _FIELD.search(stripped):
            return stripped[:_OPENING_CHARS]
    return body_text[:_OPENING_CHARS]


def _first_agency(opening: str) -> str | None:
    """The first agency-like word in the opening sentence: ``上半年，经发局牢牢把握…`` → 经发局."""
    for match in _AGENCY_END.finditer(opening):
        before = opening[match.start() - 1] if match.start() else ""
        if match.group(0) == "局" and before in _NOT_AGENCY_BEFORE_JU:
            continue
        if opening[match.end() : match.end() + 1] in ("托", "员"):
            continue  # 委托, 委员: a verb and a member, not a committee
        name = _name_before(opening, match.end(), limit=12)
        name = _LEADING_FUNCTION.sub("", _LEADING_TIME.sub("", name))
        if 2 <= len(name) <= 12 and len(name) > len(match.group(0)):
            return name
    return None


#: A line that is only an agency's name, perhaps with a second name in brackets or an office-holder
#: after it: 青溪市住房和城乡建设局（市重点工程建设中心）, 青溪区财政局局长  林某某.
_ISSUER_LINE = re.compile(
    r"^(?P<agency>[\u4e00-\u9fffXＸ*＊]{2,24}?(?:管委会|委员会|办公室|局|委|办|厅|署))"
    r"(?:[（(][^（）()]{1,20}[)）])?(?:(?:局长|主任|厅长|书记|副局长|副主任)\s*[\u4e00-\u9fff]{2,4})?$"
)


def _issuer_line(lines: list[str]) -> str | None:
    """The agency named on a line of its own near the top (the sender of a 汇报, the speaker of a 报告)."""
    for line in lines:
        m = _ISSUER_LINE.match(re.sub(r"\s+", "", line) if len(line) <= 40 else "")
        if m:
            return m["agency"]
    return None


def _signature_date(body_text: str) -> str | None:
    """A date standing alone on one of the last lines, where a report is signed and dated."""
    lines = [line.strip() for line in body_text.splitlines() if line.strip()]
    for line in lines[-3:]:
        if len(line) <= 16:
            found = parse_date(line)
            if found:
                return found
    return None


def _year(period: Period | None, date: str | None, body_text: str, text: str, body: list[Span]) -> int | None:
    if period is not None and period.start is not None:
        return int(period.start[:4])
    if date is not None:
        return int(date[:4])
    counts = explicit_years(body_text)
    if counts:
        top = max(counts.values())
        return max(y for y, n in counts.items() if n == top)
    posted = _POSTED.search(text)
    if posted and parse_date(posted.group(1)):
        return int(posted.group(1)[:4])
    return _congress_year(body_text)


def _congress_year(body_text: str) -> int | None:
    """The year of a Party congress the report treats as ahead or under way (二十大 → 2022)."""
    for match in _CONGRESS.finditer(body_text):
        around = body_text[max(0, match.start() - 12) : match.end() + 8]
        after = body_text[match.end() : match.end() + 8]
        if _CONGRESS_AHEAD.search(around) and not _CONGRESS_PAST.search(after):
            return _CONGRESS_YEAR[match.group(1)]
    return None


def _zone(issuer: str | None, opening: str, body_text: str) -> str | None:
    """The zone the report speaks for: a place prefix of its issuer or of the agency that opens it."""
    candidates = [issuer] if issuer else []
    speaker = _first_agency(opening)
    if speaker and speaker != issuer:
        candidates.append(speaker)
    for name in candidates:
        match = _ZONE_IN_ISSUER.match(name)
        if match and len(match["zone"]) < len(name) and match["zone"] not in "区市县镇":
            return _expand_zone(match["zone"], body_text)
    # No agency names its zone: a generic zone word the text keeps coming back to (高新区 ×6).
    counts = Counter(m.group(0) for m in _GENERIC_ZONE_WORD.finditer(body_text))
    if counts:
        word, n = counts.most_common(1)[0]
        if n >= 2:
            return _expand_zone(word, body_text)
    return None


def _expand_zone(zone: str, body_text: str) -> str:
    """``高新区`` → ``宁波高新区`` when the text names the city in front of a generic zone word."""
    if zone not in _GENERIC_ZONES:
        return zone
    prefixes: Counter[str] = Counter()
    for match in re.finditer(re.escape(zone), body_text):
        before = body_text[max(0, match.start() - 3) : match.start()]
        city = before if before.endswith("市") else before[-2:]
        if len(city) >= 2 and all(_NAME_CHAR.match(c) for c in city) and not set(city) & _NOT_PLACE:
            prefixes[city] += 1
    # A real city prefix is either written as a city elsewhere (宁波市) or used more than once.
    cities = [(n + 2 * (c + "市" in body_text or c.endswith("市")), c) for c, n in prefixes.items()]
    cities = [(score, c) for score, c in cities if score >= 2]
    if cities:
        return max(cities)[1] + zone
    return zone
