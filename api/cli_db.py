"""``kg db start|stop|status``: the local Bolt server (ArcadeDB) for users without a Neo4j of their own."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from .cli_common import fail

DirOption = Annotated[
    Path, typer.Option("--dir", help="Folder holding the server's databases, pid file and log.")
]


def _print_settings(settings: dict[str, str]) -> None:
    for name, value in settings.items():
        typer.echo(f"export {name}={value}")


def start(
    directory: DirOption = Path(".kg-db"),
    bolt_port: Annotated[int, typer.Option("--bolt-port", help="Bolt port.")] = 7687,
    http_port: Annotated[int, typer.Option("--http-port", help="ArcadeDB's HTTP port.")] = 2480,
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            help="Root password (≥ 8 characters); default KG_NEO4J_PASSWORD, else policykg-dev.",
            show_default=False,
        ),
    ] = None,
    heap: Annotated[str, typer.Option("--heap", help="Java heap size.")] = "2g",
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for Bolt to answer.")] = 120.0,
) -> None:
    """Start the local Bolt server in the background and wait until it answers.

    Prints the export lines that point kg (and the tests) at it.

    Example: kg db start --dir .kg-db
    """
    from graph import dbserver

    pw = password or os.environ.get("KG_NEO4J_PASSWORD") or dbserver.DEFAULT_PASSWORD
    config = dbserver.ServerConfig(
        directory=directory, bolt_port=bolt_port, http_port=http_port, password=pw, heap=heap
    )
    try:
        st = dbserver.start(config, timeout=timeout)
    except dbserver.ServerError as exc:
        fail(str(exc))
    assert st.state is not None
    verb = "already running" if st.already_running else "started"
    typer.echo(f"kg db: {verb} (pid {st.state.pid}) at {st.state.bolt_uri}, log {st.log_path}", err=True)
    hint = pw if pw == dbserver.DEFAULT_PASSWORD else "<your password>"
    _print_settings(st.settings(password_hint=hint))


def stop(directory: DirOption = Path(".kg-db")) -> None:
    """Stop the local Bolt server started from this folder.

    Example: kg db stop --dir .kg-db
    """
    from graph import dbserver

    try:
        before = dbserver.stop(directory)
    except dbserver.ServerError as exc:
        fail(str(exc))
    if before.running and before.state is not None:
        typer.echo(f"kg db: stopped (pid {before.state.pid})")
    else:
        typer.echo(f"kg db: no server running in {directory}")


def status(directory: DirOption = Path(".kg-db")) -> None:
    """Say whether the local Bolt server of this folder runs; exit status 3 when it does not.

    Example: kg db status --dir .kg-db
    """
    from graph import dbserver

    try:
        st = dbserver.status(directory)
    except dbserver.ServerError as exc:
        fail(str(exc))
    if not st.running or st.state is None:
        typer.echo(f"kg db: not running ({directory})")
        raise typer.Exit(3)
    typer.echo(f"kg db: running (pid {st.state.pid}) at {st.state.bolt_uri}, database {st.state.database}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``kg`` app."""
    db = typer.Typer(help="Run a local Bolt server (ArcadeDB) to use as a Neo4j store.", no_args_is_help=True)
    db.command("start")(start)
    db.command("stop")(stop)
    db.command("status")(status)
    app.add_typer(db, name="db")
