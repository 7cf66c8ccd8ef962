"""The ``kg`` command line: a thin layer that parses arguments, calls one library function and renders it.

Commands live in small modules by theme (``cli_extract``, ``cli_store``,
``cli_query``, ``cli_db``, ``cli_viz``); each exposes ``register(app)``.
Library errors become one line on stderr and exit status 2 (store problems)
or 1 (some inputs failed); no traceback reaches the user.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from typing import Any

import typer
from typer.core import TyperGroup

from . import cli_build, cli_db, cli_extract, cli_fix, cli_query, cli_serve, cli_store, cli_train, cli_viz
from .cli_common import fail

#: help text fills the terminal up to this width (click stops at 80 unless told)
HELP_MAX_WIDTH = 120


class _Group(TyperGroup):
    """The ``kg`` group: placeholders a person reads (``TEXT``, ``N``, ``PATH``) instead of ``<list[str]>``.

    Applied to every command once, here, so commands added later read the same.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for command in _walk(self):
            for param in command.params:
                if param.metavar is None:
                    param.metavar = _placeholder(param)
                if param.param_type_name == "argument" and hasattr(param, "display_type_rich"):
                    # typer appends the Python type (<list[Path]>) to an argument's name; the name says it
                    param.display_type_rich = lambda ctx: None


def _walk(group: Any) -> Iterator[Any]:
    """Every command of a group, those of its sub-groups (``kg db start``) included."""
    for command in group.commands.values():
        yield command
        if hasattr(command, "commands"):
            yield from _walk(command)


def _placeholder(param: Any) -> str | None:
    """The parameter's own name in capitals (``--store STORE``, ``PATHS``); flags take no value."""
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return None
    return (param.name or "value").upper()


app = typer.Typer(
    name="kg",
    cls=_Group,
    context_settings={"max_content_width": min(shutil.get_terminal_size((80, 24)).columns, HELP_MAX_WIDTH)},
    help="policy-kg: a knowledge graph of projects, companies, policies and funding "
    "from government work reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

for module in (cli_extract, cli_build, cli_store, cli_query, cli_fix, cli_serve, cli_db, cli_viz, cli_train):
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
