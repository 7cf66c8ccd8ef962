"""``kg funding``, ``links``, ``neighbors``, ``path``, ``stats``: the analysts' questions on a terminal."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Annotated

import typer

from extract.model import PREDICATE_LABELS_ZH, TYPE_LABELS_ZH
from graph.errors import NotFound
from graph.labels import period_label
from graph.model import Fact, Node
from graph.queries import (
    FundingFilter,
    Resolution,
    company_policies,
    funding,
    neighbors,
    paths,
    resolve_entity,
)
from graph.store import GraphStore

from .cli_common import MinConfidenceOption, StoreOption, fail
from .cli_output import (
    Col,
    Rows,
    WideOption,
    err,
    money,
    opened,
    out,
    plural,
    print_json,
)
from .schemas import FundingOut, ListOf, PathOut, PolicyLinkOut, StatsOut, SubgraphOut

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (the API's shape) instead of a table.")]


def _label(node: Node) -> str:
    return f"{node.name} [{TYPE_LABELS_ZH.get(node.type, node.type)}]"


def _reports(store: GraphStore) -> dict[str, str]:
    """Document id -> title and file name, so a row names its report as a person knows it."""
    return {d.id: d.label for d in store.iter_documents()}


def _period(f: Fact) -> str:
    return period_label(f.period_text, f.period_start, f.period_end)


def _resolve(store: GraphStore, name: str) -> Node:
    """An argument to one entity, or a one-line error; other entities of the same name are mentioned."""
    try:
        found: Resolution = resolve_entity(store, name)
    except NotFound as exc:
        fail(str(exc), status=1)
    if found.alternatives:
        others = ", ".join(f"{n.key}" for n in found.alternatives[:5])
        err.print(f"kg: {name!r} also names {others}; using {found.node.key}")
    return found.node


def _date(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        fail(f"{option}: {value!r} is not a date like 2023-01-01", status=1)


def funding_cmd(
    instrument: Annotated[str | None, typer.Option(help="Funding instrument, e.g. 专项债.")] = None,
    recipient: Annotated[
        str | None, typer.Option(help="Recipient (project, company, zone) name or key.")
    ] = None,
    agency: Annotated[str | None, typer.Option(help="Agency involved, e.g. 经发局.")] = None,
    zone: Annotated[str | None, typer.Option(help="Only recipients in this zone (or its sub-zones).")] = None,
    start: Annotated[str | None, typer.Option(help="Periods ending on or after this ISO date.")] = None,
    end: Annotated[str | None, typer.Option(help="Periods starting on or before this ISO date.")] = None,
    min_amount: Annotated[float | None, typer.Option(help="Minimum known amount in yuan.")] = None,
    min_confidence: MinConfidenceOption = 0.0,
    limit: Annotated[int, typer.Option(min=1, help="Rows to show.")] = 100,
    as_json: JsonOption = False,
    wide: WideOption = False,
    store: StoreOption = None,
) -> None:
    """Which projects got which funding, with totals per instrument.

    A fact restated by another report counts once, and so does an amount several recipients share
    (their rows say so).

    Example: kg funding --instrument 专项债
    """
    flt = FundingFilter(
        instrument=instrument,
        recipient=recipient,
        agency=agency,
        zone=zone,
        start=_date(start, "--start"),
        end=_date(end, "--end"),
        min_amount=min_amount,
        min_confidence=min_confidence or None,
    )
    with opened(store, readonly=True) as s:
        report = funding(s, flt, limit=limit)
        reports = _reports(s) if not as_json else {}
        known = [t.instrument.name for t in funding(s).totals] if not report.items else []
    if as_json:
        print_json(FundingOut.build(report).model_dump(mode="json"))
        return
    if instrument and len(report.instruments) > 1:
        names = "、".join(n.name for n in report.instruments)
        err.print(f"kg: --instrument {instrument} matched {len(report.instruments)} instruments: {names}")
    if not report.items:
        why = "no funding facts match" if flt != FundingFilter() else "the store holds no funding facts"
        if instrument and not report.instruments:
            why = f"no instrument named like {instrument!r}"
        listed = "; instruments in the store: " + "、".join(dict.fromkeys(known)) if known else ""
        out.print(f"{why}{listed}", markup=False)
        return
    rows = Rows(
        f"资金 Funding — {plural(report.total, 'fact')}",
        [
            Col("获得方 Recipient", long=True),
            Col("资金 Instrument", long=True),
            Col("金额 Amount"),
            Col("时间 Period"),
            Col("机构 Agency"),
            Col("报告 Report", long=True),
        ],
        wide=wide,
    )
    for item in report.items:
        f = item.fact
        amount = f.amount_text or "—"
        if item.shared:
            amount += f" 共享 shared by {item.shared_by}"
        if item.restates:
            amount += " (restated)"
        rows.add(
            item.recipient.name,
            item.instrument.name,
            amount,
            _period(f),
            f.agency or "",
            reports.get(f.document, f.document),
        )
    rows.show()
    if report.total > len(report.items):
        err.print(f"kg: {len(report.items)} of {report.total} rows shown (--limit); totals cover all of them")
    totals = Rows(
        "合计 Totals (a shared amount counted once)",
        [
            Col("资金 Instrument", long=True),
            Col("币种 Currency"),
            Col("已知金额 Known sum", justify="right"),
            Col("事实 Facts", justify="right"),
            Col("金额数 Amounts", justify="right"),
            Col("打码 Masked", justify="right"),
        ],
        wide=wide,
    )
    for t in report.totals:
        totals.add(
            t.instrument.name,
            t.currency or "—",
            money(t.amount, t.currency),
            str(t.facts),
            str(t.amounts),
            str(t.masked),
        )
    totals.show()


def links_cmd(
    company: Annotated[str, typer.Argument(metavar="COMPANY", help="Company (or project) name or key.")],
    min_confidence: MinConfidenceOption = 0.0,
    as_json: JsonOption = False,
    wide: WideOption = False,
    store: StoreOption = None,
) -> None:
    """The policies, lists and titles a company is linked to, with action, period and evidence.

    Example: kg links 远帆机械
    """
    with opened(store, readonly=True) as s:
        node = _resolve(s, company)
        found = company_policies(s, node.key, min_confidence or None)
        reports = _reports(s) if not as_json else {}
        others = Counter(f.predicate for f in s.entity_facts(node.key)) if not found else Counter()
    if as_json:
        print_json(
            ListOf[PolicyLinkOut](items=[PolicyLinkOut.build(x) for x in found], total=len(found)).model_dump(
                mode="json"
            )
        )
        return
    if not found:
        facts = ", ".join(f"{p} {PREDICATE_LABELS_ZH.get(p, '')} {n}" for p, n in sorted(others.items()))
        has = f"; its other facts: {facts} (kg neighbors {node.name})" if facts else " and no other facts"
        out.print(f"{_label(node)} has no policy links{has}", markup=False)
        return
    rows = Rows(
        f"{_label(node)} — {plural(len(found), 'policy link')}",
        [
            Col("政策 Policy", long=True),
            Col("行为 Action"),
            Col("时间 Period"),
            Col("证据 Evidence", long=True),
            Col("报告 Report", long=True),
        ],
        wide=wide,
    )
    for link in found:
        f = link.fact
        rows.add(
            link.policy.name, f.action or "", _period(f), f.evidence, reports.get(f.document, f.document)
        )
    rows.show()


def neighbors_cmd(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Entity name or key.")],
    depth: Annotated[int, typer.Option(min=1, max=3, metavar="N", help="Hops, 1 to 3.")] = 1,
    limit: Annotated[int, typer.Option(min=1, max=1000, metavar="N", help="At most this many nodes.")] = 300,
    min_confidence: MinConfidenceOption = 0.0,
    as_json: JsonOption = False,
    wide: WideOption = False,
    store: StoreOption = None,
) -> None:
    """The entities around one entity and the facts joining them.

    Example: kg neighbors 远帆机械 --depth 2
    """
    with opened(store, readonly=True) as s:
        node = _resolve(s, name)
        sub = neighbors(s, node.key, depth=depth, limit=limit, min_confidence=min_confidence or None)
        reports = _reports(s) if not as_json else {}
    if as_json:
        print_json(SubgraphOut.build(sub).model_dump(mode="json"))
        return
    names = {n.key: n.name for n in sub.nodes}
    rows = Rows(
        f"{_label(node)} — {plural(len(sub.nodes), 'node')}, {plural(len(sub.edges), 'fact')} "
        f"within {plural(depth, 'hop')}",
        [
            Col("主体 Subject", long=True),
            Col("关系 Predicate"),
            Col("客体 Object", long=True),
            Col("金额 Amount"),
            Col("时间 Period"),
            Col("报告 Report", long=True),
        ],
        wide=wide,
    )
    for e in sub.edges:
        rows.add(
            names.get(e.subject, e.subject),
            f"{e.predicate} {PREDICATE_LABELS_ZH.get(e.predicate, '')}",
            names.get(e.object, e.object),
            e.amount_text or "",
            _period(e),
            reports.get(e.document, e.document),
        )
    if not sub.edges:
        out.print(f"{_label(node)} has no facts joining it to other entities", markup=False)
    else:
        rows.show()
    if sub.omitted:
        err.print("kg: left out by --limit: " + ", ".join(f"{t} {n}" for t, n in sorted(sub.omitted.items())))


def path_cmd(
    source: Annotated[str, typer.Argument(metavar="SOURCE", help="First entity, name or key.")],
    target: Annotated[str, typer.Argument(metavar="TARGET", help="Second entity, name or key.")],
    max_hops: Annotated[int, typer.Option(min=1, max=6, metavar="N", help="Longest path considered.")] = 4,
    min_confidence: MinConfidenceOption = 0.0,
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    """How two entities connect: the shortest paths, each step with its evidence.

    Example: kg path 南湾海洋装备产业园 云溪智能装备产业园
    """
    with opened(store, readonly=True) as s:
        a = _resolve(s, source)
        b = _resolve(s, target)
        found = paths(s, a.key, b.key, max_hops=max_hops, min_confidence=min_confidence or None)
        reports = _reports(s) if not as_json else {}
    if as_json:
        print_json(
            ListOf[PathOut](items=[PathOut.build(p) for p in found], total=len(found)).model_dump(mode="json")
        )
        return
    if not found:
        out.print(
            f"No connection between {_label(a)} and {_label(b)} within {plural(max_hops, 'hop')}.",
            markup=False,
        )
        raise typer.Exit(1)
    for i, p in enumerate(found, 1):
        out.print(f"[bold]Path {i}[/bold] ({plural(len(p.edges), 'hop')})")
        for j, edge in enumerate(p.edges):
            left, right = p.nodes[j], p.nodes[j + 1]
            arrow = "→" if edge.subject == left.key else "←"
            out.print(f"  {_label(left)} {arrow}{edge.predicate}{arrow} {_label(right)}")
            out.print(f"      “{edge.evidence}” ({reports.get(edge.document, edge.document)})", markup=False)


def stats_cmd(as_json: JsonOption = False, store: StoreOption = None) -> None:
    """Counts of entities per type, relations per predicate, and documents.

    Example: kg stats --json
    """
    with opened(store, readonly=True) as s:
        st = s.stats()
    if as_json:
        print_json(StatsOut.build(st).model_dump(mode="json"))
        return
    ents = Rows(plural(st.documents, "document"), [Col("实体 Entities"), Col("数 Count", justify="right")])
    for t, n in sorted(st.entities.items()):
        ents.add(f"{TYPE_LABELS_ZH.get(t, t)} {t}", str(n))
    ents.show()
    rel = Rows("", [Col("关系 Relations"), Col("数 Count", justify="right")])
    for p, n in sorted(st.relations.items()):
        rel.add(f"{PREDICATE_LABELS_ZH.get(p, p)} {p}", str(n))
    rel.show()


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``kg`` app."""
    app.command("funding")(funding_cmd)
    app.command("links")(links_cmd)
    app.command("neighbors")(neighbors_cmd)
    app.command("path")(path_cmd)
    app.command("stats")(stats_cmd)
