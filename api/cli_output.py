"""Rendering helpers shared by the query and build commands: the open store, JSON and money on a terminal."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from graph.labels import money_text
from graph.store import GraphStore, open_store

#: plain lines are not wrapped (a pipe gets whole lines); tables still fit the width
out = Console(highlight=False, soft_wrap=True)
#: error lines are never wrapped: a log or a pipe gets one line per problem
err = Console(stderr=True, highlight=False, soft_wrap=True)

WideOption = Annotated[
    bool, typer.Option("--wide", help="One line per row, no wrapping (for wide terminals and grep).")
]


@dataclass(frozen=True, slots=True)
class Col:
    """A column: ``long`` ones (names, evidence, reports) wrap and share the width; short ones stay whole."""

    header: str
    long: bool = False
    justify: Literal["left", "right"] = "left"
    #: never narrower than its widest cell (ids, dates)
    whole: bool = False


#: a short column keeps at most this many cells of width before it wraps
SHORT_MAX = 14
#: what a wrapping column keeps at least when short columns ask for room
LONG_MIN = 10
#: what a short column keeps at least before the long ones give way
SHORT_MIN = 6


class Rows:
    """A table being filled: long cells wrap (Chinese text folds anywhere) instead of being cut with an
    ellipsis, columns empty in every row are left out, and ``wide`` prints one line per row."""

    def __init__(self, title: str, columns: Sequence[Col], *, wide: bool = False) -> None:
        self.title = title
        self.columns = list(columns)
        self.wide = wide
        self.rows: list[tuple[str, ...]] = []

    def add(self, *cells: str) -> None:
        self.rows.append(tuple(cells))

    def render(self) -> Table:
        keep = [i for i in range(len(self.columns)) if any(row[i] for row in self.rows)] or list(
            range(len(self.columns))
        )
        t = Table(title=self.title or None, title_justify="left")
        widths = {} if self.wide else self._widths(keep)
        for i in keep:
            c = self.columns[i]
            if self.wide:
                t.add_column(c.header, justify=c.justify, no_wrap=True, overflow="ignore")
            else:
                t.add_column(c.header, justify=c.justify, overflow="fold", width=widths[i])
        for row in self.rows:
            t.add_row(*(row[i] for i in keep))
        return t

    def _widths(self, keep: list[int]) -> dict[int, int]:
        """Widths that fit the terminal: short columns whole (up to SHORT_MAX), long ones share the rest.

        Worked out here rather than by rich, whose shrinking leaves a table with several long Chinese
        cells wider than the terminal (and then cut).
        """
        natural = {
            i: max(
                max((cell_len(row[i]) for row in self.rows), default=1),
                max((cell_len(w) for w in self.columns[i].header.split()), default=1),
            )
            for i in keep
        }
        avail = max(out.width - (3 * len(keep) + 1), 4 * len(keep))
        if sum(natural.values()) <= avail:
            return natural
        cols = self.columns
        widths = {i: natural[i] for i in keep if cols[i].whole}
        others = [i for i in keep if not cols[i].whole]
        longs = [i for i in others if cols[i].long]
        shorts = [i for i in others if not cols[i].long]
        floor = {i: min(natural[i], LONG_MIN if cols[i].long else SHORT_MIN) for i in others}
        room = avail - sum(widths.values())
        if sum(floor.values()) >= room:  # very narrow: everything at its floor, scaled down
            scale = max(room, 3 * len(others)) / max(sum(floor.values()), 1)
            widths.update({i: max(3, int(floor[i] * scale)) for i in others})
            return widths
        # short columns up to SHORT_MAX, as far as the long columns' floors allow
        want = {i: min(natural[i], SHORT_MAX) - floor[i] for i in shorts}
        spare = room - sum(floor.values())
        grant = sum(want.values())
        for i in shorts:
            widths[i] = floor[i] + (want[i] if grant <= spare else want[i] * spare // grant)
        spare -= sum(widths[i] - floor[i] for i in shorts)
        # long columns: their floor, then what is left in proportion to what each still needs
        extra = {i: natural[i] - floor[i] for i in longs}
        total = sum(extra.values())
        for i in longs:
            widths[i] = floor[i] + (min(extra[i], spare * extra[i] // total) if total else 0)
        return widths

    def show(self) -> None:
        """Print; ``wide`` gives the table the width its longest rows need, whatever the terminal."""
        rendered = self.render()
        if self.wide:
            roomy = Console(width=100_000, highlight=False, file=out.file)
            width = Measurement.get(roomy, roomy.options, rendered).maximum
            Console(width=max(width, out.width), highlight=False, file=out.file).print(rendered)
        else:
            out.print(rendered)


def plural(n: int, one: str, many: str | None = None) -> str:
    """``1 policy link``, ``2 policy links``."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


@contextmanager
def opened(spec: str | None, *, readonly: bool = False) -> Iterator[GraphStore]:
    """The store for one command, closed even when the command fails."""
    store = open_store(spec, readonly=readonly)
    try:
        yield store
    finally:
        store.close()


def print_json(data: Any) -> None:
    """Machine-readable output: UTF-8 JSON with Chinese as is, one document on stdout."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def money(value: float | None, currency: str | None = "CNY") -> str:
    """2.5亿元-style figures for a person; masked or missing amounts say so instead of showing 0."""
    return money_text(value, currency)
