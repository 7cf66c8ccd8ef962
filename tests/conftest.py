"""Fixtures shared by every test area."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def find_eval_dir() -> Path | None:
    """The real reports and gold: ``KG_EVAL_DIR``, else ``../shared/eval``, else ``/work/shared/eval``.

    CI clones main into a temporary folder, so the sibling path alone is not enough.
    """
    candidates = [os.environ.get("KG_EVAL_DIR"), REPO.parent / "shared" / "eval", "/work/shared/eval"]
    for c in candidates:
        if c and (Path(c) / "docs").is_dir() and (Path(c) / "gold").is_dir():
            return Path(c)
    return None


@pytest.fixture(scope="session")
def eval_dir() -> Path:
    found = find_eval_dir()
    if found is None:
        pytest.fail("evaluation reports not found: set KG_EVAL_DIR to the folder holding docs/ and gold/")
    return found
