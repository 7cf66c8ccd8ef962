"""Stable identities for what the stores hold: entity keys, fact ids, the rule keeping numbered names apart.

Every backend derives keys through these functions so an embedded store and a
Neo4j store given the same reports hold the same keys.  ``normalize`` is the
evaluation scorer's ``norm`` (``../shared/eval/score.py``) so that a name the
scorer treats as equal is one key here too.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

#: Quotes and title marks that are not part of a name's identity (same set as the scorer).
QUOTES = "“”\"'‘’《》〈〉「」『』【】"
#: Every character ``str.isspace`` accepts, spelled out so nothing is computed at import.
_SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + ("\u2028\u2029\u202f\u205f\u3000")
)
_DROP_RE = re.compile(f"[{re.escape(QUOTES + _SPACES)}]+")

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUM = "零〇一二两三四五六七八九十百千"
# A number that identifies: Arabic digits anywhere, a Chinese ordinal (第三), or a Chinese numeral
# directly before a counter (三批, 二期, 六条, 十年).  Chinese numerals elsewhere are ordinary
# characters of a name (一带一路 stays a name), so they only count in those positions.
_NUMBER_RE = re.compile(rf"\d+(?:\.\d+)?|第[{_CN_NUM}]+|[{_CN_NUM}]+(?=[批届期条号年次轮类级个项])")
_ANY_NUMERAL_RE = re.compile(rf"\d+(?:\.\d+)?|[{_CN_NUM}]+")


#: normalize's memo: names recur across the reports of a build (every store step asks again), and a
#: dictionary hit costs a third of NFKC + lowercasing.  Cleared whole when full, so memory stays bounded.
_NORMALIZED: dict[str, str] = {}
_NORMALIZED_MAX = 1 << 17


def normalize(name: str) -> str:
    """The identity of a surface form: NFKC (full/half width folded), no whitespace or quotes, lowercase."""
    out = _NORMALIZED.get(name)
    if out is not None:
        return out
    s = unicodedata.normalize("NFKC", name or "")
    # the common case (most names are all letters) is a fast C check
    out = s.lower() if s.isalnum() else _DROP_RE.sub("", s).lower()
    if type(name) is str:  # never keep a subclass (or None) as a key
        if len(_NORMALIZED) >= _NORMALIZED_MAX:
            _NORMALIZED.clear()
        _NORMALIZED[name] = out
    return out


#: First characters of the words naming the reporting body itself (see is_relative_reference).
RELATIVE_HEADS = frozenset("我本全该")
_RELATIVE_RE = re.compile(
    r"^(?:我|本|全|该)(?:区|县|市|省|镇|乡|街道|园区|片区|新区|局|委|办|厅|部门|单位|中心)$"
)


def is_relative_reference(normalized: str) -> bool:
    """True for 我区, 本局, 全市 …: words that name the reporting body itself, a different one in each report.

    They are fine as aliases inside one report but never identify a node across reports.
    (Asked once per node of every ingested report: the first character rules out almost all.)
    """
    return normalized[:1] in RELATIVE_HEADS and bool(_RELATIVE_RE.match(normalized))


def entity_key(type: str, name: str) -> str:
    """``<Type>:<normalised name>``, e.g. ``Project:凌智产业园``."""
    return f"{type}:{normalize(name)}"


def _cn_to_int(text: str) -> int:
    if not any(ch in _CN_UNITS for ch in text):  # digit by digit, as in 二〇二三
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        else:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
    return total + current


def _number_value(token: str) -> str:
    token = token.removeprefix("第")
    if token[0].isdigit():
        return str(float(token)) if "." in token else str(int(token))
    return str(_cn_to_int(token))


def number_tokens(name: str) -> tuple[str, ...]:
    """The identifying numbers of a name in order, Chinese numerals read as values (第三批 -> ("3",))."""
    return tuple(_number_value(m.group()) for m in _NUMBER_RE.finditer(normalize(name)))


def numbers_conflict(a: str, b: str) -> bool:
    """True when two names are told apart by a year, a batch ordinal or another number.

    ``2022年度X`` / ``2023年度X`` and ``第三批重点“小巨人”`` / ``第四批…`` are different
    things even when an extractor's alias sets make them meet.  A name without
    any number does not conflict with a numbered one (``专项债`` may be an alias
    of ``2023年专项债``); two numbered names conflict when their numbers differ,
    whatever else differs, and names equal but for their numerals
    (``十三五规划`` / ``十四五规划``) conflict too.
    """
    na, nb = normalize(a), normalize(b)
    if na == nb:
        return False
    ta, tb = number_tokens(na), number_tokens(nb)
    if ta and tb and ta != tb:
        return True
    # Same text apart from the numerals themselves, and the numerals say something else.
    if _ANY_NUMERAL_RE.sub("#", na) != _ANY_NUMERAL_RE.sub("#", nb):
        return False
    return _numerals(na) != _numerals(nb)


def _numerals(normalized: str) -> list[str]:
    """Every numeral run with Chinese digits written as Arabic ones (三 -> 3; 十 stays), to compare runs."""
    return [
        str(int(m.group()))
        if m.group().isdigit()
        else "".join(str(_CN_DIGITS.get(ch, ch)) for ch in m.group())
        for m in _ANY_NUMERAL_RE.finditer(normalized)
    ]


def fact_id(doc_id: str, predicate: str, subject_key: str, object_key: str, span: tuple[int, int]) -> str:
    """A stable 16-hex id: the same statement at the same place of the same document is the same fact.

    BLAKE2b with an 8-byte digest: for these short inputs it takes 60% of the
    time of SHA-256 cut to 16 hex digits, and it runs once per stored relation.
    """
    raw = f"{doc_id}\x1f{predicate}\x1f{subject_key}\x1f{object_key}\x1f{span[0]}:{span[1]}"
    return hashlib.blake2b(raw.encode("utf-8"), digest_size=8).hexdigest()
