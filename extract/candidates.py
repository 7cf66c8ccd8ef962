"""Wide candidate spans for the learned mention decision.

The hand recognizers in :mod:`extract.mentions` each pick one left edge for a
name; on a report nobody tuned them on that edge is often wrong (a name cut in
half, a clause verb swallowed).  Here every head word — a suffix of the genre
grammars, an honour or qualification head, a quoted programme — yields *every*
left edge at a token boundary up to a bound, and the trained model decides
which one (if any) is the name and what type it has.  High recall is the job;
precision is the model's.
"""

from __future__ import annotations

import re
from functools import cache

from extract.lexicon import load_lexicon
from extract.mentions import BANK_BRANCH, Mention
from extract.model import EntityType
from extract.names import Tokens, in_dictionary, is_masked, pos_of
from extract.sentences import Sentence

#: How far left of its head a candidate may start, in tokens and characters.
MAX_TOKENS = 12
MAX_CHARS = 30

_CJK = re.compile(r"[\u4e00-\u9fff]")
#: Characters that may sit inside a name besides CJK and ASCII letters/digits.
_NAME_CHARS = frozenset("·-—－()（）“”*＊Ｘ×")
_QUOTE = re.compile(r"“([^“”\n]{1,30})”")
#: 区委、区政府 and 市委、市政府: the party committee and the government named as one body.
_PAIRED_BODIES = re.compile(r"([省市区县])委[、和]([省市区县])政府")
#: A phase written after a project's head belongs to its name: …改造工程（二期）, …新区医院（一期）.
#: A phase written after a name: 改造工程（一期）.
PHASE_AFTER = re.compile(r"[（(][一二三四五六七八九十\d]+期[)）]")
_PHASE_AT_END = re.compile(PHASE_AFTER.pattern + "$")


@cache
def head_types() -> dict[str, frozenset[EntityType]]:
    """Head word → the types a name closed by it may have (the model chooses among them)."""
    lex = load_lexicon()
    heads: dict[str, set[EntityType]] = {}

    def add(words: object, etype: EntityType) -> None:
        for w in words:  # type: ignore[attr-defined]
            if w:
                heads.setdefault(w, set()).add(etype)

    add(lex.agency_suffixes, "Agency")
    add([w for w in lex.agency_words if len(w) >= 2], "Agency")
    add(lex.company_suffixes, "Company")
    add(lex.zone_suffixes, "Zone")
    add(lex.project_suffixes, "Project")
    add(lex.funding_suffixes, "Funding")
    add(lex.funding_words, "Funding")
    add(lex.policy_heads, "Policy")
    add(lex.honour_heads, "Policy")
    return {h: frozenset(t) for h, t in heads.items()}


@cache
def _heads_by_last_char() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for h in sorted(head_types(), key=len, reverse=True):
        out.setdefault(h[-1], []).append(h)
    return out


def _name_token(word: str) -> bool:
    """Whether a token may be part of a name at all (punctuation and spaces may not)."""
    if is_masked(word) or word in _NAME_CHARS:
        return True
    return all(_CJK.match(ch) or (ch.isascii() and ch.isalnum()) or ch in _NAME_CHARS for ch in word)


@cache
def _cannot_open(word: str) -> bool:
    """Words no name starts with: clause lead-ins, prepositions, conjunctions, particles, adverbs."""
    return word in load_lexicon().leadin_words or pos_of(word) in _NOT_OPENING_POS


_NOT_OPENING_POS = frozenset({"p", "c", "u", "uj", "ul", "uz", "ug", "ud", "uv", "d", "r", "y", "e", "o"})


def _head_at(text: str, end: int) -> str | None:
    for h in _heads_by_last_char().get(text[end - 1], ()):
        if text.startswith(h, end - len(h)):
            return h
    return None


def head_spans(sent: Sentence, toks: Tokens) -> list[Mention]:
    """Every (left edge, head) span of the sentence; type is the head's first type (a hint only)."""
    text = sent.text
    tokens = toks.tokens
    out: list[Mention] = []
    types = head_types()
    for i, tok in enumerate(tokens):
        head = _head_at(text, tok.end)
        if head is None:
            continue
        hint = sorted(types[head])[0]
        end = tok.end
        start_floor = max(0, end - MAX_CHARS)
        j = i
        while j >= 0 and i - j < MAX_TOKENS:
            t = tokens[j]
            if t.start < start_floor or not _name_token(t.word):
                break
            if j < i and _cannot_open(t.word):
                j -= 1
                continue  # a span opening with 推动, 和 or 的 is never a name; longer ones may still be
            start = t.start
            if end - start > len(head) or len(head) >= 2:
                m = Mention(sent.start + start, sent.start + end, hint, text[start:end], "span")
                out.append(m)
            j -= 1
        phase = PHASE_AFTER.match(text, end)
        if phase is not None:
            out += [
                Mention(
                    m.start,
                    sent.start + phase.end(),
                    m.type,
                    text[m.start - sent.start : phase.end()],
                    "span",
                )
                for m in out
                if m.end == sent.start + end and m.source == "span"
            ]
    out += _quote_spans(sent, toks)
    for pm in _PAIRED_BODIES.finditer(text):
        if pm.group(1) == pm.group(2):
            whole = pm.group(0)
            out.append(Mention(sent.start + pm.start(), sent.start + pm.end(), "Agency", whole, "paired"))
    return out


#: A numbered item opening its sentence: 1. / 1、 / （1）.
_ITEM_MARK = re.compile(r"\s*(?:\d{1,2}[.．、]|[（(]\d{1,2}[)）])\s*")
_TITLE_END = re.compile(r"[。；;\s]*$")
_ITEM_TITLE_MAX = 40
_INNER_STOP = re.compile(r"[，,。；;：:！？]")
_SHORT_NAME_AT_END = re.compile(r"[（(](?:以下)?简称[^）)]*[）)]$")
_NOT_TITLE_OPENING_POS = ("v", "d", "p", "c", "r")


def without_phase(name: str) -> str:
    """``云栖路改造工程（一期）`` → ``云栖路改造工程``; a name without a trailing phase as it is."""
    m = _PHASE_AT_END.search(name)
    return name[: m.start()] if m is not None else name


def item_title(sent: Sentence, toks: Tokens) -> list[Mention]:
    """``5.城西棚户区改造安置房（安和小区）项目。``: a numbered item whose whole title is a name
    closed by a project or company head names the item's subject (the genre's project lists:
    建设单位、总投资、资金来源 follow).  A title that opens with a verb (加快项目建设) is a task."""
    text = sent.text
    mark = _ITEM_MARK.match(text)
    if mark is None or not toks.tokens:
        return []
    end = _TITLE_END.search(text, mark.end()).start()  # type: ignore[union-attr]
    start = mark.end()
    short = _SHORT_NAME_AT_END.search(text, start, end)
    if short is not None:
        end = short.start()  # X工程（以下简称“X扩建”）: the short name is the alias step's
    title = text[start:end]
    if not 4 <= len(title) <= _ITEM_TITLE_MAX or _INNER_STOP.search(title):
        return []
    if title.count("（") != title.count("）") or title.count("“") != title.count("”"):
        return []
    first = toks.tokens[toks.index_at(start)]
    if first.start != start:
        return []
    if (pos_of(first.word) or "x").startswith(_NOT_TITLE_OPENING_POS):
        return []
    types = head_types()
    bare = without_phase(title)
    head = next((bare[-k:] for k in range(min(len(bare), 8), 0, -1) if bare[-k:] in types), None)
    if head is None or len(head) == len(bare):
        return []
    kinds = types[head] & {"Project", "Company"}
    if not kinds:
        return []
    etype = "Project" if "Project" in kinds else "Company"
    return [Mention(sent.start + start, sent.start + end, etype, title, "item_title")]  # type: ignore[arg-type]


def _quote_spans(sent: Sentence, toks: Tokens) -> list[Mention]:
    """A quoted phrase alone, with a head right after it, and with up to four tokens before it."""
    text = sent.text
    out: list[Mention] = []
    for m in _QUOTE.finditer(text):
        q_start, q_end = m.start(), m.end()
        ends = [q_end]
        if q_end < len(text) and toks.tokens:
            k = toks.index_at(q_end)
            if toks.tokens[k].start == q_end and _head_at(text, toks.tokens[k].end):
                ends.append(toks.tokens[k].end)
        starts = [q_start]
        if toks.tokens and q_start > 0:
            k = toks.index_at(q_start - 1)
            while k >= 0 and len(starts) < 5:
                t = toks.tokens[k]
                if not _name_token(t.word) or t.word in ("“", "”"):
                    break
                starts.append(t.start)
                k -= 1
        for s in starts:
            for e in ends:
                out.append(Mention(sent.start + s, sent.start + e, "Policy", text[s:e], "qspan"))
    return out


#: Prepositions that open a clause, never a name: 对X区, 由青溪城投集团, 为X园 (one-character tokens).
_PREPOSITIONS = frozenset("对由向在从为把被给按赴")
_LEADING_CONJ = frozenset({"和", "与", "及", "并", "以及"})
_OPEN_CLOSE = {"）": "（", ")": "(", "”": "“"}


def _after_orphan_close(text: str) -> int:
    """Offset just after the last closing bracket or quote whose opening lies before the span.

    ``“青溪城投”）和青溪区``: a span that swallowed the end of a 以下简称 parenthesis starts after it.
    """
    depth = dict.fromkeys(_OPEN_CLOSE.values(), 0)
    cut = 0
    for i, ch in enumerate(text):
        if ch in depth:
            depth[ch] += 1
        elif ch in _OPEN_CLOSE:
            opening = _OPEN_CLOSE[ch]
            if depth[opening]:
                depth[opening] -= 1
            else:
                cut = i + 1
    return cut


def _before_orphan_open(text: str) -> int:
    """Offset of a bracket the span opens and never closes (…有限公司（青溪城投集团全资子公司)."""
    open_at: list[int] = []
    for i, ch in enumerate(text):
        if ch in "（(":
            open_at.append(i)
        elif ch in "）)" and open_at:
            open_at.pop()
    return open_at[0] if open_at else len(text)


def _after_preposition(text: str, start: int, toks: Tokens, s: int, e: int) -> int:
    """Sentence offset after the last preposition token inside ``[start, e)``, outside quotes."""
    if not toks.tokens or "“" in text or "《" in text:
        return start
    cut = start
    i = toks.index_at(start)
    while i < len(toks.tokens) and toks.tokens[i].end <= e:
        tok = toks.tokens[i]
        if tok.start >= start:
            w = tok.word
            if w in _PREPOSITIONS or (tok.start == cut > s and w in _LEADING_CONJ):
                cut = tok.end
            elif w[0] in _PREPOSITIONS and 2 <= len(w) <= 3 and not in_dictionary(w):
                cut = tok.start + 1  # 由区, 对青溪: glued by the segmenter's guess
        i += 1
    return cut


def tidy_edges(m: Mention, sent: Sentence, toks: Tokens) -> Mention | None:
    """The candidate (changed in place) without a clause piece before its name, or None when nothing is left.

    A name never opens with a preposition (对X区, 由青溪城投集团) or with the close of a bracket
    opened before it, and never ends inside a bracket it opened.
    """
    s, end = m.start - sent.start, m.end - sent.start
    text = sent.text
    e = s + _before_orphan_open(text[s:end])
    start = s + _after_orphan_close(text[s:e])
    start = _after_preposition(text[start:e], start, toks, s, e)
    if (start, e) == (s, end):
        return m
    if e - start < 2:
        return None
    m.start, m.end, m.text = sent.start + start, sent.start + e, text[start:e]  # a list keeps its item
    return m


#: “高效储能电池材料研发及产业化”项目: a long quoted phrase closed by 项目 or 课题 is the title of a
#: research or industrial project (short ones, “四个一批”项目, are programmes or slogans).
_QUOTED_TITLE = re.compile(r"“[^“”，,。；;、：:！？\n]{6,30}”(?:项目|课题)")
#: …银行…分行 / 支行: a bank's branch is a market body whatever words stand before it.
#: Sources whose grammar is exact: the model does not drop their candidate, only types it.
EXACT_SOURCES = frozenset({"item_title", "quoted_title"})


def quoted_titles(sent: Sentence) -> list[Mention]:
    """Project titles written in quotes before 项目 / 课题 (the genre's lists of funded research)."""
    return [
        Mention(sent.start + m.start(), sent.start + m.end(), "Project", m.group(0), "quoted_title")
        for m in _QUOTED_TITLE.finditer(sent.text)
    ]


def exact_type(title: Mention | None, text: str, toks: Tokens, start: int) -> EntityType | None:
    """The type a candidate has by an exact grammar (``title``: the span's mention from a numbered
    item's title or a quoted project title; or a bank branch), or None when only the model can tell."""
    if title is not None:
        return title.type
    if BANK_BRANCH.match(text) and toks.tokens:
        first = toks.tokens[toks.index_at(start)]
        if first.start == start and not (pos_of(first.word) or "").startswith("v"):
            return "Company"
    return None
