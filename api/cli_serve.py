"""``kg serve``: the HTTP API over the chosen store."""

from __future__ import annotations

from typing import Annotated

import typer

from .cli_common import StoreOption


def serve_cmd(
    host: Annotated[
        str, typer.Option(help="Address to listen on; loopback unless you mean to share it.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Processes serving requests; each holds its own copy of an embedded graph in memory. "
            "Up to one per free CPU core raises the requests per second.",
        ),
    ] = 1,
    allow_writes: Annotated[
        bool,
        typer.Option(
            "--allow-writes",
            help="Accept uploads and removals without a token from any client that can reach the address "
            "(pages of other origins are still refused). Without it, and without KG_API_TOKEN, "
            "the API is read-only.",
        ),
    ] = False,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            help="Another Host name to answer besides loopback and --host (repeat it; * for any). "
            "Also read from KG_ALLOWED_HOSTS, comma-separated.",
        ),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Serve the JSON API (OpenAPI at /docs) and the network page; read-only unless writes are enabled.

    Writes (POST, DELETE) need --allow-writes, or KG_API_TOKEN set and sent as a bearer token.

    Example: kg serve --port 8000 --workers 2 --allow-writes
    """
    from .server import serve

    serve(
        store,
        host=host,
        port=port,
        workers=workers,
        allow_writes=allow_writes,
        allowed_hosts=allowed_host or (),
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``kg`` app."""
    app.command("serve")(serve_cmd)
