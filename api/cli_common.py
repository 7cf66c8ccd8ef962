"""Helpers shared by the ``kg`` command modules: the ``--store`` option and error exits."""

from __future__ import annotations

import sys
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


def fail(message: str, status: int = 2) -> NoReturn:
    """One clear line on stderr and a non-zero exit; never a traceback."""
    sys.stderr.write(f"kg: {message}\n")
    raise SystemExit(status)
