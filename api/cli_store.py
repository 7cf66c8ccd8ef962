"""``kg export``: the whole graph as RDF, GraphML/GEXF or neo4j-admin CSV files."""

from __future__ import annotations

import sys
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .cli_common import StoreOption, fail
from .cli_output import opened


class ExportFormat(StrEnum):
    ttl = "ttl"
    jsonld = "jsonld"
    nt = "nt"
    graphml = "graphml"
    gexf = "gexf"
    csv = "csv"


def export_cmd(
    format: Annotated[
        ExportFormat,
        typer.Option(
            "--format", "-f", help="ttl, jsonld, nt (RDF), graphml, gexf (Gephi) or csv (neo4j-admin)."
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (a folder for csv). Default: stdout."),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Export the whole graph; the RDF vocabulary and its pattern are described in graph/vocab.py.

    Example: kg export --format ttl -o graph.ttl
    """
    from graph.export import export_graph

    fmt = format.value
    if fmt == "csv" and output is None:
        fail("csv export writes one file per type and predicate: give a folder with -o", status=1)
    with opened(store, readonly=True) as graph:
        if output is not None:
            result = export_graph(graph, fmt, output)
            sys.stderr.write(
                f"kg: wrote {result.nodes} entities, {result.facts} facts, {result.documents} documents "
                f"as {fmt} to {output}\n"
            )
            return
        # stdout: render into a temporary file first so a failure prints nothing half-made
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / f"export.{fmt}"
            export_graph(graph, fmt, target)
            sys.stdout.flush()
            sys.stdout.buffer.write(target.read_bytes())
            sys.stdout.buffer.flush()


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``kg`` app."""
    app.command("export")(export_cmd)
