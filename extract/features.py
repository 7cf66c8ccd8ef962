"""Feature functions for the learned decisions: one list of string features per candidate.

Features describe the *shape* of a candidate — its head and suffix, its first
characters, the jieba part of speech at its edges, the words around it, the
recognizer that proposed it, quote and title marks, masked characters, how often
the form recurs in the report and in the batch — never a whole name, so what
the model learns on the annotated reports carries over to reports with other
names.  The model (:mod:`extract.linear`) weighs them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from extract.candidates import PHASE_AFTER, head_types
from extract.lexicon import Lexicon
from extract.mentions import Mention
from extract.names import Tokens, in_dictionary, is_masked, pos_of
from extract.sentences import Sentence

_LEVEL = re.compile(r"^(?:国家级|国家|省级|省|市级|市|区级|区|县级|县|全国|全省|全市)")
_YEAR = re.compile(r"(?:19|20)\d{2}")
_DIGIT = re.compile(r"\d")
_MASK_CHARS = re.compile(r"[*＊×Ｘ]|XX|^X|X[^A-Za-z]")
_LEGAL = ("有限公司", "股份有限公司", "有限责任公司", "集团")
_PUNCT = set("，,。；;：:、（）()“”《》")


@dataclass(slots=True)
class DocContext:
    """What a candidate's features read from the report and the batch around its sentence."""

    text: str
    lex: Lexicon
    #: how often each surface form occurs in this report's text
    counts: Counter[str] = field(default_factory=Counter)
    #: names found with high confidence elsewhere in the batch (or in the store), by type
    known: dict[str, str] = field(default_factory=dict)
    _pattern: re.Pattern[str] | None = None

    def known_pattern(self) -> re.Pattern[str] | None:
        """One alternation of the known names, longest first (built once per report)."""
        if not self.known:
            return None
        if self._pattern is None:
            names = sorted(self.known, key=len, reverse=True)
            self._pattern = re.compile("|".join(map(re.escape, names)))
        return self._pattern

    def count(self, form: str) -> int:
        n = self.counts.get(form)
        if n is None:
            n = self.text.count(form)
            self.counts[form] = n
        return n


def _bucket(n: int, edges: tuple[int, ...]) -> str:
    for e in edges:
        if n <= e:
            return str(e)
    return f">{edges[-1]}"


_CJK = re.compile(r"[\u4e00-\u9fff]")


@lru_cache(maxsize=65536)
def _tok_pos(word: str) -> str:
    """A coarse part of speech: jieba's tag, or oov / num / lat / punct."""
    if not word:
        return "^"
    if not _CJK.search(word):
        return "num" if _DIGIT.search(word) else ("lat" if word.isascii() and word.isalpha() else "punct")
    tag = pos_of(word)
    if tag is None:
        return "oov" if not in_dictionary(word) else "x"
    return tag


@dataclass(slots=True)
class SentenceView:
    """Per-sentence lookups the span features share: token-side features and running counts.

    Spans of one head share their end and spans of one left edge their start, so the
    features of an edge are computed once per sentence, and counts of verbs, proper words,
    lead-ins and masks inside a span come from running sums.
    """

    sent: Sentence
    toks: Tokens
    ctx: DocContext
    starts: dict[int, list[str]] = field(default_factory=dict)
    ends: dict[int, list[str]] = field(default_factory=dict)
    verbs: list[int] = field(default_factory=list)
    proper: list[int] = field(default_factory=list)
    leadin: list[int] = field(default_factory=list)
    masks: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        lex = self.ctx.lex
        for acc, test in (
            (self.verbs, lambda w: _tok_pos(w).startswith("v")),
            (self.proper, lambda w: _tok_pos(w) in _PROPER),
            (self.leadin, lambda w: w in lex.leadin_words),
            (self.masks, is_masked),
        ):
            total = 0
            acc.append(0)
            for t in self.toks.tokens:
                total += 1 if test(t.word) else 0
                acc.append(total)

    def start_features(self, s: int, i0: int) -> list[str]:
        got = self.starts.get(s)
        if got is not None:
            return got
        toklist, st, lex = self.toks.tokens, self.sent.text, self.ctx.lex
        first = toklist[i0].word if toklist else ""
        bound = not toklist or toklist[i0].start == s
        prev = toklist[i0 - 1].word if toklist and i0 > 0 and bound else ""
        f = [f"start_bound={bound}", f"pos_first={_tok_pos(first)}", f"pre1={st[s : s + 1]}"]
        f.append(f"pre2={st[s : s + 2]}")
        lv = _LEVEL.match(st, s)
        if lv:
            f.append(f"level={lv.group(0)}")
        if first in lex.leadin_words:
            f.append("leadin_first")
        if prev and _tok_pos(prev) in _NAMEISH and prev not in lex.leadin_words:
            f.append(f"prev_nameish={_tok_pos(prev)}")
        if first in lex.generic_words:
            f.append("first_generic")
        if first in lex.level_prefixes or _LEVEL.fullmatch(first):
            f.append("first_level")
        f += [f"w_prev={prev or '^'}", f"pos_prev={_tok_pos(prev)}"]
        f += [f"c_prev={st[s - 1] if s > 0 else '^'}", f"c2_prev={st[max(0, s - 2) : s] or '^'}"]
        self.starts[s] = f
        return f

    def end_features(self, e: int, i1: int) -> list[str]:
        got = self.ends.get(e)
        if got is not None:
            return got
        toklist, st = self.toks.tokens, self.sent.text
        last = toklist[i1].word if toklist else ""
        bound = not toklist or toklist[i1].end == e
        nxt = toklist[i1 + 1].word if toklist and i1 + 1 < len(toklist) and bound else ""
        f = [f"end_bound={bound}", f"pos_last={_tok_pos(last)}"]
        f += [f"suf{k}={st[max(0, e - k) : e]}" for k in (1, 2, 3)]
        heads = head_types()
        if nxt and any(h in heads for h in (nxt, nxt[-2:], nxt[-1:])):
            f.append("next_is_head")
        f += [f"w_next={nxt or '$'}", f"pos_next={_tok_pos(nxt)}"]
        f += [f"c_next={st[e] if e < len(st) else '$'}", f"c2_next={st[e : e + 2] or '$'}"]
        self.ends[e] = f
        return f


_PROPER = frozenset({"oov", "nr", "ns", "nz", "nrt", "lat"})
_NAMEISH = _PROPER | {"n"}


def mention_features(m: Mention, view: SentenceView) -> list[str]:
    """Features of one candidate span (offsets into the loaded text)."""
    sent, toks, ctx = view.sent, view.toks, view.ctx
    text = m.text
    s, e = m.start - sent.start, m.end - sent.start
    f: list[str] = [f"src={m.source}", f"hint={m.type}", f"src_hint={m.source}_{m.type}"]
    n = len(text)
    f.append(f"len={_bucket(n, (2, 3, 4, 5, 6, 8, 10, 13, 17, 22))}")
    heads = head_types()
    head = next((text[-k:] for k in range(min(n, 8), 0, -1) if text[-k:] in heads), None)
    if head is not None:
        f.append(f"head={head}")
        f += [f"headtype={t}" for t in sorted(heads[head])]
        f.append(f"head_only={len(head) == n}")
        f.append(f"mod_len={_bucket(n - len(head), (0, 1, 2, 3, 4, 6, 9, 14))}")
    else:
        f.append("head=none")
    if _YEAR.search(text):
        f.append("has_year")
    elif _DIGIT.search(text):
        f.append("has_digit")
    if _MASK_CHARS.search(text):
        f.append("masked")
    f += _title_marks(text)
    if text.startswith("《") and text.endswith("》"):
        f.append("book")
    if "“" in text or "”" in text:
        f.append("quote_inside")
        if text.count("“") != text.count("”"):
            f.append("quote_unbalanced")
    if text.endswith(_LEGAL):
        f.append("legal_form")
    if _INNER_PUNCT.search(text):
        f.append("punct_inside")
    toklist = toks.tokens
    i0 = toks.index_at(s) if toklist else 0
    i1 = toks.index_at(max(s, e - 1)) if toklist else 0
    f += view.start_features(s, i0)
    f += view.end_features(e, i1)
    if toklist:
        f.append(f"ntok={_bucket(i1 - i0 + 1, (1, 2, 3, 4, 5, 7, 9))}")
        f.append(f"pos_fl={_tok_pos(toklist[i0].word)}_{_tok_pos(toklist[i1].word)}")
        if i1 > i0:
            f.append(f"w_first={toklist[i0].word}")
        f.append(f"verbs_inside={min(view.verbs[i1] - view.verbs[i0], 2)}")
        f.append(f"proper_inside={min(view.proper[i1 + 1] - view.proper[i0], 2)}")
        if view.leadin[i1 + 1] > view.leadin[i0]:
            f.append("leadin_inside")
        if view.masks[i1 + 1] > view.masks[i0]:
            f.append("mask_token")
    if m.nested:
        f.append("nested")
    if m.short_name:
        f.append("short_name")
    # recurrence in the report and in the batch
    f.append(f"count={_bucket(ctx.count(text), (1, 2, 3, 5))}")
    known = ctx.known.get(text)
    if known is not None:
        f.append(f"known={known}")
    return f


_BATCH = re.compile(r"第[一二三四五六七八九十\d]+批|首批")
_PHASE = re.compile(PHASE_AFTER.pattern + r"|[一二三四五六七八九十]期")
_QUOTED_HEAD = re.compile(r"^“[^“”]+”(项目|课题|工程)$")


def _title_marks(text: str) -> list[str]:
    """Marks of honour lists and project titles: a batch (第一批), a phase (（二期）) and a quoted
    title closed by 项目 / 课题 / 工程, which name a list or a project whatever their words."""
    f = []
    if _BATCH.search(text):
        f.append("batch")
    if _PHASE.search(text):
        f.append("phase")
    q = _QUOTED_HEAD.match(text)
    if q is not None:
        f.append(f"quoted_head={q.group(1)}_{_bucket(len(text), (6, 10, 16))}")
    return f


_INNER_PUNCT = re.compile(r"[，,。；;：:、]")
_PAREN_INSIDE = re.compile(r"[（(][^（()）]+[)）]")
#: An enumeration marker opening a sentence: 1. / （2） / 三、 / 一是 / ①.
ENUMERATOR = re.compile(
    r"\s*(?:\d{1,2}[.．、]|[（(]\d{1,2}[)）]|[一二三四五六七八九十]+[是、.．]|[（(][一二三四五六七八九十]+[)）]|[①-⑳])\s*"
)
_BOUNDARY_PUNCT = frozenset("，,。；;：:、！？!?（()）“”《》\n ")


def _side(word: str, lex: Lexicon) -> str:
    """What kind of word sits just outside a span's edge."""
    if not word:
        return "none"
    if word == "的":
        return "de"
    if word in lex.leadin_words:
        return "leadin"
    pos = _tok_pos(word)
    if pos.startswith("v"):
        return "verb"
    if pos in ("p", "c"):
        return pos
    if pos in ("m", "num", "q"):
        return "num"
    return "name" if pos in _NAMEISH else "other"


def boundary_features(m: Mention, view: SentenceView) -> list[str]:
    """Where the span sits in its clause: at the sentence start, after an enumeration marker,
    after punctuation, a verb or a preposition, and what closes it.  A name that fills an
    item title (``5.城西棚户区改造安置房（安和小区）项目。``) or a whole clause is the genre's
    surest form, whatever its words."""
    st = view.sent.text
    s, e = m.start - view.sent.start, m.end - view.sent.start
    toks = view.toks
    lex = view.ctx.lex
    if s == 0 or not st[:s].strip():
        lb = "sent"
    elif ENUMERATOR.fullmatch(st[:s]):
        lb = "item"
    elif st[s - 1] in _BOUNDARY_PUNCT:
        lb = "punct"
    elif toks.tokens:
        k = toks.index_at(s - 1)
        lb = _side(toks.tokens[k].word, lex) if toks.tokens[k].end == s else "inword"
    else:
        lb = "other"
    if e >= len(st) or not st[e:].strip():
        rb = "end"
    elif st[e] in _BOUNDARY_PUNCT:
        rb = "punct"
    elif toks.tokens:
        k = toks.index_at(e)
        rb = _side(toks.tokens[k].word, lex) if toks.tokens[k].start == e else "inword"
    else:
        rb = "other"
    f = [f"lb={lb}", f"rb={rb}", f"lbrb={lb}_{rb}"]
    if _PAREN_INSIDE.search(m.text[1:]):
        f.append("paren_inside")
    return f


def list_features(m: Mention, lists: Sequence[object]) -> list[str]:
    """Whether the candidate is an item of a recognised list, and the list's head word."""
    for lst in lists:
        items = getattr(lst, "items", [])
        for item in items:
            if item.start == m.start and item.end == m.end:
                return ["list_item", f"list_head={getattr(lst, 'head', '')}"]
            if item.start <= m.start < item.end or item.start < m.end <= item.end:
                return ["list_overlap"]
    return []
