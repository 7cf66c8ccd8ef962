"""``kg build`` and ``kg remove``: filling and pruning the store from report files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from extract.model import PREDICATE_LABELS_ZH, TYPE_LABELS_ZH
from graph.errors import NotFound
from graph.queries import BuildProgress, BuildSummary, build, remove
from graph.store import GraphStore, is_bolt_uri, store_spec

from .cli_common import StoreOption, fail
from .cli_output import err, opened, out

NETWORK_PAGE = "network.html"
BOLT_NETWORK_PAGE = "kg-network.html"


def network_page_path(store: GraphStore, spec: str) -> Path:
    """The page sits in the store folder; a server store has no folder, so it goes to the current one."""
    if is_bolt_uri(spec):
        return Path(BOLT_NETWORK_PAGE)
    return Path(store.location) / NETWORK_PAGE


def _summary_tables(summary: BuildSummary) -> list[Table]:
    docs = Table(title="报告 Documents")
    for col in ("added", "unchanged", "replaced", "failed"):
        docs.add_column(col, justify="right")
    docs.add_row(str(summary.added), str(summary.unchanged), str(summary.replaced), str(summary.failed))
    ents = Table(title="实体 Entities in the store")
    ents.add_column("type")
    ents.add_column("count", justify="right")
    for t, n in sorted(summary.stats.entities.items()):
        ents.add_row(f"{TYPE_LABELS_ZH.get(t, t)} {t}", str(n))
    rels = Table(title="关系 Relations in the store")
    rels.add_column("predicate")
    rels.add_column("count", justify="right")
    for p, n in sorted(summary.stats.relations.items()):
        rels.add_row(f"{PREDICATE_LABELS_ZH.get(p, p)} {p}", str(n))
    return [docs, ents, rels]


def build_cmd(
    paths: Annotated[
        list[Path], typer.Argument(help="Report files or folders of reports (.txt, .html, .md).")
    ],
    store: StoreOption = None,
) -> None:
    """Extract reports and store their entities and facts; prints a summary and writes the network page.

    Re-running on the same files changes nothing; a file whose content changed replaces its old facts.
    Exit status 1 when some files could not be read (the others are stored).

    Example: kg build examples/
    """
    from viz import write_network

    spec = store_spec(store)
    with opened(spec) as s:
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task("extracting", total=None)

            def step(p: BuildProgress) -> None:
                bar.update(task, completed=p.done, total=p.total, description=Path(p.path).name)
                if p.failure is not None:
                    bar.console.print(f"kg: {p.failure.message}", markup=False, highlight=False)

            summary = build(s, paths, progress=step)
        if not summary.results and not summary.failures:
            fail("no report files (.txt, .md, .html) found in " + ", ".join(str(p) for p in paths), status=1)
        page = network_page_path(s, spec)
        write_network(s, page)
    for table in _summary_tables(summary):
        out.print(table)
    out.print(f"Network page: {page}")
    if summary.failures:
        raise typer.Exit(1)


def remove_cmd(
    doc: Annotated[str, typer.Argument(help="Document id, or the path of the file it came from.")],
    store: StoreOption = None,
) -> None:
    """Remove a report's facts, and the entities no other report supports.

    Example: kg remove 001_4853349fa1cdb6f5
    """
    with opened(store) as s:
        try:
            result = remove(s, doc)
        except NotFound as exc:
            fail(str(exc), status=1)
    out.print(
        f"Removed {result.document}: {result.facts_removed} facts, "
        f"{result.nodes_removed} entities no longer supported."
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``kg`` app."""
    app.command("build")(build_cmd)
    app.command("remove")(remove_cmd)
