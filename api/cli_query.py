"""``kg funding``, ``links``, ``neighbors``, ``path``, ``stats``: the analysts' questions on a terminal."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.table import Table

from extract.model import PREDICATE_LABELS_ZH, TYPE_LABELS_ZH
from graph.errors import NotFound
from graph.model import Node
from graph.queries import FundingFilter, Resolution, company_policies, funding, resolve_entity
from graph.store import GraphStore

from .cli_common import StoreOption, fail
from .cli_output import err, money, opened, out, print_json
from .schemas import FundingOut, ListOf, PathOut, PolicyLinkOut, StatsOut, SubgraphOut

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (the API's shape) instead of a table.")]


def _label(node: Node) -> str:
    return f"{node.name} [{TYPE_LABELS_ZH.get(node.type, node.type)}]"


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
    limit: Annotated[int, typer.Option(min=1, help="Rows to show.")] = 100,
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    """Which projects got which funding, with totals per instrument (a restated fact counts once).

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
    )
    with opened(store, readonly=True) as s:
        report = funding(s, flt, limit=limit)
    if as_json:
        print_json(FundingOut.build(report).model_dump(mode="json"))
        return
    table = Table(title=f"资金 Funding — {report.total} facts", show_lines=False)
    for col in (
        "获得方 Recipient",
        "资金 Instrument",
        "金额 Amount",
        "时间 Period",
        "机构 Agency",
        "报告 Document",
    ):
        table.add_column(col)
    for item in report.items:
        f = item.fact
        amount = f.amount_text or "—"
        if item.shared:
            amount += f" (共享 shared by {item.shared_by}, counted once)"
        if item.restates:
            amount += " (restated)"
        table.add_row(
            item.recipient.name, item.instrument.name, amount, f.period_text or "", f.agency or "", f.document
        )
    out.print(table)
    totals = Table(title="合计 Totals")
    for col in ("资金 Instrument", "币种 Currency", "已知金额 Known sum", "事实 Facts", "打码 Masked"):
        totals.add_column(col)
    for t in report.totals:
        totals.add_row(
            t.instrument.name, t.currency or "—", money(t.amount, t.currency), str(t.facts), str(t.masked)
        )
    out.print(totals)


def links_cmd(
    company: Annotated[str, typer.Argument(help="Company (or project) name or key.")],
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    """The policies, lists and titles a company is linked to, with action, period and evidence.

    Example: kg links 亿太诺
    """
    with opened(store, readonly=True) as s:
        node = _resolve(s, company)
        found = company_policies(s, node.key)
    if as_json:
        print_json(
            ListOf[PolicyLinkOut](items=[PolicyLinkOut.build(x) for x in found], total=len(found)).model_dump(
                mode="json"
            )
        )
        return
    table = Table(title=f"{_label(node)} — {len(found)} policy links")
    for col in ("政策 Policy", "行为 Action", "时间 Period", "证据 Evidence", "报告 Document"):
        table.add_column(col)
    for link in found:
        f = link.fact
        table.add_row(link.policy.name, f.action or "", f.period_text or "", f.evidence, f.document)
    out.print(table)


def neighbors_cmd(
    name: Annotated[str, typer.Argument(help="Entity name or key.")],
    depth: Annotated[int, typer.Option(min=1, max=3, help="Hops, 1 to 3.")] = 1,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many nodes.")] = 300,
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    """The entities around one entity and the facts joining them.

    Example: kg neighbors 凌智产业园 --depth 2
    """
    with opened(store, readonly=True) as s:
        node = _resolve(s, name)
        sub = s.neighbors(node.key, depth=depth, limit=limit)
    if as_json:
        print_json(SubgraphOut.build(sub).model_dump(mode="json"))
        return
    names = {n.key: n.name for n in sub.nodes}
    table = Table(
        title=f"{_label(node)} — {len(sub.nodes)} nodes, {len(sub.edges)} facts within {depth} hops"
    )
    for col in (
        "主体 Subject",
        "关系 Predicate",
        "客体 Object",
        "金额 Amount",
        "时间 Period",
        "报告 Document",
    ):
        table.add_column(col)
    for e in sub.edges:
        table.add_row(
            names.get(e.subject, e.subject),
            f"{e.predicate} {PREDICATE_LABELS_ZH.get(e.predicate, '')}",
            names.get(e.object, e.object),
            e.amount_text or "",
            e.period_text or "",
            e.document,
        )
    out.print(table)
    if sub.omitted:
        err.print("kg: left out by --limit: " + ", ".join(f"{t} {n}" for t, n in sorted(sub.omitted.items())))


def path_cmd(
    source: Annotated[str, typer.Argument(help="First entity, name or key.")],
    target: Annotated[str, typer.Argument(help="Second entity, name or key.")],
    max_hops: Annotated[int, typer.Option(min=1, max=6, help="Longest path considered.")] = 4,
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    """How two entities connect: the shortest paths, each step with its evidence.

    Example: kg path 凌智产业园 宁波高新区
    """
    with opened(store, readonly=True) as s:
        a = _resolve(s, source)
        b = _resolve(s, target)
        found = s.paths(a.key, b.key, max_hops=max_hops)
    if as_json:
        print_json(
            ListOf[PathOut](items=[PathOut.build(p) for p in found], total=len(found)).model_dump(mode="json")
        )
        return
    if not found:
        out.print(f"No connection between {_label(a)} and {_label(b)} within {max_hops} hops.")
        raise typer.Exit(1)
    for i, p in enumerate(found, 1):
        out.print(f"[bold]Path {i}[/bold] ({len(p.edges)} hops)")
        for j, edge in enumerate(p.edges):
            left, right = p.nodes[j], p.nodes[j + 1]
            arrow = "→" if edge.subject == left.key else "←"
            out.print(f"  {_label(left)} {arrow}{edge.predicate}{arrow} {_label(right)}")
            out.print(f"      “{edge.evidence}” ({edge.document})", markup=False)


def stats_cmd(as_json: JsonOption = False, store: StoreOption = None) -> None:
    """Counts of entities per type, relations per predicate, and documents.

    Example: kg stats --json
    """
    with opened(store, readonly=True) as s:
        st = s.stats()
    if as_json:
        print_json(StatsOut.build(st).model_dump(mode="json"))
        return
    table = Table(title=f"{st.documents} documents")
    table.add_column("实体 Entities")
    table.add_column("数 Count", justify="right")
    for t, n in sorted(st.entities.items()):
        table.add_row(f"{TYPE_LABELS_ZH.get(t, t)} {t}", str(n))
    out.print(table)
    rel = Table()
    rel.add_column("关系 Relations")
    rel.add_column("数 Count", justify="right")
    for p, n in sorted(st.relations.items()):
        rel.add_row(f"{PREDICATE_LABELS_ZH.get(p, p)} {p}", str(n))
    out.print(rel)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``kg`` app."""
    app.command("funding")(funding_cmd)
    app.command("links")(links_cmd)
    app.command("neighbors")(neighbors_cmd)
    app.command("path")(path_cmd)
    app.command("stats")(stats_cmd)
