"""The extraction engine: a loaded report and its metadata in, entities and relations out.

Stages: sentences of the body → jieba tokens → mentions from recognizers
(titles, quotes, trigger phrases, suffix grammars, lexicon words, lists) →
overlaps resolved per sentence → mentions merged into entities → relations
from sentence patterns.  Everything outside ``loaded.body`` is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from extract.aliases import BONDS, build_entities, norm
from extract.candidates import (
    EXACT_SOURCES,
    exact_type,
    head_spans,
    item_title,
    quoted_titles,
    tidy_edges,
    without_phase,
)
from extract.features import DocContext, SentenceView, boundary_features, list_features, mention_features
from extract.learned import NONE, Model, load_model
from extract.lexicon import Lexicon, load_lexicon
from extract.lists import ABBREVIATION, ItemList, find_lists
from extract.mentions import (
    HeadIndex,
    Mention,
    agency_words,
    book_titles,
    head_index,
    places,
    quoted,
    suffix_names,
    trigger_policies,
    zone_contexts,
)
from extract.model import Entity, EntityType, LoadedText, Period, Relation, ReportMeta
from extract.names import Tokens, all_generic, pos_of
from extract.pairs import PairCandidate, candidates, group_of, investments, qualify
from extract.relations import SIGNATURES, RelationBuilder, SentenceFacts, build_relations
from extract.resolve import resolve_sentence
from extract.segment import tokenize
from extract.sentences import Sentence, split_sentences


@cache
def _suffix_heads() -> HeadIndex:
    """Head word -> type, for the suffix grammars (later tables win on a clash)."""
    lex = load_lexicon()
    heads: dict[str, EntityType] = {}
    for w in lex.agency_suffixes:
        heads[w] = "Agency"
    for w in lex.company_suffixes:
        heads[w] = "Company"
    for w in lex.zone_suffixes:
        heads[w] = "Zone"
    for w in lex.project_suffixes:
        heads[w] = "Project"
    for w in lex.funding_suffixes:
        heads[w] = "Funding"
    for w in lex.funding_words:
        heads[w] = "Funding"
    return head_index(heads)


@cache
def _own_types() -> dict[str, EntityType]:
    """Suffixes that type a list item by themselves (…产业园 is a project whatever the list says)."""
    lex = load_lexicon()
    own: dict[str, EntityType] = {}
    for w in lex.company_suffixes:
        if w in ("公司", "集团", "有限公司", "股份有限公司", "商会"):
            own[w] = "Company"
    for w in lex.zone_suffixes:
        if len(w) >= 2 and w not in ("软件园", "大厦"):
            own[w] = "Zone"
    for w in lex.project_suffixes:
        if len(w) >= 2 and w != "项目":
            own[w] = "Project"
    for w in lex.agency_suffixes:
        if len(w) >= 2:
            own[w] = "Agency"
    for w in lex.agency_words:
        if len(w) >= 3 and w[-1] in "局委厅办部":
            own[w] = "Agency"  # 区税务局 in a list of partners is an agency, whatever the list's head
    return own


@dataclass(slots=True)
class Trace:
    """What ``kg train`` needs from a run: every candidate with its features, before any decision."""

    mentions: list[tuple[Mention, list[str]]] = field(default_factory=list)
    pairs: list[tuple[PairCandidate, list[str], list[str]]] = field(default_factory=list)
    entity_forms: dict[str, list[str]] = field(default_factory=dict)


def _sentence_mentions(
    sent: Sentence,
    toks: Tokens,
    lex: Lexicon,
    model: Model,
    ctx: DocContext,
    trace: Trace | None,
) -> tuple[list[Mention], list[ItemList]]:
    found: list[Mention] = []
    found += book_titles(sent)
    found += quoted(sent, toks, lex)
    found += trigger_policies(sent, toks, lex)
    found += suffix_names(sent, toks, lex, _suffix_heads())
    found += agency_words(sent, lex)
    found += places(sent, toks, lex)
    found += zone_contexts(sent, lex)
    lists = find_lists(sent, toks, lex, _own_types())
    for lst in lists:
        found += lst.items
    if model.mentions is not None or trace is not None:
        found = _decide_mentions(found, sent, toks, lists, model, ctx, trace)
    kept = resolve_sentence(found)
    _written_forms(sent, kept)
    kept = _abbreviations(sent, kept)
    _compound_zones(kept)
    _place_before_zone(kept, lex)
    _hosts_are_zones(sent, kept, lists)
    kept.sort(key=lambda m: (m.start, -(m.end - m.start)))
    return kept, lists


#: What may follow a project's name as written without being cut off it: 项目, a bare phase (一期).
_PROJECT_TAIL = re.compile(r"(?:[一二三四五六七八九十]期)?项目|[一二三四五六七八九十]期(?![工建])")
#: The year an evaluation or a list is of, written right before its name (2022年度|全省…考核评价).
_YEAR_BEFORE = re.compile(r"(?:19|20)\d{2}年度?$")


def _written_forms(sent: Sentence, kept: list[Mention]) -> None:
    """A name as the report writes it, with the 项目 or phase right after a project's span
    (X冷链物流中心|项目1.2亿元, X历史文化街区|一期) or the year right before a policy's
    (2022年度|全省开发区考核评价), is one of its names too."""
    for m in kept:
        written = None
        if m.type == "Project" and not m.text.endswith("项目"):
            tail = _PROJECT_TAIL.match(sent.text, m.end - sent.start)
            written = m.text + tail.group(0) if tail is not None else None
        elif m.type == "Policy" and not m.text.startswith(("19", "20")):
            year = _YEAR_BEFORE.search(sent.text, 0, m.start - sent.start)
            written = year.group(0) + m.text if year is not None else None
        if written is not None and written not in m.forms:
            m.forms.append(written)


def _decide_mentions(
    found: list[Mention],
    sent: Sentence,
    toks: Tokens,
    lists: list[ItemList],
    model: Model,
    ctx: DocContext,
    trace: Trace | None,
) -> list[Mention]:
    """The rules' mentions and the wide spans, one per span, kept and typed by the model."""
    by_span: dict[tuple[int, int], list[Mention]] = {}
    wide = head_spans(sent, toks) + _known_spans(sent, toks, ctx)
    wide += item_title(sent, toks) + quoted_titles(sent)
    for raw in found + wide:
        m = tidy_edges(raw, sent, toks)
        if m is not None:
            by_span.setdefault((m.start, m.end), []).append(m)
    scored: list[Mention] = []
    view = SentenceView(sent, toks, ctx)
    rank = _edge_ranks(by_span)
    for span, group in by_span.items():
        ruled = [m for m in group if m.source not in ("span", "qspan", *EXACT_SOURCES)]
        title = next((m for m in group if m.source in EXACT_SOURCES), None)
        best = max(ruled, key=lambda m: m.priority) if ruled else title or group[0]
        feats = mention_features(best, view) + list_features(best, lists)
        bounds = boundary_features(best, view)
        feats += bounds + [f"{r}&{bounds[2]}" for r in rank[span]] + rank[span]
        feats += [f"also={m.source}_{m.type}" for m in group if m is not best]
        if trace is not None:
            trace.mentions.append((best, feats))
        if model.mentions is None:
            if ruled:
                scored.append(best)
            continue
        proba = model.mentions.proba(feats)
        etype, p = max(((t, v) for t, v in proba.items() if t != NONE), key=lambda kv: kv[1])
        exact = exact_type(title, best.text, toks, span[0] - sent.start)
        known = ctx.known.get(best.text)
        if exact is not None:  # kept; of a grammar's left edges the model's surest wins
            q = proba.get(exact, 0.0)
            etype, p = exact, max(q, model.mention_threshold, model.entity_threshold or 0.0) + q * 1e-3
        elif known is not None and proba.get(known, 0.0) >= KNOWN_FLOOR:
            etype, p = known, max(proba[known], model.mention_threshold, model.entity_threshold or 0.0)
        elif 1.0 - proba.get(NONE, 0.0) < model.mention_threshold:
            continue
        if _only_generic(best, sent, toks, ctx.lex):
            continue
        for m in ruled or group:
            m.forms = [x for g in ruled for x in g.forms if x not in m.forms] + m.forms
        best.type = etype  # type: ignore[assignment]
        best.score = p
        scored.append(best)
    if model.mentions is None:
        return scored
    return _best_edges(_modifiers_belong(_phases_belong(scored), ctx.lex))


def _fuller_wins(
    scored: list[Mention], bare_span: Callable[[Mention], tuple[int, int] | None], alias: bool
) -> list[Mention]:
    """Of a name with and without a part that belongs to it, both kept by the model, the fuller one
    wins the edge choice (``bare_span``: where the name stands without that part, or None), and
    carries the bare one as an alias when ``alias``."""
    at = {(m.start, m.end, m.type): m for m in scored}
    for m in scored:
        span = bare_span(m)
        short = at.get((*span, m.type)) if span is not None else None
        if short is not None and (short.score or 0.0) > (m.score or 0.0):
            m.score = (short.score or 0.0) + 1e-6
            if alias and short.text not in m.forms:
                m.forms.append(short.text)
    return scored


def _phases_belong(scored: list[Mention]) -> list[Mention]:
    """改造工程（一期）: a phase written after a name is part of it, and the bare name another form."""

    def bare_span(m: Mention) -> tuple[int, int] | None:
        bare = without_phase(m.text)
        return (m.start, m.start + len(bare)) if bare != m.text else None

    return _fuller_wins(scored, bare_span, alias=True)


def _modifiers_belong(scored: list[Mention], lex: Lexicon) -> list[Mention]:
    """新增专项债券: a bond modifier (``bond_modifiers``) written before a bond is part of its name.

    The bare bond is not made its alias: 新增专项债券 and 再融资专项债券 of one report would
    become one entity through it.
    """

    def bare_span(m: Mention) -> tuple[int, int] | None:
        if m.type != "Funding" or not m.text.endswith(BONDS):
            return None
        mod = next((w for w in lex.bond_modifiers if m.text.startswith(w)), None)
        return (m.start + len(mod), m.end) if mod is not None else None

    return _fuller_wins(scored, bare_span, alias=False)


def _edge_ranks(by_span: dict[tuple[int, int], list[Mention]]) -> dict[tuple[int, int], list[str]]:
    """How many longer candidates share the span's end, and its start (0: the longest).

    The candidates of one head are its left edges; which of them is the name is a choice
    among them, and the rank lets a per-span model see where in that choice a span sits.
    """
    starts_at: dict[int, list[int]] = {}
    ends_at: dict[int, list[int]] = {}
    for s, e in by_span:
        starts_at.setdefault(e, []).append(s)
        ends_at.setdefault(s, []).append(e)
    out = {}
    for s, e in by_span:
        left = sum(1 for x in starts_at[e] if x < s)
        right = sum(1 for x in ends_at[s] if x > e)
        out[(s, e)] = [f"rank_end={min(left, 3)}", f"rank_start={min(right, 3)}"]
    return out


#: A name the batch already knows is kept where the model gives its type at least this much.
KNOWN_FLOOR = 0.05
#: A subject's programme in one sentence is the one the model is surest of, and any nearly as sure
#: (入选A和B): a weaker rival is the sentence's other title (根据《…通知》…列入X培育库), not a second fact.
RIVAL_RATIO = 0.7
_ONE_OBJECT = frozenset({"PARTICIPATES_IN"})


def _known_spans(sent: Sentence, toks: Tokens, ctx: DocContext) -> list[Mention]:
    """Where names found with high confidence elsewhere in the batch occur, on token boundaries."""
    pattern = ctx.known_pattern()
    if pattern is None:
        return []
    out = []
    for m in pattern.finditer(sent.text):
        if toks.is_boundary(m.start()) and toks.is_boundary(m.end()):
            name = m.group(0)
            out.append(
                Mention(sent.start + m.start(), sent.start + m.end(), ctx.known[name], name, "known")  # type: ignore[arg-type]
            )
    return out


def _only_generic(m: Mention, sent: Sentence, toks: Tokens, lex: Lexicon) -> bool:
    """Generic words (企业, 项目, 区级技改项目) are never entities, whatever the model says (SCHEMA.md)."""
    s, e = m.start - sent.start, m.end - sent.start
    words = [t.word for t in toks.tokens if s <= t.start and t.end <= e]
    return all_generic([w for w in words if w not in lex.level_prefixes and not _LEVEL_WORD.match(w)], lex)


_LEVEL_WORD = re.compile(r"^(?:国家|省|市|区|县)级$")


def _best_edges(scored: list[Mention]) -> list[Mention]:
    """Of the spans of one type sharing a start or an end, only the surest one stays."""
    # an exact grammar's span first, then the surest
    keep = sorted(scored, key=lambda m: (m.source not in EXACT_SOURCES, -(m.score or 0.0)))
    taken_end: set[tuple[int, str]] = set()
    taken_start: set[tuple[int, str]] = set()
    out = []
    for m in keep:
        if m.source == "paired":  # 区委、区政府 holds 区政府 at its end without competing with it
            out.append(m)
            continue
        if (m.end, m.type) in taken_end or (m.start, m.type) in taken_start:
            continue
        taken_end.add((m.end, m.type))
        taken_start.add((m.start, m.type))
        out.append(m)
    return out


def _abbreviations(sent: Sentence, mentions: list[Mention]) -> list[Mention]:
    """全称（以下简称“星澜半导体”）: the bracketed short name is another name of the mention before it."""
    out = mentions
    for m in ABBREVIATION.finditer(sent.text):
        start, end = sent.start + m.start(), sent.start + m.end()
        full = next((x for x in out if x.end == start and not x.nested), None)
        if full is None:
            continue
        short = m.group(1)
        s = sent.start + m.start(1)
        if short not in full.forms:
            full.forms.append(short)
        out = [x for x in out if not (start <= x.start and x.end <= end)]
        out.append(Mention(s, s + len(short), full.type, short, full.source, [full.text]))
    return out


def _hosts_are_zones(sent: Sentence, mentions: list[Mention], lists: list[ItemList]) -> None:
    """A park or building that companies have moved into (…产业园已入驻A、B等企业) is a place."""
    pos = sent.text.find("入驻")
    if pos < 0 or not any(lst.start - sent.start >= pos for lst in lists):
        return
    host = None
    for m in mentions:
        if m.type in ("Zone", "Project") and not m.nested and m.end - sent.start <= pos:
            host = m
    if host is not None and host.type == "Project":
        host.type = "Zone"
        host.source = "context"


_PROVINCE_CITY = re.compile(r"^([\u4e00-\u9fff]{2,3}?[省市])([\u4e00-\u9fff]{1,6}[县区市镇])$")


def _compound_zones(mentions: list[Mention]) -> None:
    """四川省理县, 丽水市松阳县: the county goes by its own name too, and the province is named."""
    for m in list(mentions):
        if m.type != "Zone" or m.nested:
            continue
        pm = _PROVINCE_CITY.match(m.text)
        if (
            pm
            and pos_of(pm.group(1)[:-1]) == "ns"
            and not any(p.start == m.start and p.end < m.end for p in mentions if p.type == "Zone")
        ):
            mentions.append(Mention(m.start, m.start + len(pm.group(1)), "Zone", pm.group(1), "place"))
        for p in mentions:
            if (
                p is not m
                and p.type == "Zone"
                and p.start == m.start
                and p.end < m.end
                and p.text[-1:] in "省市"
                and m.end - p.end >= 2
                and m.text[-1] in "县区市镇"
            ):
                p.nested = False
                rest = m.text[len(p.text) :]
                if rest not in m.forms:
                    m.forms.append(rest)


#: The shortest zone name left after a city in front of it (上海|张江高科技园区, not 宁波|软件园).
_MIN_ZONE_AFTER_PLACE = 5


def _place_before_zone(mentions: list[Mention], lex: Lexicon) -> None:
    """上海张江高科技园区, 云州东山老区: the city is a zone of its own and the rest is the
    zone's name without it.  A city before a bare head (宁波|高新区, 宁波|软件园) stays part of it."""
    for m in list(mentions):
        if m.type != "Zone" or m.nested:
            continue
        place = next((p for p in _places_longest(lex) if m.text.startswith(p)), None)
        if place is None:
            continue
        if m.text[len(place) : len(place) + 1] in ("市", "省"):
            place += m.text[len(place)]
        rest = m.text[len(place) :]
        head = next((h for h in lex.zone_suffixes if rest.endswith(h)), None)
        if len(rest) < _MIN_ZONE_AFTER_PLACE or head is None or len(rest) - len(head) < 2:
            continue
        if rest not in m.forms:
            m.forms.append(rest)
        inner = next((p for p in mentions if p.type == "Zone" and p.start == m.start and p.end < m.end), None)
        if inner is not None:
            inner.nested = False
        else:
            mentions.append(Mention(m.start, m.start + len(place), "Zone", place, "place"))


@cache
def _places_longest(lex: Lexicon) -> tuple[str, ...]:
    return tuple(sorted(lex.places, key=len, reverse=True))


def extract_entities_relations(
    loaded: LoadedText,
    meta: ReportMeta,
    *,
    model: Model | None = None,
    known: dict[str, str] | None = None,
    trace: Trace | None = None,
) -> tuple[list[Entity], list[Relation]]:
    """Typed entities and evidenced relations of one report (offsets into ``loaded.text``).

    ``model`` defaults to the shipped one; ``known`` maps names found with high confidence
    elsewhere in the batch to their type; ``trace`` collects candidates for training.
    """
    model = load_model() if model is None else model
    lex = load_lexicon()
    ctx = DocContext(loaded.text, lex, known=_with_report_names(known, meta))
    sentences = split_sentences(loaded.text, loaded.body)
    per_sentence = []
    all_mentions: list[Mention] = []
    tokens_of: list[list[str]] = []
    for sent in sentences:
        toks = Tokens(tokenize(sent.text), lex)
        mentions, lists = _sentence_mentions(sent, toks, lex, model, ctx, trace)
        per_sentence.append((sent, mentions, lists))
        all_mentions += mentions
        tokens_of.append([t.word for t in toks.tokens])
    entities, entity_of = build_entities(all_mentions, meta.issuer, lex, loaded.text, meta.zone)
    _entity_confidence(entities, all_mentions, entity_of)
    index = {id(m): i for i, m in enumerate(all_mentions)}
    facts = []
    for sent, mentions, lists in per_sentence:
        ids = [entity_of[index[id(m)]] for m in mentions]
        facts.append(SentenceFacts(sent, mentions, ids, lists))
    issuer_id = None
    if meta.issuer:
        key = norm(meta.issuer)
        issuer_id = next(
            (e.id for e in entities if e.type == "Agency" and key in {norm(n) for n in (e.name, *e.aliases)}),
            None,
        )
    zone_id = _report_zone_id(entities, meta)
    builder = RelationBuilder(entities, issuer_id, meta.year, loaded.text, zone_id)
    relations = build_relations(facts, builder)
    if model.relations is None and trace is None:
        return entities, _inherit_periods(relations, meta)
    cands = candidates(facts, entities, relations, zone_id, tokens_of)
    if trace is not None:
        by_id = {e.id: [e.name, *e.aliases] for e in entities}
        for c in cands:
            trace.pairs.append((c, by_id.get(c.subject, []), by_id.get(c.object, [])))
    if model.relations is None:
        return entities, _inherit_periods(relations, meta)
    fact_at = {f.sentence.start: f for f in facts}
    types: dict[str, str] = {e.id: e.type for e in entities}
    invested = investments(facts, types)
    decided: dict[tuple[str, str, str, float | None], Relation] = {}

    def accept(pred: str, c: PairCandidate, p: float) -> None:
        rel = qualify(pred, c, fact_at.get(c.sentence.start), builder, meta.period, p, invested)  # type: ignore[arg-type]
        fact = (rel.subject, rel.predicate, rel.object, rel.amount.value if rel.amount else None)
        old = decided.get(fact)
        if old is None or old.confidence < rel.confidence:
            decided[fact] = rel

    judged: list[tuple[PairCandidate, str, float]] = []
    for c in cands:
        proba = model.relations.proba(c.features)
        pred, p = max(((k, v) for k, v in proba.items() if k != NONE), key=lambda kv: kv[1])
        if c.exact and c.role is not None and proba.get(c.role, 0.0) >= KNOWN_FLOOR:
            pred, p = c.role, max(proba[c.role], model.relation_threshold)  # 建设单位：X is exact
        if p >= model.relation_threshold and _fits(pred, c, types):
            judged.append((c, pred, p))
    for c, pred, p in without_weak_rivals(judged):
        accept(pred, c, p)
        for item in _listed_with(c, fact_at.get(c.sentence.start)):
            if _fits(pred, item, types):
                accept(pred, item, p)
    kept = sorted(decided.values(), key=lambda r: (r.span[0], r.subject, r.predicate, r.object))
    return _entities_with_evidence(entities, kept, model.entity_threshold), kept


def without_weak_rivals(
    judged: list[tuple[PairCandidate, str, float]],
) -> list[tuple[PairCandidate, str, float]]:
    """The accepted pairs less those a surer object of the same subject and sentence outranks."""
    best: dict[tuple[str, int, str], float] = {}
    for c, pred, p in judged:
        slot = (c.subject, c.sentence.start, pred)
        best[slot] = max(best.get(slot, 0.0), p)
    return [
        (c, pred, p)
        for c, pred, p in judged
        if pred not in _ONE_OBJECT or p >= RIVAL_RATIO * best[(c.subject, c.sentence.start, pred)]
    ]


def _entities_with_evidence(
    entities: list[Entity], relations: list[Relation], threshold: float | None
) -> list[Entity]:
    """Entities sure enough alone, and the less sure ones that a kept relation needs.

    A span the model half believes in is an entity when the report also states a fact
    about it; alone it is more often a wrong cut or a generic phrase.
    """
    if threshold is None:
        return entities
    ends = {r.subject for r in relations} | {r.object for r in relations}
    return [e for e in entities if e.confidence >= threshold or e.id in ends or e.type not in _OPEN_TYPES]


#: Types named by open grammars (any words before 项目, 公司, 资金): where a half-sure span needs
#: a fact to stay.  Agencies and zones come from closed vocabularies (short forms, places,
#: admin suffixes), so a half-sure one is still mostly right (chosen by leave-one-report-out).
_OPEN_TYPES = frozenset({"Project", "Company", "Policy", "Funding"})


def _with_report_names(known: dict[str, str] | None, meta: ReportMeta) -> dict[str, str]:
    """The batch's sure names plus the report's own issuer and zone, which its header states.

    A report names its own zone mostly inside other names (青川区商务局) and as 我区; the
    header says which zone it is, so that name is known, like a name the batch is sure of.
    """
    out = dict(known or {})
    if meta.zone:
        out.setdefault(meta.zone, "Zone")
    if meta.issuer:
        out.setdefault(meta.issuer, "Agency")
    return out


def _listed_with(c: PairCandidate, f: SentenceFacts | None) -> list[PairCandidate]:
    """A fact about one item of a list holds for the others (A、B等3家企业获…): one candidate each."""
    if f is None or c.s_mention is None:
        return []
    grouped = group_of(c.s_mention, f)
    if grouped is None:
        return []
    out = []
    for item in grouped[0]:
        pairs = zip(f.mentions, f.entity_ids, strict=True)
        eid = next((e for m, e in pairs if (m.start, m.end) == (item.start, item.end)), None)
        if eid and eid != c.subject:
            out.append(PairCandidate(eid, c.object, c.sentence, item, c.o_mention, c.features, None))
    return out


def _fits(pred: str, c: PairCandidate, types: dict[str, str]) -> bool:
    subj, obj = SIGNATURES[pred]
    return types.get(c.subject) in subj and types.get(c.object) in obj


def _report_zone_id(entities: list[Entity], meta: ReportMeta) -> str | None:
    """The entity of the report's own zone (我区, 全区 and the zone the title names)."""
    wanted = {norm(f) for f in (meta.zone, "我区", "全区", "本区") if f}
    for e in entities:
        if e.type == "Zone" and wanted & {norm(n) for n in (e.name, *e.aliases)}:
            return e.id
    return None


def _entity_confidence(entities: list[Entity], mentions: list[Mention], entity_of: list[str | None]) -> None:
    best: dict[str, float] = {}
    for m, eid in zip(mentions, entity_of, strict=True):
        if eid is not None and m.score is not None:
            best[eid] = max(best.get(eid, 0.0), m.score)
    for e in entities:
        e.confidence = best.get(e.id, 1.0)


def _inherit_periods(relations: list[Relation], meta: ReportMeta) -> list[Relation]:
    """A fact whose sentence names no time takes the report's own period, marked inherited."""
    per = meta.period
    if per is None:
        return relations
    for r in relations:
        if r.period is None and r.predicate in ("FUNDED_BY", "INVESTS_IN", "PARTICIPATES_IN"):
            r.period = Period(per.text, per.start, per.end, inherited=True)
    return relations
