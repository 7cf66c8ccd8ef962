"""The ``kg`` command line: a thin layer that parses arguments, calls one library function and renders it.

Commands live in small modules by theme (``cli_extract``, ``cli_store``,
``cli_query``, ``cli_db``, ``cli_viz``); each exposes ``register(app)``.
Library errors become one line on stderr and exit status 2 (store problems)
or 1 (some inputs failed); no traceback reaches the user.
"""

from __future__ import annotations

import sys

import typer

from . import cli_build, cli_db, cli_extract, cli_query, cli_serve, cli_store, cli_train, cli_viz
from .cli_common import fail

app = typer.Typer(
    name="kg",
    help="policy-kg: a knowledge graph of projects, companies, policies and funding "
    "from government work reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

for module in (cli_extract, cli_build, cli_store, cli_query, cli_serve, cli_db, cli_viz, cli_train):
    module.register(app)


def main() -> None:
    """Console entry point (``kg``)."""
    from graph.errors import StoreError

    try:
        app()
    except StoreError as exc:
        fail(str(exc), status=2)
    except KeyboardInterrupt:
        sys.stderr.write("kg: interrupted\n")
        sys.exit(130)


if __name__ == "__main__":
    main()
