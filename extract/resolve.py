"""Overlapping mentions inside one sentence: one span, one type; names inside titles are not names.

A book title or a quoted slogan may contain a zone or an agency (工信部第三批…名单);
those inner mentions are kept but flagged ``nested`` so an entity is only
created when it is also mentioned on its own.  Other words inside a title are
dropped.  Two mentions that overlap without nesting: the surer recognizer wins.
"""

from __future__ import annotations

from extract.mentions import Mention

_CONTAINERS = frozenset({"book", "quote", "trigger"})


def resolve_sentence(mentions: list[Mention]) -> list[Mention]:
    """Mentions of one sentence with duplicates and conflicts removed, in text order."""
    by_span: dict[tuple[int, int], Mention] = {}
    for m in mentions:
        old = by_span.get((m.start, m.end))
        if old is None:
            by_span[(m.start, m.end)] = m
            continue
        win, lose = (m, old) if m.priority > old.priority else (old, m)
        win.forms += [f for f in lose.forms if f not in win.forms]
        win.short_name = win.short_name and lose.short_name if win.source == lose.source else win.short_name
        by_span[(m.start, m.end)] = win
    ordered = sorted(by_span.values(), key=lambda m: (m.start, -(m.end - m.start)))
    keep: list[Mention] = []
    dropped: set[int] = set()
    for i, a in enumerate(ordered):
        if i in dropped:
            continue
        for j in range(i + 1, len(ordered)):
            b = ordered[j]
            if b.start >= a.end:
                break
            if j in dropped:
                continue
            if b.end <= a.end:  # b nested in a
                if _drop_inner(a, b):
                    dropped.add(j)
            elif b.priority > a.priority:
                dropped.add(i)
                break
            else:
                dropped.add(j)
        if i not in dropped:
            keep.append(a)
    return keep


def _drop_inner(outer: Mention, inner: Mention) -> bool:
    """Whether ``inner`` (inside ``outer``) goes; a kept inner mention is marked nested."""
    if inner.type == outer.type:
        if inner.type in ("Zone", "Agency", "Company") and inner.source != "list":
            inner.nested = True
            return False
        if inner.start == outer.start and inner.text not in outer.forms:
            outer.forms.append(inner.text)
        return True
    if outer.source in _CONTAINERS and inner.type not in ("Agency", "Zone"):
        return True
    if outer.source == "list" and inner.source == "suffix" and inner.type in ("Company", "Funding"):
        return True
    # an agency opening a policy's name is who issued it (工信部第三批…名单), a bank opening a loan
    # is who lends it (X银行Y分行|贷款): a mention in its own right
    opens = inner.start == outer.start
    inner.nested = not opens or (inner.type, outer.type) not in _OPENING_OWNERS
    return False


_OPENING_OWNERS = frozenset({("Agency", "Policy"), ("Company", "Funding")})
