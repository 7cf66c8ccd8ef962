"""Amounts shared by several recipients: which facts carry one amount, so a sum counts it once.

SCHEMA.md lets the extractor mark a shared amount (``amount.shared``, with an
optional ``group``).  An extractor that does not yet mark it still must not
make a sum count ``A、B、C…等…奖励76.5万元`` once per recipient, so the same
grouping is also inferred: in one document, facts with the same evidence span,
predicate, object (the instrument) and amount text, where that amount text
occurs once in the sentence, state one amount.  A sentence that gives the
amount per recipient (``各获得100万元``, ``每家奖励20万元``) is left alone.

Both the ingest (to store the flag on the facts, so every reader sees it) and
the funding sums (so stores built earlier sum right too) use :func:`amount_key`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from hashlib import blake2b

from .model import Fact

#: the amount is per recipient: 各 / 每 / 分别 just before it (各获得, 每家奖励, 分别补助)
_EACH = re.compile(r"(各|每[家个户项位人]?|分别|均)[^，,。；;、]{0,8}$")

AmountKey = tuple[object, ...]


def _stated_once(fact: Fact) -> bool:
    text = fact.amount_text
    if not text or fact.evidence.count(text) != 1:
        return False
    before = fact.evidence[: fact.evidence.index(text)]
    return _EACH.search(before) is None


def amount_key(fact: Fact) -> AmountKey:
    """Facts with equal keys state one amount: a sum adds it once.

    Marked facts group by their ``group`` within their document (or, without
    one, by sentence, instrument and amount text); unmarked facts group the
    same way when the amount is stated once in the sentence; anything else is
    its own amount.
    """
    if fact.amount_shared and fact.amount_group:
        return (fact.document, "group", fact.amount_group)
    if fact.amount_text is not None and (fact.amount_shared or _stated_once(fact)):
        return (fact.document, fact.predicate, fact.object, fact.span, fact.amount_text, fact.amount_currency)
    return ("fact", fact.id)


def _group_id(key: AmountKey) -> str:
    return "auto-" + blake2b(repr(key[1:]).encode(), digest_size=5).hexdigest()


def mark_shared(facts: list[Fact]) -> list[Fact]:
    """One document's facts, ``amount_shared``/``amount_group`` set on every amount several recipients share.

    Facts the extractor marked keep their group (one is made up when it gave
    none); an unmarked amount stated once for several different subjects
    becomes shared with a group derived from its sentence.  Runs once per
    ingested report: the common case (no two facts share a sentence, an
    instrument and an amount text) costs one dict insert per fact with an amount.
    """
    sentences: dict[tuple[object, ...], list[int]] = {}
    marked = False
    for i, f in enumerate(facts):
        if f.amount_text is not None:
            marked = marked or f.amount_shared
            key = (f.predicate, f.object, f.span, f.amount_text, f.amount_currency)
            found = sentences.get(key)
            if found is None:
                sentences[key] = [i]
            else:
                found.append(i)
    several = [ix for ix in sentences.values() if len(ix) > 1]
    if not several and not marked:
        return facts
    out = list(facts)
    for ix in several:
        if len({facts[i].subject for i in ix}) < 2:
            continue
        for i in ix:
            f = facts[i]
            if not f.amount_shared and _stated_once(f):
                out[i] = replace(f, amount_shared=True, amount_group=_group_id(amount_key(f)))
    if marked:
        for i, f in enumerate(out):
            if f.amount_shared and not f.amount_group:
                out[i] = replace(f, amount_group=_group_id(amount_key(f)))
    return out
