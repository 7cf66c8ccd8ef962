"""Errors raised by the graph stores; each also inherits the matching built-in."""

from __future__ import annotations


class StoreError(Exception):
    """Base of everything a store raises on purpose."""


class StoreUnavailable(StoreError, ConnectionError):
    """The store cannot be reached or opened (server down, wrong credentials, unreadable folder)."""


class StoreLocked(StoreError, TimeoutError):
    """Another process holds the write lock for longer than we were willing to wait."""


class CorruptStore(StoreError, ValueError):
    """The files on disk are not a store we can read; nothing is changed by raising this."""


class NotFound(StoreError, KeyError):
    """Base for lookups of a key that is not in the store."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else "not found"


class EntityNotFound(NotFound):
    def __init__(self, key: str) -> None:
        super().__init__(f"no entity with key {key!r}")
        self.key = key


class DocumentNotFound(NotFound):
    def __init__(self, doc: str) -> None:
        super().__init__(f"no document {doc!r}")
        self.doc = doc


class InvalidExtraction(StoreError, ValueError):
    """An extraction breaks the record contract (unknown type, dangling entity id); nothing is stored."""


class StaleWrite(StoreError, RuntimeError):
    """A write made from a state another writer changed meanwhile (a correction from an old log)."""
