"""Entity mentions found in one sentence: book titles, quoted slogans, suffix grammars, trigger phrases.

Each recognizer returns :class:`Mention` records with offsets into the loaded
text.  Lists ("A、B、C等N家企业") are handled in :mod:`extract.lists`; the
resolution of overlapping mentions and the merging into entities live in
:mod:`extract.resolve` and :mod:`extract.aliases`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from extract.lexicon import Lexicon, load_lexicon
from extract.model import EntityType
from extract.names import (
    PROPER_POS,
    STOP_POS,
    Tokens,
    all_generic,
    expand_left,
    has_proper,
    in_dictionary,
    is_masked,
    name_stop,
    pos_of,
    stops_name,
)
from extract.segment import get_tokenizer
from extract.sentences import Sentence

#: How sure a recognizer is about its type, used when two mentions claim the same span.
PRIORITY = {
    "book": 6,
    "quote": 5,
    "trigger": 5,
    "list": 4,
    "context": 5,
    "agency": 4,
    "suffix": 2,
    "place": 1,
}

_BOOK = re.compile(r"《[^《》\n]{2,80}》")
_DOCNO = re.compile(r"\s*[(（]([^()（）\n]{0,16}〔\d{4}〕\d+号)[)）]")
_QUOTE = re.compile(r"“([^“”\n]{1,30})”")
_YEAR_BATCH = re.compile(r"^(?:(?:19|20)\d{2}年度?|[*＊X]年度|第[一二三四五六七八九十\d]+[批届]|首批)+")
_BAD_DIGITS = re.compile(r"\d(?!\d*年)")
_CJK2 = re.compile(r"[\u4e00-\u9fff].*[\u4e00-\u9fff]")
_TRAILING_OK = re.compile(
    r"^(?:工作|认定|创建|申报|预申报|评选|评定|自评|考核|初审|验收|称号|[一二三四五]星级|\([^()]*\))*$"
)
_PROJECT_QUOTE_HEADS = ("科创大脑", "大脑", "平台", "系统", "创新中心")
_LEVEL_END = re.compile(r"(?:国家级|省级|市级|区级|县级)$")


@dataclass(slots=True)
class Mention:
    """A span of the text that names an entity; ``forms`` are other names the recognizer knows it has."""

    start: int
    end: int
    type: EntityType
    text: str
    source: str
    forms: list[str] = field(default_factory=list)
    nested: bool = False
    #: set by list expansion for items of "…等项目" lists, which may be short names of projects
    short_name: bool = False
    #: the learned decision's probability that this span is an entity of ``type`` (None: rules only)
    score: float | None = None

    @property
    def priority(self) -> float:
        if self.score is not None:
            return 10.0 * self.score
        return PRIORITY.get(self.source, 0)


def strip_year_batch(name: str) -> str:
    """``2022年度第一批三星级绿色工厂`` → ``三星级绿色工厂``."""
    return _YEAR_BATCH.sub("", name)


def _mention(
    sent: Sentence, s: int, e: int, etype: EntityType, source: str, forms: list[str] | None = None
) -> Mention:
    return Mention(sent.start + s, sent.start + e, etype, sent.text[s:e], source, list(forms or []))


def book_titles(sent: Sentence) -> list[Mention]:
    out = []
    for m in _BOOK.finditer(sent.text):
        forms = []
        doc = _DOCNO.match(sent.text, m.end())
        if doc:
            forms.append(doc.group(1))
        out.append(_mention(sent, m.start(), m.end(), "Policy", "book", forms))
    return out


def _quote_ok(core: str, has_head: bool) -> bool:
    if not _CJK2.search(core) and not has_head:
        return False
    if "、" in core or "，" in core:
        parts = re.split("[、，]", core)
        if len(parts) >= 3 or any(len(p) < 3 or p[:1].isascii() for p in parts):
            return False
    return not (core[:1].isdigit() and not has_head and not _YEAR_BATCH.match(core))


def quoted(sent: Sentence, toks: Tokens, lex: Lexicon) -> list[Mention]:
    out = []
    text = sent.text
    for m in _QUOTE.finditer(text):
        core = m.group(1).strip()
        q_start, q_end = m.start(), m.end()
        right_end, right_head = _quote_right(text, toks, q_end, lex)
        if not _quote_ok(core, bool(right_head)):
            continue
        if core in lex.generic_words:
            continue
        left = _quote_left(text, toks, q_start, lex)
        if left == q_start and right_end == q_end and not _slogan_is_policy(text, q_start, q_end, core):
            continue
        etype: EntityType = "Policy"
        if right_head in _PROJECT_QUOTE_HEADS or core.endswith(_PROJECT_QUOTE_HEADS):
            etype = "Project"
        forms = []
        full_start, full_end = left, right_end
        if left < q_start:
            if right_end > q_end:
                forms += [text[left:q_end], text[q_start:right_end]]
        else:
            forms.append(text[q_start:q_end])
            if right_end > q_end:
                forms.append(core)
        out.append(_mention(sent, full_start, full_end, etype, "quote", forms))
    return out


_TIME_BEFORE = re.compile(r"(?:季度|[年月]度?|上半年|下半年|年初|年底|各)$")
_NOT_PROGRAMME_AFTER = re.compile(
    r"^(?:机制|工作机制|体系|格局|架构|组织架构|闭环|期间|规划|的|主要|目标任务|工作推进会|工作部署会|等关键|首场)"
)


def _slogan_is_policy(text: str, q_start: int, q_end: int, core: str) -> bool:
    """A bare quoted phrase names a programme only in a programme's context.

    “开门红”, “双过半” after a quarter are targets; “研发+中试+产业化” is a chain of
    steps; “拿地即开工” after 实现 is an outcome.  A quote with a head word or a
    modifier attached (“联企跑企”活动, 省级“未来工厂”) is decided elsewhere.
    """
    before = text[max(0, q_start - 4) : q_start]
    after = text[q_end : q_end + 6]
    if _TIME_BEFORE.search(before) or _NOT_PROGRAMME_AFTER.match(after):
        return False
    if len(re.split(r"[+＋\-－]", core)) >= 3 or re.fullmatch(r"[^+＋]*[\-－][^+＋]*", core):
        return False
    return not (before.endswith("实现") and (not after or after[0] in "，,。；;、"))


def _quote_right(text: str, toks: Tokens, pos: int, lex: Lexicon) -> tuple[int, str]:
    """End of the head words that follow a quote and belong to the name (“放管服”改革)."""
    if not toks.tokens or pos >= len(text):
        return pos, ""
    i = toks.index_at(pos)
    if toks.tokens[i].start != pos:
        return pos, ""
    best_end, best_head = pos, ""
    end = pos
    while i < len(toks.tokens) and toks.tokens[i].end - pos <= 16:
        tok = toks.tokens[i]
        head_here = next((h for h in lex.quote_heads if text.startswith(h, tok.start)), None)
        if head_here is not None:
            end = tok.start + len(head_here)
            best_end, best_head = end, head_here
            if lex.policy_heads.get(head_here):
                break
            i = toks.index_at(end) if end < len(text) else len(toks.tokens)
            if i < len(toks.tokens) and toks.tokens[i].start < end:
                break
            continue
        if tok.word in lex.leadin_words or (
            tok.word not in lex.quote_heads and stops_name(tok, lex, False, True)
        ):
            break
        end = tok.end
        seg = text[pos:end]
        for head in lex.quote_heads + _PROJECT_QUOTE_HEADS:
            if seg.endswith(head):
                best_end, best_head = end, head
                break
        if best_head and lex.policy_heads.get(best_head):
            break
        i += 1
    return best_end, best_head


def _quote_left(text: str, toks: Tokens, pos: int, lex: Lexicon) -> int:
    """Start of a modifier written right before a quote (工信部第三批重点“小巨人”名单)."""
    start = expand_left(toks, pos, lex, max_chars=14)
    if start >= pos:
        return pos
    left = text[start:pos]
    level = _LEVEL_END.search(left)
    if level is not None:
        return start + level.start()  # 省级“未来工厂”
    if any(left.endswith(w) for w in lex.agency_words) or left.endswith(("政府", "局", "委")):
        return pos
    if left.endswith(tuple(s for s in lex.zone_suffixes if len(s) >= 2)):
        return pos  # 临港化工新材料园区“污水零直排区”: the zone is where, not part of the name
    if left in lex.generic_words or left.endswith(("的", "和")):
        return pos
    return start


def trigger_policies(sent: Sentence, toks: Tokens, lex: Lexicon) -> list[Mention]:
    """Policies, lists and honours named after 列入/入选/获评/对照/申报… (列入市重点工程建设计划)."""
    out: list[Mention] = []
    text = sent.text
    taken: set[int] = set()
    for trig in lex.policy_triggers:  # longest first
        pos = text.find(trig)
        while pos >= 0:
            if pos not in taken and toks.is_boundary(pos):
                taken.add(pos)
                out += _after_trigger(sent, toks, pos + len(trig), lex)
            pos = text.find(trig, pos + 1)
    return out


def _after_trigger(sent: Sentence, toks: Tokens, pos: int, lex: Lexicon) -> list[Mention]:
    text = sent.text
    while pos < len(text) and text[pos] in "了到":
        pos += 1
    end = pos
    while end < len(text) and text[end] not in "，,；;。：:":
        end += 1
    out = []
    start = pos
    for part in re.split("(、)", text[pos:end]):
        if part == "、":
            start += 1
            continue
        m = _policy_in(part, lex)
        if m is not None:
            s, e = start + m[0], start + m[1]
            out.append(_mention(sent, s, e, "Policy", "trigger", _policy_forms(text[s:e])))
        start += len(part)
    return out


def _policy_in(part: str, lex: Lexicon) -> tuple[int, int] | None:
    """Span of a policy name at the start of ``part``, closed by a head word."""
    if part.startswith(("《", "“")) and part.count("”") <= 1 and part.endswith(("》", "”")):
        return None
    best: tuple[int, int] | None = None
    heads = _policy_head_regex(lex)
    pos = 0
    while True:
        m = heads.search(part, pos)
        if m is None:
            break
        i = m.end()
        if lex.policy_heads[m.group(0)]:
            if i >= 2:
                return _checked(part, 0, i)
        elif _TRAILING_OK.match(part[i:]):
            best = (0, i)
        pos = m.start() + 1
    return _checked(part, *best) if best else None


@cache
def _policy_head_regex(lex: Lexicon) -> re.Pattern[str]:
    words = sorted(lex.policy_heads, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words))


def _checked(part: str, s: int, e: int) -> tuple[int, int] | None:
    name = part[s:e]
    if name.count("“") != name.count("”") or name.count("《") != name.count("》"):
        return None
    if name.count("(") != name.count(")"):
        return None
    core = strip_year_batch(name)
    if len(core) < 4 or _BAD_DIGITS.search(re.sub(r"“[^”]*”", "", core)):
        return None
    if all_generic(get_tokenizer().lcut(core), load_lexicon()):
        return None
    return s, e


def _policy_forms(name: str) -> list[str]:
    core = strip_year_batch(name)
    return [core] if core != name else []


HeadIndex = dict[str, list[tuple[str, EntityType]]]


def head_index(heads: dict[str, EntityType]) -> HeadIndex:
    """Heads grouped by their last character, longest first, so a token end is checked in O(1)."""
    index: HeadIndex = {}
    for head, etype in sorted(heads.items(), key=lambda kv: -len(kv[0])):
        index.setdefault(head[-1], []).append((head, etype))
    return index


def suffix_names(sent: Sentence, toks: Tokens, lex: Lexicon, heads: HeadIndex) -> list[Mention]:
    """Names closed by a head word: …产业园 (Project), …片区 (Zone), …局 (Agency), …资金 (Funding)."""
    out: list[Mention] = []
    text = sent.text
    for tok in toks.tokens:
        end = tok.end
        for head, etype in heads.get(text[end - 1], ()):
            head_start = end - len(head)
            if head_start < 0 or not text.startswith(head, head_start):
                continue
            if head_start < tok.start and not toks.is_boundary(head_start):
                continue
            if etype == "Agency" and head_start > tok.start and _word_owns_head(tok.word):
                continue  # 举办, 部署: a common word that merely ends in a head character
            m = _suffix_name(sent, toks, head_start, end, head, etype, lex)
            if m is not None:
                out.append(m)
            break
    return out


def _suffix_name(
    sent: Sentence, toks: Tokens, head_start: int, end: int, head: str, etype: EntityType, lex: Lexicon
) -> Mention | None:
    text = sent.text
    max_chars = {"Project": 20, "Zone": 10, "Company": 8, "Funding": 16, "Agency": 14}[etype]
    if head in _LEGAL_FORMS:
        max_chars = 24  # a full registered name: 浙江海晟新材料科技股份有限公司
    if etype == "Company" and head in _BRANCH_HEADS:
        return _branch(sent, toks, head_start, end, lex)
    if head in _TRUNCATED_FUNDING:
        if not text.startswith(_PAYMENT_VERBS, end):
            return None  # 补助资 is a dropped 金 only before 兑现/拨付…
        level = _LEVEL_END.search(text, max(0, head_start - 3), head_start)
        start = level.start() if level is not None and level.end() == head_start else head_start
        return _mention(sent, start, end, etype, "suffix", [head + "金"])
    if etype == "Funding" and head in lex.funding_words and not head.endswith(_OPEN_FUNDING):
        return _mention(sent, head_start, end, etype, "suffix")
    if (
        etype == "Zone"
        and head in _STANDALONE_ZONES
        and (head_start == 0 or not _CJK1.match(text[head_start - 1]))
    ):
        return _mention(sent, head_start, end, etype, "suffix")
    start = expand_left(
        toks,
        head_start,
        lex,
        max_chars=max_chars,
        build_verbs=etype in ("Project", "Zone"),
        allow_verbs=etype in ("Project", "Funding"),
    )
    if start == head_start and head in _LEGAL_FORMS:
        start = _past_inner_verb(toks, head_start, lex, max_chars)
    if etype == "Zone":
        zone_start = _zone_start(toks, text, head_start, head, start, lex)
        if zone_start is None:
            return None
        start = zone_start
    # drop generic words on the left (企业奖励资金 -> 奖励资金; 特色产业园 stays generic)
    mod_tokens = [t.word for t in toks.tokens if start <= t.start and t.end <= head_start]
    if etype == "Company" and head not in _LEGAL_FORMS:
        start, mod_tokens = _after_descriptor(start, mod_tokens)
    if etype == "Funding":
        while mod_tokens and mod_tokens[0] in _FUNDING_GENERIC_LEFT:
            start += len(mod_tokens.pop(0))
    name = text[start:end]
    modifier = text[start:head_start]
    if not _suffix_ok(name, modifier, mod_tokens, head, etype, lex):
        return None
    return _mention(sent, start, end, etype, "suffix")


def _past_inner_verb(toks: Tokens, head_start: int, lex: Lexicon, max_chars: int) -> int:
    """A registered name whose last word reads as a verb alone (丸荣|化成|株式会社): the verb is
    part of the name when a name word stands before it; a clause verb (协助|…公司) has none."""
    i = toks.index_at(head_start) - 1
    if i < 1 or toks.tokens[i].end != head_start or pos_of(toks.tokens[i].word) != "v":
        return head_start
    if name_stop(toks, i - 1, lex, build_verbs=False):
        return head_start
    return expand_left(toks, toks.tokens[i].start, lex, max_chars=max_chars - len(toks.tokens[i].word))


#: One-character administrative heads: they close a zone only after a place name (宁波市, 南湾区).
_ADMIN_HEADS = frozenset("市区县镇乡省")
#: Words that stand after a zone's name without being part of it (宁波高新区|区域节能报告).
_AREA_TAILS = ("区域",)


def _is_place(word: str, lex: Lexicon) -> bool:
    """A place name: the gazetteer, or jieba's ``ns`` tag on anything but a one-character stem plus
    an administrative head (城市, 上市 and 山区 carry ``ns`` too)."""
    if word in lex.places:
        return True
    if len(word) >= 3 and word[-1] in "省市" and word[:-1] in lex.places:
        return True
    if pos_of(word) != "ns":
        return False
    return not (len(word) == 2 and word[-1] in _ADMIN_HEADS)


def _zone_start(toks: Tokens, text: str, head_start: int, head: str, start: int, lex: Lexicon) -> int | None:
    """Where a zone name closed by ``head`` begins, or ``None`` when the head does not close a zone.

    市/区/县 close a zone only after a place name: 城市, 上市, 全市 and 区县 are words of their own,
    and 共同富裕先行市 or 文明典范城市 are honours, not places.  After a known place the name
    takes no other words on its left (亚德客获宁波市 → 宁波市), and no zone name holds a
    function word (居全宁波各区县).  区域 after a zone's own head is not part of the name.
    """
    if head in _AREA_TAILS and text[start:head_start].endswith(lex.zone_suffixes):
        return None
    if len(head) == 1 and head in _ADMIN_HEADS:
        i = toks.index_at(head_start)
        tok = toks.tokens[i]
        prev = toks.tokens[i - 1].word if i > 0 else ""
        if tok.start < head_start:  # the head closes a longer word: 宁波市, 松阳县, 城市, 理县
            anchor, anchor_at = text[tok.start : head_start], i
            if len(anchor) == 1:
                if not (_is_place(prev, lex) and prev[-1] in "省市"):
                    return None  # 城市, 上市, 全市: words, unless a province or city precedes (四川省理县)
                anchor, anchor_at = prev, i - 1
        else:
            anchor, anchor_at = prev, i - 1
        if not anchor or anchor_at < 0:
            return None
        if _is_place(anchor, lex):
            j = anchor_at
            while j > 0 and toks.tokens[j - 1].start >= start:
                w = toks.tokens[j - 1].word
                if not (_is_place(w, lex) or w in ("省", "市")):
                    break
                j -= 1
            start = max(start, toks.tokens[j].start)
        elif not (is_masked(anchor) or pos_of(anchor) in PROPER_POS or not in_dictionary(anchor)):
            return None  # 先行市, 典范市: a common word before the head
    for k in range(toks.index_at(start), toks.index_at(head_start) + 1):
        t = toks.tokens[k]
        inside = start <= t.start and t.end <= head_start and not is_masked(t.word)
        if inside and (t.word in lex.leadin_words or pos_of(t.word) in STOP_POS):
            start = t.end
    return start


def _word_owns_head(word: str) -> bool:
    """Whether a dictionary word ends in a head by accident (举办 ends in 办, 部署 in 署)."""
    return in_dictionary(word) and pos_of(word) not in (None, "nt", "nz", "ns")


_STANDALONE_ZONES = frozenset({"高新区", "开发区", "经开区"})
_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "株式会社")
#: Heads of a bank's branch, named after the bank and the place it serves (X银行Y省分行).
_BRANCH_HEADS = ("分行", "支行")
#: A branch's whole name: the bank, the place, the head (also an exact grammar for the model).
BANK_BRANCH = re.compile(r"^[\u4e00-\u9fff]{2,10}银行[\u4e00-\u9fff]{1,8}?[分支]行$")


def _branch(sent: Sentence, toks: Tokens, head_start: int, end: int, lex: Lexicon) -> Mention | None:
    """青禾农商银行|城东|支行: a branch is named by its bank and its place; without a bank word
    before it (南湖市分行) the head names no one."""
    start = expand_left(toks, head_start, lex, max_chars=16)
    if BANK_BRANCH.match(sent.text[start:end]) is None:
        return None
    return _mention(sent, start, end, "Company", "suffix")


#: Instrument words that a programme's name may precede (服务业发展|引导资金, 产业|基金).
_OPEN_FUNDING = ("引导资金", "奖补资金", "基金")
_PAYMENT_VERBS = ("兑现", "兑付", "拨付", "下达", "发放")
_TRUNCATED_FUNDING = frozenset({"补助资", "奖励资", "扶持资"})
_CJK1 = re.compile(r"[\u4e00-\u9fffA-Za-z]")
#: A size or capacity written inside a project's name (12英寸, 年产20万吨): digits that belong to the name.
_MEASURE_IN_NAME = re.compile(r"\d+(?:\.\d+)?(?=万?(?:英寸|纳米|吨|套|台|件|平方米|千瓦|兆瓦|千伏|GW|MW))")
_FUNDING_GENERIC_LEFT = frozenset({"企业", "相关", "各类", "各项", "年度", "全年", "该", "社会"})
_GENERIC_PRONE_PROJECT = frozenset({"项目", "工程", "平台", "中心", "基地", "学校", "医院", "院校"})


def _after_descriptor(start: int, mod_tokens: list[str]) -> tuple[int, list[str]]:
    """A short name after the kind of firm it is (港资企业|青岚物流, 龙头企业|华信电子): the kind
    describes the company, it is not part of its name."""
    cut = max((k for k, w in enumerate(mod_tokens[:-1]) if w.endswith("企业")), default=None)
    if cut is None:
        return start, mod_tokens
    return start + sum(len(w) for w in mod_tokens[: cut + 1]), mod_tokens[cut + 1 :]


def _without_place(modifier: str, mod_tokens: list[str], lex: Lexicon) -> str:
    """A company's own name without the place it is from (新加坡|华益控股, 日本|丸荣化成株式会社):
    the short-name grammar bounds the name itself, not its home."""
    if len(mod_tokens) > 1 and mod_tokens[0] in lex.places:
        return modifier[len(mod_tokens[0]) :]
    return modifier


def _suffix_ok(
    name: str, modifier: str, mod_tokens: list[str], head: str, etype: EntityType, lex: Lexicon
) -> bool:
    if etype == "Funding":
        return name in lex.funding_words or (
            len(modifier) >= 2 and modifier not in lex.generic_words and modifier not in _FUNDING_GENERIC_LEFT
        )
    if len(modifier) < 2 and not (etype == "Zone" and is_masked(modifier) and modifier):
        return False
    if any(ch.isdigit() for ch in _MEASURE_IN_NAME.sub("", modifier)):
        return False
    if etype == "Agency":
        if len(head) == 1 and not modifier.startswith(lex.level_prefixes) and not is_masked(modifier[:2]):
            return False
        return not all_generic(mod_tokens, lex) and modifier not in lex.generic_words
    if etype == "Zone":
        if name in lex.zone_generic or modifier in lex.zone_generic:
            return False
        if len(head) == 1 or head in ("园区", "区域", "大厦"):
            return (
                has_proper(mod_tokens)
                or any(pos_of(w) in PROPER_POS for w in mod_tokens)
                or _is_place(modifier, lex)
            )
        return not all_generic(mod_tokens, lex)
    if etype == "Company":
        if modifier in lex.zone_generic:
            return False  # 高新区能源(管理): a zone word before an industry word names no company
        if head in _LEGAL_FORMS:
            return 2 <= len(modifier) <= 20 and not all_generic(mod_tokens, lex)
        own = _without_place(modifier, mod_tokens, lex)
        if head.endswith(("公司", "集团", "商会", "股份")):
            return 2 <= len(own) <= 6 and not all_generic(mod_tokens, lex)
        return 2 <= len(own) <= 4 and has_proper(mod_tokens[1:] if own != modifier else mod_tokens)
    # Project
    if all_generic(mod_tokens, lex) or modifier in lex.generic_words:
        return False
    if head in _GENERIC_PRONE_PROJECT:
        return has_proper(mod_tokens)
    return True


def agency_words(sent: Sentence, lex: Lexicon) -> list[Mention]:
    """Agencies from the lexicon, with their level or zone prefix (市发改委, XX区经信局, 宁波市委市政府)."""
    out = []
    text = sent.text
    for m in _agency_regex(lex).finditer(text):
        start = m.start()
        p = _AGENCY_PREFIX.search(text, max(0, start - 8), start)
        if p is not None and p.end() == start:
            pre = p.group(0)
            if (
                pre in lex.level_prefixes
                or pre[:-1] in lex.places
                or is_masked(pre[:-1])
                or pre[:-1] in _ZONE_WORDS
            ):
                start = p.start()
            elif pre[-1] in "省市区县":
                start -= 1
        out.append(_mention(sent, start, m.end(), "Agency", "agency"))
    return out


_AGENCY_PREFIX = re.compile(r"(?:[\u4e00-\u9fff]{2,3}|X{1,2}|\*{1,2})?[省市区县]|国家")
_ZONE_WORDS = frozenset({"高新", "开发", "新", "经开"})


@cache
def _agency_regex(lex: Lexicon) -> re.Pattern[str]:
    words = sorted(lex.agency_words | {"我局", "本局"}, key=len, reverse=True)
    return re.compile("(?:" + "|".join(re.escape(w) for w in words) + r")(?!〔)")


def places(sent: Sentence, toks: Tokens, lex: Lexicon) -> list[Mention]:
    """Provinces and cities from the gazetteer (宁波, 上海, 丽水), with 省/市 when written."""
    out = []
    text = sent.text
    for tok in toks.tokens:
        if tok.word in lex.places:
            end = tok.end
            if end < len(text) and text[end] in "省市" and not text.startswith(("市场", "市委", "市政"), end):
                end += 1
            out.append(_mention(sent, tok.start, end, "Zone", "place"))
    return out


_ZONE_CONTEXT = re.compile(r"在([^，。、在的]{2,10}?)(?:谋划|布局|规划建设|建设|打造)")


def zone_contexts(sent: Sentence, lex: Lexicon) -> list[Mention]:
    """``在X谋划/布局…``: X is an area (在智造港布局建设…)."""
    out = []
    for m in _ZONE_CONTEXT.finditer(sent.text):
        s, e = m.span(1)
        name = sent.text[s:e]
        for d in lex.directions:
            if name.startswith(d) and len(name) - len(d) >= 2:
                out.append(_mention(sent, s, e, "Zone", "context", [name[len(d) :]]))
                break
        else:
            if name not in lex.zone_generic and not any(ch.isdigit() for ch in name):
                out.append(_mention(sent, s, e, "Zone", "context"))
    return out
