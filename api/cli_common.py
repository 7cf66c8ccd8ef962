"""Helpers shared by the ``kg`` command modules: the ``--store`` option and error exits."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        "-s",
        help="Store: a folder for the embedded store (default ./kg-data) or bolt://host:7687 for Neo4j. "
        "Also read from KG_STORE.",
        show_default=False,
    ),
]

#: Report files or folders.  ``readable=False``: click's own check would end the whole command at the
#: first unreadable file (rc 2, nothing processed); the loader reports it in one line and goes on.
ReportPaths = Annotated[
    list[Path],
    typer.Argument(
        metavar="PATHS", help="Report files or folders of reports (.txt, .md, .html, .htm).", readable=False
    ),
]


def fail(message: str, status: int = 2) -> NoReturn:
    """One clear line on stderr and a non-zero exit; never a traceback."""
    sys.stderr.write(f"kg: {message}\n")
    raise SystemExit(status)


MinConfidenceOption = Annotated[
    float,
    typer.Option(
        "--min-confidence",
        min=0.0,
        max=1.0,
        help="Leave out entities and relations the extractor is less sure of (0-1).",
    ),
]
CorpusOption = Annotated[
    bool,
    typer.Option(
        "--corpus",
        help="Extract twice: the second pass knows the names the first was sure of in any report.",
    ),
]
