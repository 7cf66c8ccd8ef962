"""Merging mentions into entities: one entity per thing, with its other names as aliases.

Rules, all inside one document: identical normalised forms; forms a
recognizer derived (year/batch prefixes, 项目 suffix, zone prefixes, 资金/券
after an instrument word, direction words); short names that start exactly one
project (云栖 → 云栖产业园); agency abbreviations (经发局 ⊂ 经济发展局, same
first and last character); a zone written with and without its city
(高新区 → 宁波高新区); the report's own agency (我局, 本局) and zone (我区).
Lookups go through dictionaries and sorted prefix lists, never all pairs.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

from extract.lexicon import Lexicon
from extract.mentions import Mention, strip_year_batch
from extract.model import Entity, EntityType

_QUOTES = "“”\"'‘’《》〈〉「」『』【】"
_SELF_AGENCY = ("我局", "本局")
_SELF_ZONE = ("我区", "本区")
#: Bond instruments: a name ending in one of these followed by 资金 is the bond itself.
BONDS = ("债券", "专项债", "国债")
#: A named area before a level word and an agency word (南湾区|经信局): the area can be dropped.
_NAMED_LEVEL = re.compile(r"^[\u4e00-\u9fff]{2,4}?([省市区县])([\u4e00-\u9fff]{2,})$")


@lru_cache(maxsize=65536)
def norm(name: str) -> str:
    """The comparison form of a name: width-folded, without quotes and spaces (as the scorer does)."""
    s = unicodedata.normalize("NFKC", name)
    return "".join(ch for ch in s if not ch.isspace() and ch not in _QUOTES).lower()


@dataclass(slots=True)
class _Group:
    type: EntityType
    mentions: list[int]
    forms: Counter[str]
    keys: set[str]
    is_issuer: bool = False
    is_report_zone: bool = False


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def derived_forms(text: str, etype: EntityType, zones: list[str], lex: Lexicon) -> list[str]:
    """Other names the same thing goes by, derived from the written one."""
    out: list[str] = []
    core = strip_year_batch(text)
    if core != text and len(core) >= 2:
        out.append(core)
    if etype == "Project":
        bases = [text, core]
        for base in list(bases):
            for zone in zones:
                if base.startswith(zone) and len(base) - len(zone) >= 4:
                    bases.append(base[len(zone) :])
        for base in bases:
            if base.endswith("项目") and len(base) > 3:
                out.append(base[:-2])
        out += bases[2:]
    elif etype == "Funding":
        for base in (text, core):
            for tail in ("资金", "券"):
                if base.endswith(tail) and base[: -len(tail)] in lex.funding_words:
                    out.append(base[: -len(tail)])
    elif etype == "Zone":
        for d in lex.directions:
            if text.startswith(d) and len(text) - len(d) >= 2:
                out.append(text[len(d) :])
        if text.endswith("市") and len(text) >= 3:
            out.append(text[:-1])
    elif etype == "Agency":
        for zone in zones:
            if text.startswith(zone) and len(text) - len(zone) >= 2:
                out.append(text[len(zone) :])
        if text[:2] in ("XX", "**") and len(text) > 4:
            out.append(text[2:])
        named = _NAMED_LEVEL.match(text)
        if named and named.group(2) in lex.agency_words:
            out.append(text[named.start(1) :])  # 南湾区经信局 -> 区经信局
    return out


def instrument_forms(text: str) -> list[str]:
    """The instrument a funding name spells with more words: also one of its names, and the preferred one.

    新增专项债券资金 is the bond 新增专项债券 (资金 after a bond adds nothing); a named
    bank's loan (…银行…分行贷款) is the instrument 银行贷款, the evidence naming the lender.
    """
    out = []
    for base in dict.fromkeys((text, strip_year_batch(text))):
        if base.endswith("资金") and len(base) > 4 and base[:-2].endswith(BONDS):
            out.append(base[:-2])
    if text.endswith("贷款") and "银行" in text[:-2] and text != "银行贷款":
        out.append("银行贷款")
    if text.endswith("自筹") and len(text) > 3 and text != "企业自筹":
        out.append("企业自筹")  # a builder's own money (其余由县城建集团自筹)
    return out


def build_entities(
    mentions: list[Mention],
    issuer: str | None,
    lex: Lexicon,
    text: str,
    zone: str | None = None,
) -> tuple[list[Entity], list[str | None]]:
    """Entities (ids ``e1``… in order of first mention) and, per mention, its entity id or ``None``.

    ``zone`` is the report's own zone (:attr:`ReportMeta.zone`): 我区, 本区 and a bare 高新区
    in this report are that zone.
    """
    zones = sorted({m.text for m in mentions if m.type == "Zone"} | {"我区"}, key=len, reverse=True)
    issuer_forms = [issuer, *_SELF_AGENCY] if issuer else list(_SELF_AGENCY)
    n = len(mentions)
    uf = _UnionFind(n + 1)  # index n is the issuer
    keys_of: list[set[str]] = []
    owner: dict[tuple[str, str], int] = {}
    for f in issuer_forms:
        owner[("Agency", norm(f))] = n
    if issuer:
        for f in derived_forms(issuer, "Agency", zones, lex):
            owner.setdefault(("Agency", norm(f)), n)
    companies = [m for m in mentions if m.type == "Company" and not m.nested]
    owners = sorted({f for m in companies for f in (m.text, *m.forms) if len(f) >= 2}, key=len, reverse=True)
    for m in mentions:
        if m.type == "Funding":  # the instrument is one of the mention's names (instrument_forms)
            m.forms += [f for f in instrument_forms(m.text) if f not in m.forms]
        keys = {norm(m.text)} | {norm(f) for f in m.forms}
        keys |= {norm(f) for f in derived_forms(m.text, m.type, zones, lex)}
        if m.type == "Project":
            # 云帆精密数控机床生产基地项目: the project written with its investor in front
            # goes by its name without it (an alias), as 南湖区城东项目 does without its zone
            investor = next((o for o in owners if m.text.startswith(o) and len(m.text) - len(o) >= 4), None)
            if investor is not None:
                bare = m.text[len(investor) :]
                if bare not in m.forms:
                    m.forms.append(bare)
                keys |= {norm(bare)} | {norm(f) for f in derived_forms(bare, "Project", zones, lex)}
        keys.discard("")
        keys_of.append(keys)
    _retype_by_majority(mentions)
    for i, m in enumerate(mentions):
        for k in keys_of[i]:
            j = owner.setdefault((m.type, k), i)
            if j != i:
                uf.union(i, j)
    groups = _collect(mentions, keys_of, uf, n, issuer_forms if issuer else [])
    if issuer and uf.find(n) in groups:
        groups[uf.find(n)].keys |= {norm(f) for f in derived_forms(issuer, "Agency", zones, lex)}
    _merge_short_projects(groups, mentions, lex)
    _merge_default_bonds(groups)
    _merge_agency_abbreviations(groups)
    _merge_zone_suffixes(groups, lex)
    if zone:
        _attach_report_zone(groups, zone, text, lex)
    elif "我区" in text or "本区" in text:
        _attach_self_zone(groups)
    return _entities(groups, mentions, lex, zones, zone)


def _retype_by_majority(mentions: list[Mention]) -> None:
    """A name typed two ways in one report takes the type its surest mentions give it."""
    votes: dict[str, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))
    for m in mentions:
        votes[norm(m.text)][m.type] += m.priority * (1 if m.nested else 2)
    for m in mentions:
        v = votes[norm(m.text)]
        if len(v) > 1:
            best = max(v.items(), key=lambda kv: kv[1])[0]
            m.type = best  # type: ignore[assignment]


def _collect(
    mentions: list[Mention], keys_of: list[set[str]], uf: _UnionFind, n: int, issuer_forms: list[str]
) -> dict[int, _Group]:
    groups: dict[int, _Group] = {}
    if issuer_forms:
        root = uf.find(n)
        groups[root] = _Group("Agency", [], Counter({issuer_forms[0]: 1}), {norm(issuer_forms[0])}, True)
    for i, m in enumerate(mentions):
        root = uf.find(i)
        g = groups.get(root)
        if g is None:
            g = groups[root] = _Group(m.type, [], Counter(), set())
        if g.type != m.type:
            continue
        g.mentions.append(i)
        g.forms[m.text] += 2
        for f in m.forms:
            g.forms[f] += 1
        g.keys |= keys_of[i]
    return groups


def _merge(groups: dict[int, _Group], keep: int, gone: int) -> None:
    a, b = groups[keep], groups.pop(gone)
    a.mentions += b.mentions
    a.forms.update(b.forms)
    a.keys |= b.keys
    a.is_issuer = a.is_issuer or b.is_issuer
    a.is_report_zone = a.is_report_zone or b.is_report_zone


_PROJECT_TAILS = ("项目",)


def _merge_short_projects(groups: dict[int, _Group], mentions: list[Mention], lex: Lexicon) -> None:
    """Short names (云栖, 云栖项目, 青鸾) that begin exactly one project's name become its aliases.

    A name that continues with a company word or Latin letters (星澜|科技…产业园, 禾丰|CRO平台)
    is the company behind the project, not a short name of it.
    """
    project_keys = sorted(
        (k, gid) for gid, g in groups.items() if g.type == "Project" for k in g.keys if len(k) >= 4
    )
    flat = [k for k, _ in project_keys]
    holders: dict[str, set[int]] = defaultdict(set)
    for gid, g in groups.items():
        if g.type == "Project" or (g.type == "Company" and all(mentions[i].short_name for i in g.mentions)):
            for k in g.keys:
                if 2 <= len(k) <= 4:
                    holders[k].add(gid)
    for k, short_groups in sorted(holders.items(), key=lambda kv: -len(kv[0])):
        targets: set[int] = set()
        lo = bisect.bisect_left(flat, k)
        while lo < len(flat) and flat[lo].startswith(k):
            gid = project_keys[lo][1]
            rest = flat[lo][len(k) :]
            if rest and gid not in short_groups:
                if rest[0].isascii() or rest.startswith(lex.company_suffixes):
                    targets = set()
                    break
                targets.add(gid)
            lo += 1
        targets = {t for t in targets if t in groups}
        if len(targets) != 1:
            continue
        target = targets.pop()
        for gid in short_groups:
            if gid in groups and gid != target and not any(len(x) > 6 for x in groups[gid].keys):
                groups[gid].type = "Project"
                _merge(groups, target, gid)


#: The issue a bare bond name means in a report that names it: 专项债券 there is its 新增专项债券.
_DEFAULT_ISSUE = "新增"


def _merge_default_bonds(groups: dict[int, _Group]) -> None:
    """A report's bare bond (专项债券, 一般债券) is its new issue (新增专项债券) when it names one.

    Budget and project reports state the year's new bonds in full once and bare in the project
    lines; refinancing (再融资…) is always written out, so only the new issue takes the bare name.
    """
    bare_of: dict[str, int] = {}
    for gid, g in groups.items():
        if g.type == "Funding":
            for k in g.keys:
                if k.endswith(BONDS):
                    bare_of.setdefault(k, gid)
    for gid in list(groups):
        issue = groups.get(gid)
        if issue is None or issue.type != "Funding":
            continue
        for k in sorted(issue.keys):
            if not (k.startswith(_DEFAULT_ISSUE) and k.endswith(BONDS)):
                continue
            other = bare_of.get(k[len(_DEFAULT_ISSUE) :])
            if other is not None and other != gid and other in groups:
                _merge(groups, gid, other)


def _merge_agency_abbreviations(groups: dict[int, _Group]) -> None:
    """经发局 and 经济发展局: same first and last character, the short one a subsequence of the long."""
    buckets: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for gid, g in groups.items():
        if g.type == "Agency":
            for k in g.keys:
                if len(k) >= 3:
                    buckets[(k[0], k[-1])].append((k, gid))
    for items in buckets.values():
        for short, sg in sorted(items, key=lambda kv: len(kv[0])):
            if sg not in groups:
                continue
            longs = {
                lg
                for long, lg in items
                if lg != sg and lg in groups and len(long) > len(short) and _subsequence(short, long)
            }
            if len(longs) == 1:
                target = longs.pop()
                keep, gone = (sg, target) if groups[sg].is_issuer else (target, sg)
                _merge(groups, keep, gone)


def _subsequence(short: str, long: str) -> bool:
    """经发局 in 经济发展局; a short name written whole inside the long one (区政府 in 区委区政府) is
    another body, not an abbreviation."""
    if short in long:
        return False
    it = iter(long)
    return all(ch in it for ch in short)


def _merge_zone_suffixes(groups: dict[int, _Group], lex: Lexicon) -> None:
    """高新区 inside 宁波高新区: a zone written without its city is the same zone when only one fits."""
    zone_keys = {k: gid for gid, g in groups.items() if g.type == "Zone" for k in g.keys}
    for gid, g in list(groups.items()):
        if gid not in groups or g.type != "Zone":
            continue
        for k in list(g.keys):
            longer = {
                lg
                for lk, lg in zone_keys.items()
                if lg != gid and lk.endswith(k) and len(lk) > len(k) and lk[: -len(k)] in zone_keys
            }
            longer = {lg for lg in longer if lg in groups}
            if len(longer) == 1 and k not in lex.zone_suffixes:
                _merge(groups, longer.pop(), gid)
                break


def _attach_report_zone(groups: dict[int, _Group], zone: str, text: str, lex: Lexicon) -> None:
    """The report's own zone, written in full (宁波高新区), bare (高新区) or with its city (宁波市XX区).

    All of them are one entity named as the report names itself; 我区/本区 join it when
    written.  When the report never names its zone, 我区 stays unattached rather than
    joining whichever other zone ends in 区 (云州东山老区 is not 我区).
    """
    key = norm(zone)
    found = [
        gid for gid, g in groups.items() if g.type == "Zone" and any(_same_zone(k, key, lex) for k in g.keys)
    ]
    if not found:
        return
    target = min(found, key=lambda gid: min(groups[gid].mentions, default=0))
    for gid in found:
        if gid != target:
            _merge(groups, target, gid)
    g = groups[target]
    g.is_report_zone = True
    g.forms[zone] += 0
    g.keys.add(key)
    for self_name in _SELF_ZONE:
        if self_name in text:
            g.forms[self_name] += 0
            g.keys.add(self_name)


def _same_zone(form: str, zone: str, lex: Lexicon) -> bool:
    """``form`` names the report's zone ``zone``: equal, its bare generic head (高新区 of 宁波高新区),
    or the zone after a place (宁波市XX区 of XX区)."""
    if form == zone:
        return True
    if len(form) < len(zone) and zone.endswith(form):
        return form in lex.zone_suffixes and len(form) >= 2
    if len(form) > len(zone) and form.endswith(zone):
        place = form[: -len(zone)]
        return place in lex.places or (place[-1] in "省市" and place[:-1] in lex.places)
    return False


def _attach_self_zone(groups: dict[int, _Group]) -> None:
    """我区 is the report's own zone: the zone ending in 区 mentioned most often."""
    best, best_n = None, 0
    for gid, g in groups.items():
        if g.type == "Zone" and any(k.endswith("区") for k in g.keys) and len(g.mentions) > best_n:
            best, best_n = gid, len(g.mentions)
    if best is not None:
        groups[best].forms["我区"] += 0
        groups[best].keys.add("我区")


def _canonical(g: _Group, lex: Lexicon, zones: list[str], report_zone: str | None = None) -> str:
    if g.is_report_zone and report_zone:
        return report_zone
    forms = [f for f in g.forms if f]

    def score(f: str) -> tuple[int, int, int]:
        bonus = 0
        if g.type == "Project":
            bonus -= 2 * f.endswith("项目") + any(f.startswith(z) and f != z for z in zones)
        elif g.type == "Funding":
            bonus += 3 * (f in lex.funding_words) - 2 * (strip_year_batch(f) != f)
            bonus -= f.endswith("资金") and f[:-2] in g.forms  # the bond itself is a form (instrument_forms)
            # the new issue over the bare bond it took in (_merge_default_bonds)
            bonus += 4 * (f.startswith(_DEFAULT_ISSUE) and f[len(_DEFAULT_ISSUE) :] in g.forms)
        elif g.type == "Agency":
            bonus -= 5 * (f in _SELF_AGENCY)
            bonus += 4 * g.is_issuer * (f == next(iter(g.forms)))
        elif g.type == "Zone":
            bonus -= 5 * (f in _SELF_ZONE)

        return (bonus, g.forms[f], len(f))

    best = max(forms, key=score)
    if g.type == "Zone":
        # 北部青禾片区 -> 青禾片区: the direction word stays an alias
        for d in lex.directions:
            if best.startswith(d) and len(best) - len(d) >= 2:
                return best[len(d) :]
    return best


def _entities(
    groups: dict[int, _Group],
    mentions: list[Mention],
    lex: Lexicon,
    zones: list[str],
    report_zone: str | None = None,
) -> tuple[list[Entity], list[str | None]]:
    ordered = []
    for g in groups.values():
        if not g.mentions and not g.is_issuer:
            continue
        if not g.is_issuer and all(mentions[i].nested for i in g.mentions):
            continue
        first = min((mentions[i].start for i in g.mentions), default=-1)
        ordered.append((first, g))
    ordered.sort(key=lambda fg: fg[0])
    entity_of: list[str | None] = [None] * len(mentions)
    out = []
    for n, (_, g) in enumerate(ordered, start=1):
        eid = f"e{n}"
        name = _canonical(g, lex, zones, report_zone)
        seen = {norm(name)}
        aliases = []
        for f in g.forms:
            k = norm(f)
            if k and k not in seen:
                seen.add(k)
                aliases.append(f)
        spans = sorted({(mentions[i].start, mentions[i].end) for i in g.mentions})
        out.append(Entity(eid, name, g.type, aliases, spans))
        for i in g.mentions:
            entity_of[i] = eid
    return out, entity_of
