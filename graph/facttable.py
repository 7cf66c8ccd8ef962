"""The embedded store's facts by id, where the facts of a snapshot become ``Fact`` records only when read.

Opening a store from its snapshot (:mod:`graph.snapshot`) must not build
200,000 ``Fact`` objects that most commands never look at: ``kg stats``,
a search or one entity's page read none or a few.  So the snapshot's fact
columns are kept as they were parsed, each id maps to its row number, and
a row is made into a ``Fact`` the first time it is asked for (then kept).
The columns the indexes do not need (evidence, amounts, periods …) are not
even parsed until the first record is made.  Facts added later (ingest) are
stored as records directly.  The table keeps insertion order and otherwise
behaves as the ``dict`` it replaces.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import fields
from typing import Any

from .model import Fact


class FactTable:
    """``fact id -> Fact`` in insertion order; rows of a snapshot are made into records when first read."""

    __slots__ = ("_cols", "_named", "_rest", "_rows")

    def __init__(self) -> None:
        #: a Fact, or the row number in the columns of one not made yet
        self._rows: dict[str, Fact | int] = {}
        #: the snapshot's columns, one per ``Fact`` field in the constructor's order, once all are read
        self._cols: list[Sequence[Any]] = []
        #: until then: the columns read so far by field name, and how to read the others
        self._named: dict[str, Sequence[Any]] = {}
        self._rest: Callable[[], dict[str, Sequence[Any]]] | None = None

    @classmethod
    def from_columns(
        cls,
        ids: list[str],
        columns: Mapping[str, Sequence[Any]],
        rest: Callable[[], dict[str, Sequence[Any]]] | None = None,
    ) -> FactTable:
        """A table of ``len(ids)`` rows: ``columns`` by ``Fact`` field name, and ``rest()`` the missing ones.

        ``rest`` is called once, when the first record is made; what it raises then reaches that reader.
        """
        table = cls()
        table._rows = dict(zip(ids, range(len(ids)), strict=True))
        table._named, table._rest = dict(columns), rest
        return table

    def __getitem__(self, fid: str) -> Fact:
        got = self._rows[fid]
        if got.__class__ is int:
            row: int = got
            cols = self._cols or self._all_columns()
            got = self._rows[fid] = Fact(*[col[row] for col in cols])
        return got  # type: ignore[return-value]

    def _all_columns(self) -> list[Sequence[Any]]:
        if self._rest is not None:
            self._named.update(self._rest())
            self._rest = None
        self._cols = [self._named[name] for name in _FIELDS]
        self._named = {}
        return self._cols

    def get(self, fid: str, default: Fact | None = None) -> Fact | None:
        return self[fid] if fid in self._rows else default

    def __contains__(self, fid: object) -> bool:
        return fid in self._rows

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def keys(self) -> Iterable[str]:
        return self._rows.keys()

    def values(self) -> Iterator[Fact]:
        return map(self.__getitem__, list(self._rows))

    def items(self) -> Iterator[tuple[str, Fact]]:
        ids = list(self._rows)
        return zip(ids, map(self.__getitem__, ids), strict=True)

    def update(self, pairs: Iterable[tuple[str, Fact]]) -> None:
        self._rows.update(pairs)

    def pop(self, fid: str) -> Fact:
        fact = self[fid]
        del self._rows[fid]
        return fact

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FactTable):
            return dict(self.items()) == dict(other.items())
        if isinstance(other, dict):
            return dict(self.items()) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def made(self) -> int:
        """How many facts are records already (the others are still rows of the snapshot's columns)."""
        return sum(1 for v in self._rows.values() if v.__class__ is not int)

    def __repr__(self) -> str:
        return f"FactTable({len(self._rows)} facts, {self.made()} made)"


_FIELDS = tuple(f.name for f in fields(Fact))

__all__ = ["FactTable"]
