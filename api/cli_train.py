"""``kg train``: rebuild the extractor's model from annotated reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .cli_common import fail
from .cli_output import out


def train_cmd(
    docs: Annotated[
        list[Path] | None,
        typer.Option("--docs", help="A folder of report files (repeat with --gold, pairwise)."),
    ] = None,
    gold: Annotated[
        list[Path] | None,
        typer.Option("--gold", help="The folder of gold files for the --docs folder at the same position."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Where to write the model (default: the shipped model file)."),
    ] = None,
) -> None:
    """Train the extractor's decisions from annotated reports and write the model file.

    Without --docs/--gold it trains on every annotated report the project has (annotated/ and
    the held-out set in tests/). Reports and gold files pair by file stem. Deterministic: the same
    reports give the same file.

    Example: kg train --docs my/docs --gold my/gold -o my-model.json
    """
    from extract.learned import ModelError, shipped_model_path
    from extract.train import default_folders, load_annotated, train

    docs, gold = docs or [], gold or []
    if len(docs) != len(gold):
        fail("give --docs and --gold the same number of times (one gold folder per docs folder)", status=2)
    folders = list(zip(docs, gold, strict=True)) or default_folders()
    for d, g in folders:
        if not d.is_dir() or not g.is_dir():
            fail(f"{d if not d.is_dir() else g}: not a folder", status=2)
    reports = load_annotated(folders)
    if not reports:
        fail(
            "no report has a gold file of the same stem in " + ", ".join(str(g) for _, g in folders), status=2
        )
    try:
        model = train(reports)
    except ImportError:
        fail("kg train needs scikit-learn: pip install 'policy-kg[train]'", status=2)
    except ModelError as exc:
        fail(str(exc), status=2)
    target = output or shipped_model_path()
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(model.dumps(), encoding="utf-8")
    tmp.replace(target)
    meta = model.meta
    out.print(
        f"Trained on {len(reports)} reports: {meta['mention_rows']} candidate spans "
        f"({meta['mention_positive']} entities), {meta['pair_rows']} candidate pairs "
        f"({meta['pair_positive']} relations). Model: {target}"
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``kg`` app."""
    app.command("train")(train_cmd)
