"""Relations from sentence patterns, each with its evidence sentence and qualifiers.

* ISSUED_BY: 出台/制定/印发/编制/草拟/拟定《P》 → the report's issuer; X局《P》 → X局;
  a policy named after its agency (工信部第三批…名单) → that agency.
* FUNDED_BY: a project or company and a funding instrument with an amount in one sentence
  (…申报2023年第二批专项债,成功申报2.5亿元; …获…中央预算内投资900万元).
* PARTICIPATES_IN: a list or a name followed by 入选/获/列入/申报/开展… and a policy; projects
  named after "列入P的项目" in the same paragraph.
* LOCATED_IN: 在Z谋划了A、B等载体; Z…已入驻A、B等企业.
* INVESTS_IN: a company whose name begins a project's name (云帆精密 → 云帆精密智造产业园).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.amounts import find_amounts
from extract.lexicon import load_lexicon
from extract.lists import ItemList
from extract.mentions import Mention
from extract.model import Amount, Entity, Period, Predicate, Relation
from extract.periods import find_periods
from extract.sentences import Sentence

_ISSUE_VERB = re.compile(
    r"(?:出台|制定|制订|印发|编制|草拟|拟定|起草|发布|编印|制发|编制了|印发了|出台了|制定了|编印了)"
    r"(?:完成|实施)?的?$"
)
#: What may stand between the agency that issues and its verb (区政府正式印发, 区委、区政府联合印发).
_BEFORE_VERB = re.compile(r"(?:正式|联合|研究|审议|已|先后|相继|并)?")
_NOT_ISSUER = re.compile(r"(?:参与|配合|根据|按照|贯彻|依据|落实|对照)[^，,。；]{0,4}$")
_DRAFTED_AFTER = re.compile(r"^的?(?:编制|起草|制定|修订)")
_TRIGGER_AT = re.compile(r"(入选|获评|获得|获|列入|纳入|申报|评定为|评为|开展|参加)")
_LISTED_INTRO = re.compile(r"列入")
_LOCATE_VERB = re.compile(r"(?:谋划|布局|规划|建设|打造|共建|新建|兴建|筹建)了?")
_SUBJECT_TYPES = ("Project", "Company")
#: Subject and object types each predicate allows (SCHEMA.md); anything else is a misreading.
SIGNATURES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "FUNDED_BY": (frozenset({"Project", "Company", "Zone"}), frozenset({"Funding"})),
    "INVESTS_IN": (frozenset({"Company"}), frozenset({"Project", "Zone"})),
    "PARTICIPATES_IN": (frozenset({"Company", "Project"}), frozenset({"Policy"})),
    "LOCATED_IN": (frozenset({"Project", "Company", "Zone"}), frozenset({"Zone"})),
    "ISSUED_BY": (frozenset({"Policy"}), frozenset({"Agency"})),
}
_SETTLE = re.compile(r"(?:项目)?(?:已|正式|成功|将)?(?:落户|落户于|落地|位于|坐落于|选址)(?:在|于)?$")
_INVEST_VERB = re.compile(r"(?:计划|拟|将|已)?(?:投资建设|投资|投建|出资|增资)")
_BUILT_BY = re.compile(r"由$")
#: What may sit between a company's name and its verb: closing quotes, a bracketed short name.
_AFTER_NAME = re.compile(r"[”\"）)]*(?:[（(](?:以下)?简称[^（）()]{0,16}[）)])?")
_BUILT_BY_AFTER = re.compile(r"(?:投资建设|投资|投建|建设)")


@dataclass(slots=True)
class SentenceFacts:
    """What the recognizers found in one sentence, with entity ids resolved."""

    sentence: Sentence
    mentions: list[Mention]
    entity_ids: list[str | None]
    lists: list[ItemList]


class RelationBuilder:
    """Collects relations, one per (subject, predicate, object), first evidence kept."""

    def __init__(
        self,
        entities: list[Entity],
        issuer_id: str | None,
        year: int | None,
        source: str = "",
        zone_id: str | None = None,
    ) -> None:
        self.by_id = {e.id: e for e in entities}
        self.issuer_id = issuer_id
        self.year = year
        self.source = source
        self.out: dict[tuple[str, str, str], Relation] = {}
        #: the time a run of ；-joined clauses opened with (前三季度…，其中A…；B…): B's period too
        self.carry: Period | None = None
        #: the report's own zone, where the engine knows it (the area every name of the report is in)
        self.zone_id = zone_id

    def add(
        self,
        s: str | None,
        p: Predicate,
        o: str | None,
        sent: Sentence,
        *,
        amount: Amount | None = None,
        period: Period | None = None,
        agency: str | None = None,
        action: str | None = None,
    ) -> None:
        if s is None or o is None or s == o:
            return
        allowed = SIGNATURES[p]
        if self.type_of(s) not in allowed[0] or self.type_of(o) not in allowed[1]:
            return
        key = (s, p, o)
        if key in self.out:
            return
        self.out[key] = Relation(
            s,
            p,
            o,
            sent.text,
            (sent.start, sent.end),
            amount=amount,
            period=period,
            agency=agency,
            action=action,
        )

    def nearest_period(self, sent: Sentence, pos: int) -> Period | None:
        """The time expression closest to ``pos`` (sentence offset) with resolved dates."""
        best, best_d = None, 10**9
        for (s, e), per in find_periods(sent.text, self.year):
            if per.start is None:
                continue
            d = 0 if s <= pos < e else min(abs(pos - s), abs(pos - e))
            if d < best_d:
                best, best_d = per, d
        return best if best is not None else self.carry

    def follow(self, prev: Sentence | None, sent: Sentence) -> None:
        """Carry the opening period across clauses joined by ；, never across 。 or paragraphs."""
        joined = (
            prev is not None
            and prev.paragraph == sent.paragraph
            and any(ch in "；;" for ch in self.source[prev.end : sent.start])
        )
        if not joined:
            self.carry = None
            return
        assert prev is not None
        own = next((per for _, per in find_periods(prev.text, self.year) if per.start is not None), None)
        self.carry = own or self.carry

    def type_of(self, eid: str | None) -> str | None:
        return self.by_id[eid].type if eid in self.by_id else None


def build_relations(facts: list[SentenceFacts], builder: RelationBuilder) -> list[Relation]:
    prev: Sentence | None = None
    for f in facts:
        builder.follow(prev, f.sentence)
        prev = f.sentence
        _issued_by(f, builder)
        _funded_by(f, builder)
        _participates(f, builder)
        _located_in(f, builder)
        _invests_by_verb(f, builder)
    builder.carry = None
    _listed_in_paragraph(facts, builder)
    _invests_by_prefix(facts, builder)
    _located_by_prefix(facts, builder)
    return list(builder.out.values())


def _rel(m: Mention, sent: Sentence) -> tuple[int, int]:
    return m.start - sent.start, m.end - sent.start


def _issued_by(f: SentenceFacts, b: RelationBuilder) -> None:
    sent, text = f.sentence, f.sentence.text
    issuing = False
    prev_end = -1
    run_issuer = b.issuer_id
    for m, eid in zip(f.mentions, f.entity_ids, strict=True):
        if m.type != "Policy" or eid is None:
            continue
        s, e = _rel(m, sent)
        before = text[max(0, s - 12) : s]
        chained = issuing and prev_end >= 0 and text[prev_end:s] in ("", "、", "和", "及", "与")
        verb = _ISSUE_VERB.search(before)
        named = _agency_before_verb(f, sent.start + max(0, s - 12) + verb.start()) if verb else None
        if named is not None:
            run_issuer = named  # 由区政府出台《P》, 市政府印发的《P》: the agency the sentence names
        elif not chained:
            run_issuer = b.issuer_id
        issuing = (
            chained
            or named is not None
            or (verb is not None and not _NOT_ISSUER.search(before[: verb.start()]))
        )
        if issuing or _DRAFTED_AFTER.match(text[e:]):
            b.add(eid, "ISSUED_BY", run_issuer, sent, period=b.nearest_period(sent, s))
            issuing = True
        # X局《P》 and 工信部第三批…: an agency written right before or at the start of the policy
        for a, aid in zip(f.mentions, f.entity_ids, strict=True):
            if (
                a.type == "Agency"
                and aid is not None
                and (a.end == m.start or (a.start == m.start and a.end < m.end))
            ):
                b.add(eid, "ISSUED_BY", aid, sent, period=b.nearest_period(sent, s))
        prev_end = e


def _agency_before_verb(f: SentenceFacts, verb_at: int) -> str | None:
    """The agency written right before an issuing verb: it, not the report's issuer, issued the text."""
    text, base = f.sentence.text, f.sentence.start
    for a, aid in zip(f.mentions, f.entity_ids, strict=True):
        if (
            a.type == "Agency"
            and aid is not None
            and not a.nested
            and a.end <= verb_at
            and _BEFORE_VERB.fullmatch(text[a.end - base : verb_at - base]) is not None
        ):
            return aid
    return None


def _amount_near(sent: Sentence, pos: int) -> Amount | None:
    best, best_d = None, 10**9
    for (s, e), amount in find_amounts(sent.text):
        d = s - pos if s >= pos else (pos - e) * 3
        if d < best_d:
            best, best_d = amount, d
    return best


def _funded_by(f: SentenceFacts, b: RelationBuilder) -> None:
    sent = f.sentence
    fundings = [
        (m, eid) for m, eid in zip(f.mentions, f.entity_ids, strict=True) if m.type == "Funding" and eid
    ]
    if not fundings:
        return
    if not any(True for _ in find_amounts(sent.text)):
        return
    all_subjects: list[str] = []
    for lst in f.lists:
        all_subjects += [_id_of(f, item) for item in lst.items if item.type in _SUBJECT_TYPES]
    if not all_subjects:
        all_subjects = [
            eid
            for m, eid in zip(f.mentions, f.entity_ids, strict=True)
            if m.type == "Project" and eid and not m.nested
        ]
    agency = None
    for m, eid in zip(f.mentions, f.entity_ids, strict=True):
        if m.type == "Agency" and eid and eid != b.issuer_id:
            agency = b.by_id[eid].name
            break
    prev_end = sent.start
    for m, fid in fundings:
        s, e = _rel(m, sent)
        amount = _amount_near(sent, e)
        period = b.nearest_period(sent, s)
        subjects = _subjects_before(f, prev_end, m.start) or all_subjects
        prev_end = max(prev_end, m.end)
        for sid in subjects:
            if sid:
                b.add(sid, "FUNDED_BY", fid, sent, amount=amount, period=period, agency=agency)


def _subjects_before(f: SentenceFacts, lo: int, hi: int) -> list[str]:
    """Who got the money named at ``hi``: the list or names in the nearest clause before it.

    Several grants in one sentence (A获专项债…;B获中央预算内投资…) pair each with its own
    recipient rather than every recipient with every grant.
    """
    sent = f.sentence
    bounds = [sent.start + s for s, _ in sent.clauses()] + [sent.end]
    for c_start in sorted((x for x in bounds if x <= hi), reverse=True):
        if c_start < lo and c_start != sent.start:
            break
        start = max(c_start, lo)
        found: list[str] = []
        for lst in f.lists:
            if start <= lst.start < hi:
                found += [_id_of(f, i) for i in lst.items if i.type in _SUBJECT_TYPES]
        if not found:
            found = [
                eid
                for m, eid in zip(f.mentions, f.entity_ids, strict=True)
                if m.type in _SUBJECT_TYPES and eid and not m.nested and start <= m.start and m.end <= hi
            ]
        if found:
            return found
        if c_start <= lo:
            break
    return []


def _id_of(f: SentenceFacts, m: Mention) -> str:
    for x, eid in zip(f.mentions, f.entity_ids, strict=True):
        if x.start == m.start and x.end == m.end and eid:
            return eid
    return ""


def _policies_after(f: SentenceFacts, pos: int, end: int) -> list[tuple[Mention, str]]:
    return [
        (m, eid)
        for m, eid in zip(f.mentions, f.entity_ids, strict=True)
        if m.type == "Policy" and eid and pos <= m.start < end
    ]


def _clause_end(sent: Sentence, pos: int) -> int:
    text = sent.text
    i = pos - sent.start
    while i < len(text) and text[i] not in "，,；;。":
        i += 1
    return sent.start + i


def _participates(f: SentenceFacts, b: RelationBuilder) -> None:
    sent = f.sentence
    subjects_done: set[int] = set()
    for lst in f.lists:
        if not lst.trigger:
            continue
        rest = sent.text[lst.end - sent.start :]
        trig = _TRIGGER_AT.search(rest[:12])
        action = trig.group(1) if trig else None
        for pm, pid in _policies_after(f, lst.end, _clause_end(sent, lst.end)):
            period = b.nearest_period(sent, pm.start - sent.start)
            for item in lst.items:
                iid = _id_of(f, item)
                if iid and b.type_of(iid) in _SUBJECT_TYPES:
                    b.add(iid, "PARTICIPATES_IN", pid, sent, period=period, action=action)
                    subjects_done.add(item.start)
    # a single name followed by a trigger: 烟草公司入选“…”, …项目入选省重点建设项目…
    for m, eid in zip(f.mentions, f.entity_ids, strict=True):
        if m.type not in _SUBJECT_TYPES or not eid or m.nested or m.start in subjects_done:
            continue
        trig = _TRIGGER_AT.match(sent.text, m.end - sent.start)
        if not trig:
            continue
        end = _clause_end(sent, m.end)
        for pm, pid in _policies_after(f, m.end, end):
            period = b.nearest_period(sent, pm.start - sent.start)
            b.add(eid, "PARTICIPATES_IN", pid, sent, period=period, action=trig.group(1))


def _listed_in_paragraph(facts: list[SentenceFacts], b: RelationBuilder) -> None:
    """ "列入P的项目…": projects named after it in the same paragraph take part in P."""
    current: tuple[str, Period | None, int] | None = None
    for f in facts:
        sent = f.sentence
        if current is not None and current[2] != sent.paragraph:
            current = None
        intro = None
        for m, eid in zip(f.mentions, f.entity_ids, strict=True):
            if m.type == "Policy" and eid and sent.text[: m.start - sent.start].endswith(("列入", "纳入")):
                after = sent.text[m.end - sent.start : m.end - sent.start + 4]
                if after.startswith(("的项目", "项目")):
                    intro = (eid, b.nearest_period(sent, m.start - sent.start), sent.paragraph, m.end)
        if intro is not None:
            current = intro[:3]
            start_at = intro[3]
        else:
            start_at = sent.start
        if current is None:
            continue
        for m, eid in zip(f.mentions, f.entity_ids, strict=True):
            if eid and b.type_of(eid) == "Project" and not m.nested and m.start >= start_at:
                b.add(eid, "PARTICIPATES_IN", current[0], sent, period=current[1], action="列入")


def _located_in(f: SentenceFacts, b: RelationBuilder) -> None:
    sent, text = f.sentence, f.sentence.text
    pairs = list(zip(f.mentions, f.entity_ids, strict=True))
    for m, zid in pairs:
        if m.type != "Zone" or not zid:
            continue
        s, e = _rel(m, sent)
        if s == 0 or text[s - 1] != "在" or not _LOCATE_VERB.match(text, e):
            continue
        end = _clause_end(sent, m.end)
        for x, xid in pairs:
            if (
                x.start >= m.end
                and x.end <= end
                and xid
                and x.type in ("Project", "Zone", "Company")
                and not x.nested
            ):
                b.add(xid, "LOCATED_IN", zid, sent)
    for m, zid in pairs:
        if m.type != "Zone" or not zid:
            continue
        s, _ = _rel(m, sent)
        if _SETTLE.search(text[max(0, s - 8) : s]):
            subject = None
            for x, xid in pairs:
                if x.end <= m.start and xid and x.type in ("Project", "Company") and not x.nested:
                    subject = xid
            b.add(subject, "LOCATED_IN", zid, sent)
        for p, pid in pairs:  # 丽水市松阳县: the county lies in the city
            if (
                p is not m
                and p.type == "Zone"
                and p.start == m.start
                and p.end < m.end
                and pid
                and text[p.end - sent.start - 1] in "省市"
                and m.text[-1] in "县区市镇"
            ):
                b.add(zid, "LOCATED_IN", pid, sent)
    pos = text.find("入驻")
    if pos > 0:
        host = None
        for m, eid in pairs:
            if m.type in ("Zone", "Project") and eid and not m.nested and m.end - sent.start <= pos:
                host = eid
        if host:
            for lst in f.lists:
                if lst.start - sent.start >= pos:
                    for item in lst.items:
                        b.add(_id_of(f, item) or None, "LOCATED_IN", host, sent)


def _invests_by_verb(f: SentenceFacts, b: RelationBuilder) -> None:
    """C投资建设的P, C投资5亿元建设P, P…由C投资建设: the company behind a project."""
    sent, text = f.sentence, f.sentence.text
    pairs = [(m, eid) for m, eid in zip(f.mentions, f.entity_ids, strict=True) if eid and not m.nested]
    for i, (c, cid) in enumerate(pairs):
        if c.type != "Company":
            continue
        _, e = _rel(c, sent)
        after = _AFTER_NAME.match(text, e)
        e = after.end() if after else e
        if _INVEST_VERB.match(text, e):
            end = _clause_end(sent, c.end)
            target = next(
                ((m, pid) for m, pid in pairs[i + 1 :] if m.type == "Project" and m.start < end), None
            )
            if target is not None:
                amount = _amount_near(sent, e)
                at = text.find(amount.text, e) if amount else -1
                found = amount if amount and 0 <= at < _clause_end(sent, target[0].end) - sent.start else None
                period = b.nearest_period(sent, e)
                b.add(cid, "INVESTS_IN", target[1], sent, amount=found, period=period)
        s, _ = _rel(c, sent)
        if _BUILT_BY.search(text[:s]) and _BUILT_BY_AFTER.match(text, e):
            target = None
            for m, pid in pairs[:i]:
                if m.type == "Project":
                    target = (m, pid)
            if target is not None:
                amount = _amount_near(sent, target[0].end - sent.start)
                b.add(cid, "INVESTS_IN", target[1], sent, amount=amount)


def _invests_by_prefix(facts: list[SentenceFacts], b: RelationBuilder) -> None:
    companies = [e for e in b.by_id.values() if e.type == "Company" and len(e.name) >= 3]
    if not companies:
        return
    first_sentence: dict[str, Sentence] = {}
    for f in facts:
        for eid in f.entity_ids:
            if eid and eid not in first_sentence:
                first_sentence[eid] = f.sentence
    by_prefix: dict[str, list[Entity]] = {}
    for c in companies:
        by_prefix.setdefault(c.name[:2], []).append(c)
    for p in b.by_id.values():
        if p.type != "Project" or p.id not in first_sentence:
            continue
        for name in (p.name, *p.aliases):
            for c in by_prefix.get(name[:2], []):
                if name.startswith(c.name) and len(name) > len(c.name):
                    b.add(c.id, "INVESTS_IN", p.id, first_sentence[p.id])


#: Heads of areas too wide for a name's opening words to place it (…市, …省).
_COARSE_HEADS = ("市", "省")
#: Forms that name a different zone in every report; a name never begins with them.
_DEICTIC_ZONES = frozenset({"我区", "本区", "全区", "该区"})
#: The shortest rest of a name after its zone (宁波|软件园 yes, 宁波|市 no).
_MIN_REST = 2


def _located_by_prefix(facts: list[SentenceFacts], b: RelationBuilder) -> None:
    """A name that opens with a zone lies in it: 南湖高新区云栖产业园项目 → 云栖产业园 in 南湖高新区,
    unless that zone is the report's own area or a whole city (see :func:`_holds_everything`).

    Read off each written mention (so an alias counts as much as the name), the
    longest zone form first; the rest must be a name of its own (≥ 2 characters).
    A zone written after another lies in it when it is an administrative unit of
    it (宁波市XX区, 丽水市松阳县); a park or a building named after its city
    (青川软件园) is left alone, which the hand-made annotations agree with.
    """
    lex = load_lexicon()
    forms: dict[str, str] = {}
    for z in b.by_id.values():
        if z.type == "Zone":
            for form in (z.name, *z.aliases):
                if form not in _DEICTIC_ZONES:
                    forms.setdefault(form, z.id)
    if not forms:
        return
    longest_first = sorted(forms, key=len, reverse=True)
    by_first: dict[str, list[str]] = {}
    for form in longest_first:
        by_first.setdefault(form[0], []).append(form)
    for f in facts:
        for m, eid in zip(f.mentions, f.entity_ids, strict=True):
            if not eid or m.nested or m.type not in ("Project", "Company", "Zone"):
                continue
            for form in by_first.get(m.text[:1], ()):
                if m.text.startswith(form) and len(m.text) - len(form) >= _MIN_REST:
                    rest = m.text[len(form) :]
                    zone = forms[form]
                    if m.type == "Zone":
                        placed = _admin_head(rest, lex.zone_suffixes)
                    else:
                        placed = not _holds_everything(b, zone)
                    if placed:
                        b.add(eid, "LOCATED_IN", zone, f.sentence)
                    break


def _holds_everything(b: RelationBuilder, zone_id: str) -> bool:
    """The report's own area or a whole city: a project's name opening with it says nothing of where
    the project lies (南湖|溪岭智创产业园 is not stated to be in 南湖市), a district's does."""
    return zone_id == b.zone_id or b.by_id[zone_id].name.endswith(_COARSE_HEADS)


#: Heads of administrative units: a zone closed by one of these is part of the place before it.
_ADMIN_ZONE_HEADS = frozenset({"省", "市", "区", "县", "镇", "乡", "街道"})


def _admin_head(name: str, zone_suffixes: tuple[str, ...]) -> bool:
    """Whether ``name``'s zone head (longest first) is an administrative one (XX区 yes, 高新区 no)."""
    head = next((sfx for sfx in zone_suffixes if name.endswith(sfx)), None)
    return head in _ADMIN_ZONE_HEADS
