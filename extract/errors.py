"""Errors raised by extraction; each also inherits the matching built-in so callers can catch either."""

from __future__ import annotations


class ExtractError(Exception):
    """Base of everything the extractor raises on purpose."""


class LoadError(ExtractError, ValueError):
    """A file that cannot be read as a report.  The message names the file and the problem."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem
