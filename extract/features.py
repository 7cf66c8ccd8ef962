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

from extract.candidates import head_types
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


def _tok_pos(word: str) -> str:
    if not word:
        return "^"
    if not re.search(r"[\u4e00-\u9fff]", word):
        return "num" if _DIGIT.search(word) else ("lat" if word.isascii() and word.isalpha() else "punct")
    tag = pos_of(word)
    if tag is None:
        return "oov" if not in_dictionary(word) else "x"
    return tag


def mention_features(m: Mention, sent: Sentence, toks: Tokens, ctx: DocContext) -> list[str]:
    """Features of one candidate span (offsets into the loaded text)."""
    text = m.text
    s, e = m.start - sent.start, m.end - sent.start
    st = sent.text
    f: list[str] = [f"src={m.source}", f"hint={m.type}", f"src_hint={m.source}_{m.type}"]
    n = len(text)
    f.append(f"len={_bucket(n, (2, 3, 4, 5, 6, 8, 10, 13, 17, 22))}")
    for k in (1, 2, 3):
        if n > k:
            f.append(f"suf{k}={text[-k:]}")
    f.append(f"pre1={text[:1]}")
    if n > 2:
        f.append(f"pre2={text[:2]}")
    heads = head_types()
    head = next((text[-k:] for k in range(min(n, 8), 0, -1) if text[-k:] in heads), None)
    if head is not None:
        f.append(f"head={head}")
        for t in sorted(heads[head]):
            f.append(f"headtype={t}")
        f.append(f"head_only={len(head) == n}")
        f.append(f"mod_len={_bucket(n - len(head), (0, 1, 2, 3, 4, 6, 9, 14))}")
    else:
        f.append("head=none")
    lv = _LEVEL.match(text)
    if lv:
        f.append(f"level={lv.group(0)}")
    if _YEAR.search(text):
        f.append("has_year")
    elif _DIGIT.search(text):
        f.append("has_digit")
    if _MASK_CHARS.search(text):
        f.append("masked")
    if text.startswith("《") and text.endswith("》"):
        f.append("book")
    if "“" in text or "”" in text:
        f.append("quote_inside")
        if text.count("“") != text.count("”"):
            f.append("quote_unbalanced")
    if text.endswith(_LEGAL):
        f.append("legal_form")
    if any(ch in _PUNCT for ch in text if ch not in "“”《》（）()"):
        f.append("punct_inside")
    # edges: on token boundaries?  jieba parts of speech of the first, last and outside tokens
    toklist = toks.tokens
    if toklist:
        i0 = toks.index_at(s)
        i1 = toks.index_at(max(s, e - 1))
        f.append(f"start_bound={toklist[i0].start == s}")
        f.append(f"end_bound={toklist[i1].end == e}")
        inner = toklist[i0 : i1 + 1]
        f.append(f"ntok={_bucket(len(inner), (1, 2, 3, 4, 5, 7, 9))}")
        first, last = inner[0].word, inner[-1].word
        f.append(f"pos_first={_tok_pos(first)}")
        f.append(f"pos_last={_tok_pos(last)}")
        f.append(f"pos_fl={_tok_pos(first)}_{_tok_pos(last)}")
        if len(inner) > 1:
            f.append(f"w_first={first}")
        n_verbs = sum(1 for t in inner[:-1] if (pos_of(t.word) or "").startswith("v"))
        f.append(f"verbs_inside={min(n_verbs, 2)}")
        n_oov = sum(1 for t in inner if _tok_pos(t.word) in ("oov", "nr", "ns", "nz", "nrt", "lat"))
        f.append(f"proper_inside={min(n_oov, 2)}")
        if any(t.word in ctx.lex.leadin_words for t in inner):
            f.append("leadin_inside")
        if inner[0].word in ctx.lex.leadin_words:
            f.append("leadin_first")
        if any(is_masked(t.word) for t in inner):
            f.append("mask_token")
        prev = toklist[i0 - 1].word if i0 > 0 and toklist[i0].start == s else ""
        nxt = toklist[i1 + 1].word if i1 + 1 < len(toklist) and toklist[i1].end == e else ""
        # boundary evidence: a head right after (the name goes on), a name-like word right before
        if nxt and any((text + nxt).endswith(h) for h in (nxt, nxt[-2:], nxt[-1:]) if h in heads):
            f.append("next_is_head")
        nameish = ("oov", "nr", "ns", "nz", "nrt", "lat", "n")
        if prev and _tok_pos(prev) in nameish and prev not in ctx.lex.leadin_words:
            f.append(f"prev_nameish={_tok_pos(prev)}")
        if first in ctx.lex.generic_words:
            f.append("first_generic")
        if first in ctx.lex.level_prefixes or _LEVEL.match(first):
            f.append("first_level")
        f.append(f"w_prev={prev or '^'}")
        f.append(f"pos_prev={_tok_pos(prev)}")
        f.append(f"w_next={nxt or '$'}")
        f.append(f"pos_next={_tok_pos(nxt)}")
    f.append(f"c_prev={st[s - 1] if s > 0 else '^'}")
    f.append(f"c_next={st[e] if e < len(st) else '$'}")
    f.append(f"c2_prev={st[max(0, s - 2) : s] or '^'}")
    f.append(f"c2_next={st[e : e + 2] or '$'}")
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
