"""``kg viz``: write the interactive network page to one HTML file that works offline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .cli_common import MinConfidenceOption, StoreOption, fail

DEFAULT_OUT = Path("network.html")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``kg`` app."""

    @app.command("viz")
    def viz(
        store: StoreOption = None,
        center: Annotated[
            str | None,
            typer.Option(
                "--center", "-c", help="Centre entity: key, name or alias. Default: the whole graph."
            ),
        ] = None,
        depth: Annotated[
            int, typer.Option("--depth", "-d", min=1, max=3, help="Hops from the centre (1-3).")
        ] = 2,
        out: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = DEFAULT_OUT,
        limit: Annotated[
            int,
            typer.Option(
                "--limit", min=1, max=2000, help="Node cap (at most 2000); the page says what it left out."
            ),
        ] = 300,
        type_: Annotated[
            list[str] | None,
            typer.Option(
                "--type",
                "-t",
                metavar="TYPE",
                help="Only these entity types (repeatable), English or Chinese: Project 项目, Company 企业, "
                "Policy 政策, Funding 资金, Agency 机构, Zone 区域.",
            ),
        ] = None,
        predicate: Annotated[
            list[str] | None,
            typer.Option(
                "--predicate",
                "-p",
                metavar="PREDICATE",
                help="Only these predicates (repeatable): FUNDED_BY 资金来源, INVESTS_IN 投资, "
                "PARTICIPATES_IN 参与, LOCATED_IN 位于, ISSUED_BY 发布.",
            ),
        ] = None,
        start: Annotated[
            str | None, typer.Option("--start", help="Period from: 2023, 2023-06 or 2023-06-30.")
        ] = None,
        end: Annotated[
            str | None, typer.Option("--end", help="Period to: 2023, 2023-06 or 2023-06-30.")
        ] = None,
        min_confidence: MinConfidenceOption = 0.0,
    ) -> None:
        """Write the network page (vis-network inlined: opens from disk with no network access).

        Without --center the page shows the best connected part of the whole graph.  --min-confidence
        sets where the page's confidence slider starts (the page can show the rest again).

        Example: kg viz --center 南湾海洋装备产业园 --depth 2 -o nanwan.html
        """
        from graph.store import open_store
        from viz import VizError, write_network
        from viz.focus import split_values

        if out.is_dir():
            fail(f"{out}: is a folder; give the HTML file to write", status=1)
        graph = open_store(store, readonly=True)
        try:
            summary = write_network(
                graph,
                out,
                center=center,
                depth=depth,
                limit=limit,
                types=split_values(type_),
                predicates=split_values(predicate),
                start=start,
                end=end,
                min_confidence=min_confidence,
            )
        except VizError as exc:
            fail(str(exc), status=1)
        except OSError as exc:
            fail(f"{out}: cannot write the page: {exc.strerror or exc}", status=1)
        finally:
            graph.close()
        left = sum(summary.omitted.values())
        note = f", {left} more not shown (cap {limit})" if left else ""
        typer.echo(f"wrote {summary.path}: {summary.nodes} nodes, {summary.edges} edges{note}")
