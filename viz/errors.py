"""Errors raised when a page cannot be built from what the user asked for."""

from __future__ import annotations


class VizError(ValueError):
    """A request for a page that cannot be honoured; the message is one line meant for a person."""


class UnknownCenter(VizError, LookupError):
    """The centre names no entity in the store (neither a key, a name nor an alias)."""

    def __init__(self, center: str, suggestions: list[str] | None = None) -> None:
        self.center = center
        self.suggestions = list(suggestions or [])
        hint = f" (did you mean: {', '.join(self.suggestions)}?)" if self.suggestions else ""
        super().__init__(f"no entity named {center!r} in the store{hint}")
