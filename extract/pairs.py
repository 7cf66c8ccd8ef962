"""Relation candidates: entity pairs of one sentence, their features, qualifiers and the decision.

Every ordered pair of mentions in a sentence whose types fit a predicate's
signature is a candidate; so is the report's own zone with a funding
instrument its sentence names without a recipient (全区争取专项债X亿元), and a
recipient with the instrument an earlier sentence introduced (新增专项债券安排
情况。其中：A项目3.2亿元；B项目2.8亿元).  The rules' relations
(:mod:`extract.relations`) are a feature of their pair, not the answer.  The
model picks a predicate or none; amounts, periods, agencies and actions are
then read by rule, since those patterns are exact.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from extract.amounts import find_amounts
from extract.features import ENUMERATOR
from extract.lists import ItemList
from extract.mentions import Mention
from extract.model import Amount, Entity, Period, Predicate, Relation
from extract.periods import find_periods
from extract.relations import SIGNATURES, RelationBuilder, SentenceFacts
from extract.sentences import Sentence

_TRIGGER = re.compile(
    r"(入选|获评|获批|获得|获|列入|纳入|申报|认定为|认定|评定为|评为|通过|开展|参加|兑现|享受|争取)"
)
_EACH = re.compile(r"各(?:奖励|补助|给予|获得|安排)?")
_RESPECTIVELY = "分别"
_TOTAL = re.compile(r"(?:合计|共计|总计|累计|共)")
#: How many earlier sentences an instrument is carried over to a list of recipients.
_CARRY_SENTENCES = 3
_PER_ITEM_GAP = 3
#: Whether the rules' own relation for a pair is one of its features.
USE_RULE_FEATURE = True
#: Field roles stated as plainly as a rule pattern (建设单位：X names the investor): a rule's
#: feature, and kept over the model's doubt; the looser place and money words (位于, 使用) stay
#: features of their own (chosen by leave-one-report-out).
EXACT_ROLES = frozenset({"INVESTS_IN"})


@dataclass(slots=True)
class PairCandidate:
    subject: str
    object: str
    sentence: Sentence
    s_mention: Mention | None
    o_mention: Mention | None
    features: list[str]
    rule: Relation | None = None
    #: the predicate a project list's field states for the pair (:func:`topic_role`), if any
    role: str | None = None
    #: the field states ``role`` as exactly as a rule's pattern: kept over the model's doubt
    exact: bool = False


def _closest_mentions(
    pairs: list[tuple[Mention, str]], types: Mapping[str, str]
) -> list[tuple[Mention, str, Mention, str]]:
    """One mention pair per entity pair of a sentence: the object's mention nearest after the
    subject's, else the nearest before (申报X资金，A、B获得X资金1860万元: the second X is A's)."""
    best: dict[tuple[str, str], tuple[tuple[int, int], Mention, Mention]] = {}
    for s, sid in pairs:
        for o, oid in pairs:
            if sid == oid or not _types_fit(types[sid], types[oid]):
                continue
            rank = (0, o.start - s.end) if o.start >= s.start else (1, s.start - o.end)
            old = best.get((sid, oid))
            if old is None or rank < old[0]:
                best[(sid, oid)] = (rank, s, o)
    return [(s, sid, o, oid) for (sid, oid), (_, s, o) in best.items()]


def _types_fit(ts: str, to: str) -> bool:
    return any(ts in subj and to in obj for subj, obj in SIGNATURES.values())


def _bucket(n: int, edges: tuple[int, ...]) -> str:
    for e in edges:
        if n <= e:
            return str(e)
    return f">{edges[-1]}"


def _list_of(m: Mention, lists: list[ItemList]) -> ItemList | None:
    for lst in lists:
        if any(i.start == m.start and i.end == m.end for i in lst.items):
            return lst
    return None


_JOINERS = frozenset({"、", "和", "及", "与", "以及"})


def group_of(m: Mention, f: SentenceFacts) -> tuple[list[Mention], int] | None:
    """The items ``m`` is listed with and where the list ends: a recognised list (A、B等N家企业),
    else names of one type joined only by 、/和/及 (A、B分别获得…)."""
    lst = _list_of(m, f.lists)
    if lst is not None and len(lst.items) >= 2:
        return list(lst.items), lst.end
    ms = sorted((x for x in f.mentions if not x.nested and x.type == m.type), key=lambda x: x.start)
    text, base = f.sentence.text, f.sentence.start
    runs: list[list[Mention]] = []
    for x in ms:
        if runs and text[runs[-1][-1].end - base : x.start - base] in _JOINERS:
            runs[-1].append(x)
        else:
            runs.append([x])
    for run in runs:
        if len(run) >= 2 and any(x.start == m.start and x.end == m.end for x in run):
            return run, run[-1].end
    return None


def _pair_features(
    f: SentenceFacts, s: Mention | None, o: Mention | None, ts: str, to: str, tokens: list[str]
) -> list[str]:
    sent, text = f.sentence, f.sentence.text
    feats = [f"tp={ts}>{to}"]
    if s is None:
        feats.append("implicit_subject")
    if o is None:
        feats.append("carried_object")
    if text.startswith(("其中", "包括")):
        feats.append("opens_with_among")
    if s is not None and o is not None:
        a, b = (s, o) if s.start <= o.start else (o, s)
        feats.append("s_first" if s.start <= o.start else "o_first")
        if b.start < a.end:
            feats.append("overlap")
            feats.append("s_inside" if s.start >= o.start and s.end <= o.end else "o_inside")
        gap = text[a.end - sent.start : b.start - sent.start]
        feats.append(f"dist={_bucket(len(gap), (0, 1, 2, 4, 8, 16, 32, 64))}")
        feats.append(f"seps={min(sum(gap.count(c) for c in '，,；;：:'), 3)}")
        feats.append(f"commas={min(gap.count('、'), 3)}")
        between = [m for m in f.mentions if a.end <= m.start and m.end <= b.start]
        feats.append(f"between_n={min(len(between), 3)}")
        for m in between[:4]:
            feats.append(f"between_type={m.type}")
        for w in _words_in(tokens, gap)[:8]:
            feats.append(f"bw={w}")
        if gap:
            feats.append(f"gap_first={gap[:1]}")
            feats.append(f"gap_last={gap[-1:]}")
            feats.append(f"gap2_first={gap[:2]}")
            feats.append(f"gap2_last={gap[-2:]}")
        if s.start == o.start or s.end == o.end or text.startswith(s.text, o.start - sent.start):
            feats.append("shared_edge")
        if o.text.startswith(s.text) or s.text.startswith(o.text):
            feats.append("prefix_name")
        sl, ol = _list_of(s, f.lists), _list_of(o, f.lists)
        if sl is not None:
            feats.append("s_in_list")
            if sl is ol:
                feats.append("same_list")
        if ol is not None:
            feats.append("o_in_list")
    for side, role in ((s, "s"), (o, "o")):
        if side is None:
            continue
        m = side
        rs = m.start - sent.start
        feats.append(f"{role}_prev2={text[max(0, rs - 2) : rs] or '^'}")
        feats.append(f"{role}_next2={text[m.end - sent.start : m.end - sent.start + 2] or '$'}")
        if m.nested:
            feats.append(f"{role}_nested")
        if _amount_right_after(text, m.end - sent.start):
            feats.append(f"{role}_amount_after")
    if s is not None and group_of(s, f) is not None:
        feats.append("s_in_group")
    if _RESPECTIVELY in text:
        feats.append("respectively")
    if _TOTAL.search(text):
        feats.append("total_word")
    trig = _TRIGGER.findall(text)
    for t in trig[:3]:
        feats.append(f"trig={t}")
    if not trig:
        feats.append("no_trigger")
    if any(True for _ in find_amounts(text)):
        feats.append("has_amount")
    return feats


def _words_in(tokens: list[str], gap: str) -> list[str]:
    if not gap:
        return []
    out = []
    pos = 0
    for w in tokens:
        at = gap.find(w, pos)
        if at >= 0 and len(w) >= 1:
            out.append(w)
            pos = at + len(w)
    return out


def _amount_right_after(
    text: str, pos: int, gap: int = _PER_ITEM_GAP, window: int = 24
) -> tuple[tuple[int, int], Amount] | None:
    """The first amount after ``pos`` when at most ``gap`` characters (约, ：) stand before it."""
    for (a, b), amount in find_amounts(text[pos : pos + window]):
        if a <= gap:
            return (pos + a, pos + b), amount
        break
    return None


#: Words after a company that say it puts money into the report's own area (增资扩产, 追加投资), and
#: words before a list of companies that say they were set up there (新设外资企业…有X、Y).
_INVESTS_AFTER = re.compile(r"[^，,；;。：:]{0,40}?(?:增资|追加投资)")
_SET_UP_BEFORE = re.compile(r"新设(?:立)?(?:外资|外商投资)?企业")
#: What follows an increase's figure when the increase pays for a build of its own.
_BUILDS_WITH = re.compile(r"(?:用于|主要用于)?(?:建设|新建|扩建|实施|投资建设)")


def _past_figure(text: str, pos: int) -> int:
    """Past the figure that follows ``pos`` (增资|2800万美元|建设…), or ``pos`` when none does."""
    found = _amount_right_after(text, pos, gap=2)
    return found[0][1] if found is not None else pos


def _invests_here(
    text: str, m: Mention, offset: int, pairs: list[tuple[Mention, str]], types: Mapping[str, str]
) -> bool:
    """A company investing where the report is, with no project of its own named in the clause."""
    lo, hi = m.start - offset, m.end - offset
    after = _INVESTS_AFTER.match(text, hi)
    if after is None and _SET_UP_BEFORE.search(text, 0, lo) is None:
        return False
    if after is not None and _BUILDS_WITH.match(text, _past_figure(text, after.end())):
        return False  # 增资2800万美元建设二期厂房: the money goes into the build the clause names
    end = after.end() if after is not None else hi
    # 青岚物流二期增资项目: the increase is a project of its own, which takes the investment
    return not any(
        types[eid] == "Project" and x.start - offset < end and x.end - offset > lo for x, eid in pairs
    )


def _item_with_amount(text: str, m: Mention, offset: int) -> bool:
    """A recipient opening its sentence with its own share (其中：A项目3.2亿元；B项目…): the
    instrument the earlier sentence introduced pays it, as plainly as a rule's pattern."""
    return m.start - offset <= _PER_ITEM_GAP + 3 and _amount_right_after(text, m.end - offset) is not None


def candidates(
    facts: list[SentenceFacts],
    entities: list[Entity],
    rules: list[Relation],
    zone_id: str | None,
    tokens_of: list[list[str]],
) -> list[PairCandidate]:
    """Every pair the model will judge, with features; rule relations included as features."""
    types = {e.id: e.type for e in entities}
    by_id = {e.id: e for e in entities}
    rule_at: dict[tuple[str, str, int], Relation] = {(r.subject, r.object, r.span[0]): r for r in rules}
    out: list[PairCandidate] = []
    seen: set[tuple[str, str, int]] = set()

    def add(
        sid: str,
        oid: str,
        sent: Sentence,
        s: Mention | None,
        o: Mention | None,
        feats: list[str],
        role: str | None = None,
        stated: str | None = None,
        exact: bool = False,
    ) -> None:
        """``role``: a project list's field; ``stated``: the predicate the words say as plainly as a
        rule's pattern (the rule feature); ``exact``: kept over the model's doubt."""
        key = (sid, oid, sent.start)
        if key in seen or sid == oid:
            return
        seen.add(key)
        rule = rule_at.get(key)
        if USE_RULE_FEATURE:
            said = rule.predicate if rule else stated or (role if role in EXACT_ROLES else "none")
            feats.append(f"rule={said}")
        if role is not None:
            feats.append(f"role={role}")
        out.append(PairCandidate(sid, oid, sent, s, o, feats, rule, role, exact or role in EXACT_ROLES))

    paragraph = -1
    item_paragraph = False
    carried_funding: tuple[Mention, str] | None = None
    topic: tuple[Mention, str, int] | None = None
    for k, f in enumerate(facts):
        sent = f.sentence
        pairs = [(m, eid) for m, eid in zip(f.mentions, f.entity_ids, strict=True) if eid]
        if zone_id is not None:
            # 禾森食品增资800万美元, 新设外资企业…主要有X、Y: the company invests in the report's area
            for s, sid in pairs:
                if types[sid] == "Company" and _invests_here(sent.text, s, sent.start, pairs, types):
                    feats = _pair_features(f, s, None, "Company", "Zone", tokens_of[k])
                    feats.append("invests_here")
                    add(sid, zone_id, sent, s, None, feats, "INVESTS_IN")
        for s, sid, o, oid in _closest_mentions(pairs, types):
            feats = _pair_features(f, s, o, types[sid], types[oid], tokens_of[k])
            if oid == zone_id:
                feats.append("o_is_report_zone")
            add(sid, oid, sent, s, o, feats)
        fundings = [(m, eid) for m, eid in pairs if types[eid] == "Funding"]
        if paragraph != sent.paragraph:
            paragraph, carried_funding, topic = sent.paragraph, None, _topic(f, types)
            item_paragraph = ENUMERATOR.match(sent.text) is not None
        # the report's zone gets what a sentence names for no one else (全区争取专项债X亿元); a
        # project named after the money is where it goes (争取X亿元，其中A项目…), not who got it
        if zone_id is not None and not item_paragraph and (topic is None or topic[2] == sent.start):
            for o, oid in fundings:
                if _recipient_before(pairs, types, o):
                    continue
                feats = _pair_features(f, None, o, "Zone", "Funding", tokens_of[k])
                feats.append("sentence_no_subject")
                received = _zone_receives(sent.text, o.end - sent.start)
                add(zone_id, oid, sent, None, o, feats, "FUNDED_BY" if received else None,
                    "FUNDED_BY" if received else None)  # fmt: skip
        if not fundings and carried_funding is not None:
            o, oid = carried_funding
            for s, sid in pairs:
                if types[sid] in ("Project", "Company", "Zone"):
                    feats = _pair_features(f, s, None, types[sid], "Funding", tokens_of[k])
                    feats.append(f"carried_from={o.text[-2:]}")
                    paid = types[sid] != "Zone" and _item_with_amount(sent.text, s, sent.start)
                    add(sid, oid, sent, s, None, feats, stated="FUNDED_BY" if paid else None)
        if topic is not None and topic[2] != sent.start:
            tid = topic[1]
            for o, oid in pairs:
                if oid != tid and _types_fit(types[tid], types[oid]):
                    feats = _pair_features(f, None, o, types[tid], types[oid], tokens_of[k])
                    feats.append("topic_subject")
                    role = topic_role(sent.text, o.start - sent.start, types[oid])
                    stated = _stated_field(role, sent.text, o.start - sent.start)
                    add(tid, oid, sent, None, o, feats, role, stated, exact=stated == "LOCATED_IN")
                if oid != tid and types[oid] == "Company" and types[tid] in ("Project", "Zone"):
                    feats = _pair_features(f, o, None, "Company", types[tid], tokens_of[k])
                    feats.append("topic_object")
                    role = topic_role(sent.text, o.start - sent.start, "Company")
                    add(oid, tid, sent, o, None, feats, role)
        if fundings:
            carried_funding = fundings[-1]
    # rule relations whose evidence pair is not a same-sentence pair (paragraph and name-prefix rules)
    for r in rules:
        key = (r.subject, r.object, r.span[0])
        if key in seen:
            continue
        seen.add(key)
        found = next((f.sentence for f in facts if f.sentence.start == r.span[0]), None)
        if found is None:
            continue
        sent = found
        feats = [f"tp={types.get(r.subject)}>{types.get(r.object)}", "rule_only", f"rule_only={r.predicate}"]
        if r.object == zone_id:
            feats.append("o_is_report_zone")
        s_ent, o_ent = by_id.get(r.subject), by_id.get(r.object)
        if s_ent is not None and o_ent is not None:
            s_forms, o_forms = (s_ent.name, *s_ent.aliases), (o_ent.name, *o_ent.aliases)
            if any(a.startswith(b) for a in s_forms for b in o_forms):
                feats.append("prefix_name")
            feats.append(f"o_suf1={o_ent.name[-1:]}")
        out.append(PairCandidate(r.subject, r.object, sent, None, None, feats, r))
    return out


#: What says the report's zone receives the money it states (争取, 下达我区, 转贷收入, 补助收入中：):
#: budget and finance reports list their inflows this way, with no recipient named.
_ZONE_INFLOW = re.compile(r"争取|下达|转贷收入|补助收入|转移支付|债券")


def _recipient_before(pairs: list[tuple[Mention, str]], types: Mapping[str, str], o: Mention) -> bool:
    return any(types[eid] in ("Project", "Company") and m.end <= o.start for m, eid in pairs)


def _zone_receives(text: str, hi: int) -> bool:
    """An inflow stated as an instrument and its amount: the zone's own money, a rule's plain reading."""
    return _amount_right_after(text, hi) is not None and _ZONE_INFLOW.search(text, 0, hi) is not None


#: The field labels of a project list that name the item's investor, place and money.
_INVESTOR_LABEL = re.compile(
    r"(?:建设单位|业主单位|项目业主|实施主体|建设主体|投资主体|项目单位|投资方)[:：]\s*$"
)
_PLACE_WORD = re.compile(r"(?:位于|坐落于|落户|选址|涉及)(?:[^，。；]{0,30}[、和及])?$")
_MONEY_WORD = re.compile(
    r"(?:资金来源(?:为|是|[:：])|使用|获得?|争取|下达|安排|其余(?:部分|资金)?由)(?:[^，。；]{0,40}[、和及])?"
    r"(?:\d{4}年)?(?:度|新增|中央|省级|市级|区级)?$"
)


#: Fields that state the item's place or money as plainly as a rule's pattern (位于东岚街道,
#: 资金来源：专项债券…, 其余由X自筹); 涉及, 使用 or 争取 stay the model's to weigh.
_PLAIN_PLACE = re.compile(r"(?:位于|坐落于|选址于?)$")
_SOURCE_FIELD = re.compile(r"资金来源(?:为|是|[:：])|其余(?:部分|资金)?由")


def _stated_field(role: str | None, text: str, pos: int) -> str | None:
    if role == "LOCATED_IN" and _PLAIN_PLACE.search(text, 0, pos) is not None:
        return role
    if role == "FUNDED_BY" and _SOURCE_FIELD.search(text, max(0, pos - 48), pos) is not None:
        return role
    return None


def topic_role(text: str, pos: int, otype: str) -> str | None:
    """The predicate a project list's field states between the item and a name in it.

    ``建设单位：青溪城投集团`` names the item's investor, ``位于东岚街道`` its place,
    ``资金来源：专项债券…`` / ``使用专项债券…`` its money; the rule proposes, the model weighs.
    """
    before = text[:pos]
    if otype == "Company" and _INVESTOR_LABEL.search(before):
        return "INVESTS_IN"
    if otype == "Zone" and _PLACE_WORD.search(before):
        return "LOCATED_IN"
    if otype == "Funding" and _MONEY_WORD.search(before):
        return "FUNDED_BY"
    return None


def _topic(f: SentenceFacts, types: Mapping[str, str]) -> tuple[Mention, str, int] | None:
    """The project a paragraph is about: the first name of a numbered or short opening sentence.

    1.云栖大道改造工程。建设单位：…。总投资8.6亿元，使用专项债券…: the later sentences speak of it.
    """
    text = f.sentence.text
    if not (ENUMERATOR.match(text) or len(text) <= 40):
        return None
    for m, eid in zip(f.mentions, f.entity_ids, strict=True):
        if eid and types[eid] in ("Project", "Company") and not m.nested:
            if m.start - f.sentence.start <= 6:
                return m, eid, f.sentence.start
            return None
    return None


def qualify(
    pred: Predicate,
    cand: PairCandidate,
    f: SentenceFacts | None,
    builder: RelationBuilder,
    report_period: Period | None,
    confidence: float,
    invested: Mapping[str, Amount] | None = None,
) -> Relation:
    """The relation for an accepted candidate, with amount, period, agency and action read by rule."""
    sent = cand.sentence
    text = sent.text
    rule = cand.rule if cand.rule is not None and cand.rule.predicate == pred else None
    amount: Amount | None = rule.amount if rule else None
    period: Period | None = rule.period if rule else None
    agency = rule.agency if rule else None
    action = rule.action if rule else None
    s, o = cand.s_mention, cand.o_mention
    if pred == "FUNDED_BY" and f is not None:
        # per item (其中A 1.2亿元、B 3亿元), each (各), respectively (分别) or shared by a list
        amount = _amount_for(text, sent, s, o, f) or amount
    if pred == "INVESTS_IN" and amount is None:
        amount = _investment(text, sent, s, o)
        if amount is None and o is None and s is not None and f is not None:
            amount = _list_total(text, sent, s, f)
        if amount is None and invested is not None:
            amount = invested.get(cand.object)  # 总投资 stated where the report describes the project
    if period is None and pred != "LOCATED_IN":
        anchor = o if o is not None else s
        period = _period_for(sent, anchor.start - sent.start if anchor is not None else 0, builder)
    if pred == "FUNDED_BY" and f is not None:
        # the rules took any agency word, 中央 of 中央预算内投资 included; this one never does
        agency = _agency_in(f, builder)
    if pred == "PARTICIPATES_IN" and action is None and o is not None:
        before = text[max(0, o.start - sent.start - 8) : o.start - sent.start]
        found = _TRIGGER.findall(before)
        action = found[-1] if found else None
    if (
        period is None
        and report_period is not None
        and pred in ("FUNDED_BY", "INVESTS_IN", "PARTICIPATES_IN")
    ):
        period = Period(report_period.text, report_period.start, report_period.end, inherited=True)
    return Relation(
        cand.subject,
        pred,
        cand.object,
        text,
        (sent.start, sent.end),
        amount=amount,
        period=period,
        agency=agency,
        action=action,
        confidence=confidence,
    )


#: The rest of a project's money, after the instruments with figures: 其余由X自筹.
_REST_BY = re.compile(r"其余(?:部分|资金)?由$")


#: Words that make the next figure a list's sum (合计新增投资21.6亿元, 共完成投资…).
_TOTAL_WORD = re.compile(r"[，,]?" + _TOTAL.pattern + r"[^，,；;。]{0,8}?(?=[\d*＊]|约|近|超)")
_SENTENCE_PART_END = re.compile(r"[；;。]")


def _list_total(text: str, sent: Sentence, s: Mention, f: SentenceFacts) -> Amount | None:
    """The sum stated for the list ``s`` stands in (A、B等3家企业增资扩产，合计新增投资X): shared."""
    grouped = group_of(s, f)
    if grouped is None:
        return None
    _, end = grouped
    lo = end - sent.start
    stop = _SENTENCE_PART_END.search(text, lo)
    clause_end = stop.start() if stop is not None else len(text)
    for w in _TOTAL_WORD.finditer(text, lo, clause_end):
        a = _figure_at(text, w.end())
        if a is not None:
            return Amount(
                a.text, a.value, a.currency, a.masked, a.approx, shared=True, group=f"g{sent.start}-{end}"
            )
    return None


def _amount_for(
    text: str, sent: Sentence, s: Mention | None, o: Mention | None, f: SentenceFacts
) -> Amount | None:
    """Per item when an amount follows the recipient; shared when one amount follows a list."""
    if s is not None:
        own = _amount_right_after(text, s.end - sent.start)
        if own is not None:
            return own[1]
        grouped = group_of(s, f)
        if grouped is not None:
            items, end = grouped
            after = text[end - sent.start :]
            amounts = list(find_amounts(after))
            if not amounts:
                return None
            if _RESPECTIVELY in after[: amounts[0][0][0] + 1] and len(amounts) >= len(items):
                idx = next(i for i, item in enumerate(items) if item.start == s.start)
                return amounts[idx][1]
            first = amounts[0]
            lead = after[: first[0][0]]
            if _EACH.search(lead[-6:]):
                return first[1]
            group = f"g{sent.start}-{end + first[0][0]}"
            a = first[1]
            return Amount(a.text, a.value, a.currency, a.masked, a.approx, shared=True, group=group)
    if o is not None and _REST_BY.search(text, 0, o.start - sent.start):
        # 其余由X自筹: the rest of the money, stated without a figure unless one follows
        rest = _amount_right_after(text, o.end - sent.start)
        return rest[1] if rest is not None else None
    pos = (o.end if o is not None else (s.end if s is not None else 0)) - sent.start
    best: Amount | None = None
    best_d = 10**9
    for (lo, hi), found in find_amounts(text):
        d = lo - pos if lo >= pos else (pos - hi) * 3
        if d < best_d:
            best, best_d = found, d
    return best


_INVEST_WORD = re.compile(
    r"(?:总投资|计划投资|协议投资|合同外资|实际使用外资|到位|投资|增资|出资)(?:约|超|近)?"
)


def _investment(text: str, sent: Sentence, s: Mention | None, o: Mention | None) -> Amount | None:
    """The amount written after an investment word in the clause of the project or the company."""
    if s is not None and o is not None and s.end <= o.start:
        # C1投资8000万美元的P1、C2总投资3.2亿美元的P2: the figure between the two is theirs
        between = _figure_after_word(text, s.end - sent.start, o.start - sent.start)
        if between is not None:
            return between
    anchors = [m.end - sent.start for m in (o, s) if m is not None]
    for anchor in anchors:
        lo, hi = _clause_around(text, anchor)
        words = list(_INVEST_WORD.finditer(text, lo, hi))
        if hi < len(text):  # X项目，总投资8.6亿元: the next clause opens with the figure
            nxt = _INVEST_WORD.match(text, hi + 1)
            if nxt is not None:
                words.append(nxt)
        for w in words:
            found = _figure_at(text, w.end())
            if found is not None:
                return found
    return None


def _figure_at(text: str, pos: int, limit: int = 16) -> Amount | None:
    """The amount that opens ``text`` at ``pos`` (约/超 aside), within ``limit`` characters."""
    found = _amount_right_after(text, pos, gap=2, window=limit)
    return found[1] if found is not None else None


def _figure_after_word(text: str, lo: int, hi: int) -> Amount | None:
    """The first figure right after an investment word between ``lo`` and ``hi``."""
    for w in _INVEST_WORD.finditer(text, lo, hi):
        found = _figure_at(text, w.end(), hi - w.end())
        if found is not None:
            return found
    return None


def investments(facts: list[SentenceFacts], types: Mapping[str, str]) -> dict[str, Amount]:
    """Each project's investment as the report states it first (X项目，总投资8.6亿元)."""
    out: dict[str, Amount] = {}
    paragraph, topic = -1, None
    for f in facts:
        if f.sentence.paragraph != paragraph:
            paragraph, topic = f.sentence.paragraph, _topic(f, types)
        named = False
        for m, eid in zip(f.mentions, f.entity_ids, strict=True):
            if eid and types.get(eid) == "Project" and not m.nested:
                named = True
                if eid not in out:
                    found = _investment(f.sentence.text, f.sentence, None, m)
                    if found is not None:
                        out[eid] = found
        # 1.云栖大道改造工程。建设单位：…。总投资8.6亿元: the item's later sentence states its total
        if topic is not None and not named and topic[1] not in out and topic[2] != f.sentence.start:
            total = _ITEM_TOTAL.search(f.sentence.text)
            found = _figure_at(f.sentence.text, total.end()) if total is not None else None
            if found is not None:
                out[topic[1]] = found
    return out


_ITEM_TOTAL = re.compile(r"(?<!年度)(?<!年度计划)(?:计划总投资|总投资)(?:约|超|近)?")


def _clause_around(text: str, pos: int) -> tuple[int, int]:
    lo = max((text.rfind(c, 0, pos) for c in "，,；;："), default=-1) + 1
    ends = [i for i in (text.find(c, pos) for c in "，,；;：") if i >= 0]
    return lo, min(ends) if ends else len(text)


def _period_for(sent: Sentence, pos: int, builder: RelationBuilder) -> Period | None:
    """A time in the fact's own clause, else one that opens the sentence, else the carried one."""
    text = sent.text
    lo, hi = _clause_around(text, min(pos, max(0, len(text) - 1)))
    _, first_hi = _clause_around(text, 0)
    found = [(a, per) for (a, _), per in find_periods(text, builder.year) if per.start is not None]
    for a, per in found:
        if lo <= a < hi:
            return per
    for a, per in found:
        if a <= 2 and first_hi < lo:
            return per  # 2023年，… / 1-9月，… : the time the sentence opens with
    return builder.carry


def _agency_in(f: SentenceFacts, builder: RelationBuilder) -> str | None:
    """The agency the sentence names (not the issuer, not a word inside an instrument's name)."""
    fundings = [m for m in f.mentions if m.type == "Funding"]
    for m, eid in zip(f.mentions, f.entity_ids, strict=True):
        if m.type != "Agency" or not eid or eid == builder.issuer_id:
            continue
        if any(x.start <= m.start and m.end <= x.end for x in fundings):
            continue
        ent = builder.by_id.get(eid)
        if ent is not None:
            return ent.name
    return None
