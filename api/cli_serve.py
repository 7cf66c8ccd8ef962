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
    store: StoreOption = None,
) -> None:
    """Serve the JSON API (OpenAPI at /docs) and the network page. Set KG_API_TOKEN to guard POST/DELETE.

    Example: kg serve --port 8000 --workers 2
    """
    from .server import serve

    serve(store, host=host, port=port, workers=workers)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``kg`` app."""
    app.command("serve")(serve_cmd)
