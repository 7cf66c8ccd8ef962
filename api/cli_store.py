"""Placeholder: commands are registered here by the module's owner."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``kg`` app."""
