"""Token-level helpers that decide where a name starts and ends.

Suffix grammars find a head (…产业园, …局, …资金); the name's left edge is
found by walking jieba tokens leftwards until a clause-opening verb, a
function word, a number or punctuation.  The same walk trims the lead-in of
the first item of a list ("积极支持云帆精密、…" → 云帆精密).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from extract.lexicon import Lexicon
from extract.segment import Token, get_pos_table, get_tokenizer

#: Parts of speech that never sit inside a name: prepositions, conjunctions, particles,
#: pronouns, adverbs, numerals, measure words, time words, interjections.
STOP_POS = frozenset(
    {
        "p",
        "c",
        "u",
        "uj",
        "ul",
        "uz",
        "ug",
        "ud",
        "uv",
        "r",
        "d",
        "ad",
        "m",
        "mq",
        "q",
        "t",
        "tg",
        "y",
        "e",
        "o",
    }
)
PROPER_POS = frozenset({"ns", "nr", "nz", "nt", "nrt", "nrfg", "nx"})
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NAME_PUNCT = frozenset("·-()（）")
_MASK = re.compile(r"^(?:X{1,3}|\*+|＊+)$")


@dataclass(slots=True)
class Tokens:
    """A sentence's tokens with the lookups the name rules need."""

    tokens: list[Token]
    lex: Lexicon

    def index_at(self, pos: int) -> int:
        """Index of the token that contains character ``pos`` (binary search)."""
        lo, hi = 0, len(self.tokens) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.tokens[mid].start <= pos:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def is_boundary(self, pos: int) -> bool:
        """True when ``pos`` falls between two tokens."""
        if not self.tokens or pos <= 0 or pos >= self.tokens[-1].end:
            return True
        return self.tokens[self.index_at(pos)].start == pos


def pos_of(word: str) -> str | None:
    return get_pos_table().get(word)


def in_dictionary(word: str) -> bool:
    return word in get_tokenizer().FREQ and get_tokenizer().FREQ[word] > 0


def is_masked(word: str) -> bool:
    return bool(_MASK.match(word))


def stops_name(tok: Token, lex: Lexicon, build_verbs: bool, allow_verbs: bool = False) -> bool:
    """Whether ``tok`` cannot be part of a name (walking outwards from a head)."""
    w = tok.word
    if is_masked(w) or w in ("·", "-"):
        return False
    if not _CJK.search(w):
        # Latin letters (TOD, CRO) may belong to a name; digits and punctuation may not.
        return not w.isascii() or not w.isalpha()
    if w in lex.leadin_words or (build_verbs and w in lex.build_verbs):
        return True
    tag = pos_of(w)
    if tag in STOP_POS:
        return True
    return tag == "v" and not allow_verbs


_FUNCTION_CHARS = frozenset("和与及或的了在对为由等将把被从向并且而是有")


def _in_singles(toks: Tokens, i: int) -> bool:
    """A one-character token beside another or an unknown word: a name in pieces (均/胜电子, 百琪/达)."""
    word = toks.tokens[i].word
    if len(word) != 1 or not _CJK.search(word) or word in _FUNCTION_CHARS:
        return False
    near = [toks.tokens[j].word for j in (i - 1, i + 1) if 0 <= j < len(toks.tokens)]
    return any(
        _CJK.search(w) and (len(w) == 1 or not in_dictionary(w) or pos_of(w) in PROPER_POS) for w in near
    )


def name_stop(
    toks: Tokens, i: int, lex: Lexicon, *, build_verbs: bool = True, allow_verbs: bool = False
) -> bool:
    """Whether token ``i`` ends a name: lead-in words always, parts of speech unless in a broken name."""
    tok = toks.tokens[i]
    if tok.word in lex.leadin_words or (build_verbs and tok.word in lex.build_verbs):
        return True
    if _NUMBERED.match(tok.word):
        return True
    if _in_singles(toks, i):
        return False
    return stops_name(tok, lex, build_verbs, allow_verbs)


_NUMBERED = re.compile(r"^[一二三四五六七八九十两几多\d]+[个家批项星级年度届位名条只次]")


def expand_left(
    toks: Tokens,
    head_start: int,
    lex: Lexicon,
    *,
    max_chars: int,
    build_verbs: bool = False,
    limit: int = 0,
    allow_verbs: bool = False,
) -> int:
    """Leftmost start of the name whose head begins at ``head_start`` (sentence offsets).

    ``limit`` is an offset the name may not cross (e.g. the previous list separator).
    """
    if not toks.tokens:
        return head_start
    i = toks.index_at(head_start)
    start = min(head_start, toks.tokens[i].start)
    i -= 1
    while i >= 0:
        tok = toks.tokens[i]
        if tok.start < limit or head_start - tok.start > max_chars:
            break
        if tok.word in ")）":
            j = _opening(toks, i)
            if j is None:
                break
            start = toks.tokens[j].start
            i = j - 1
            continue
        if inside_name(toks, i, lex):
            start = tok.start
            i -= 1
            continue
        if name_stop(toks, i, lex, build_verbs=build_verbs, allow_verbs=allow_verbs):
            break
        start = tok.start
        i -= 1
    return start


_MEASURE_UNITS = frozenset(
    {"英寸", "寸", "纳米", "吨", "万吨", "套", "万套", "台", "万台", "件", "万件", "平方米", "万平方米"}
    | {"千瓦", "万千瓦", "兆瓦", "千伏", "GW", "MW"}
)
_PHASE = re.compile(r"^[一二三四五六七八九十\d]+期$")


def inside_name(toks: Tokens, i: int, lex: Lexicon) -> bool:
    """Tokens that look like clause material but sit inside names: 12|英寸, 三期, 工业|和|信息化."""
    tok = toks.tokens[i]
    w = tok.word
    nxt = toks.tokens[i + 1].word if i + 1 < len(toks.tokens) else ""
    if w.isdigit() and nxt in _MEASURE_UNITS:
        return True
    if w in _MEASURE_UNITS and i > 0 and toks.tokens[i - 1].word.replace(".", "").isdigit():
        return True
    if _PHASE.match(w):
        return True
    if w in lex.build_verbs and i > 0 and _PHASE.match(toks.tokens[i - 1].word):
        return True  # 三期|扩建|工程
    if w == "和" and i > 0 and nxt:
        prev = toks.tokens[i - 1].word
        return (
            len(prev) >= 2
            and _CJK.search(prev) is not None
            and prev not in lex.leadin_words
            and pos_of(prev) in ("n", "vn", "nz", None)
            and not prev.endswith(name_heads(lex))
            and not nxt.endswith(name_heads(lex))
        )
    return False


@cache
def name_heads(lex: Lexicon) -> tuple[str, ...]:
    """Every word that closes a name: after one of these, 和 separates two names."""
    heads = set(lex.zone_suffixes) | set(lex.project_suffixes) | set(lex.company_suffixes)
    heads |= set(lex.agency_suffixes) | set(lex.agency_words) | set(lex.funding_words)
    return tuple(sorted(h for h in heads if len(h) >= 2))


def _opening(toks: Tokens, i: int) -> int | None:
    """Index of the bracket that opens the group closed at ``i``, when the group reads as part of a name."""
    for j in range(i - 1, max(-1, i - 6), -1):
        if toks.tokens[j].word in "(（":
            inner = toks.tokens[j + 1 : i]
            named = inner and all(_CJK.search(t.word) or is_masked(t.word) for t in inner)
            if named and not any(pos_of(t.word) in ("m", "q") for t in inner) and j > 0:
                return j
            return None
    return None


def expand_right(
    toks: Tokens, start: int, lex: Lexicon, *, max_chars: int, stop_words: frozenset[str]
) -> int:
    """Rightmost end of a name that begins at ``start``: stops at verbs, numbers, punctuation."""
    if not toks.tokens:
        return start
    i = toks.index_at(start)
    end = start
    while i < len(toks.tokens):
        tok = toks.tokens[i]
        if tok.end - start > max_chars:
            break
        if tok.word in stop_words:
            break
        if tok.start > start and stops_name(tok, lex, build_verbs=True):
            break
        end = tok.end
        i += 1
    return end


def has_proper(word_tokens: list[str]) -> bool:
    """Whether a modifier carries a proper name: an out-of-dictionary word, a place/person tag or a mask."""
    for w in word_tokens:
        if is_masked(w) or (w.isascii() and w.isalpha()) or w.isdigit():
            return True
        if not _CJK.search(w):
            continue
        if pos_of(w) in PROPER_POS:
            return True
        if not in_dictionary(w):
            return True
    singles = [w for w in word_tokens if len(w) == 1 and _CJK.search(w)]
    return len(singles) >= 2


def all_generic(word_tokens: list[str], lex: Lexicon) -> bool:
    """Whether every token is a generic word (区级技改项目, 新型产业平台)."""
    words = [w for w in word_tokens if w.strip()]
    return not words or all(w in lex.generic_words for w in words)
