"""``kg extract``: run the extractor over report files and print what it found."""

from __future__ import annotations

import json
import os
import sys
from typing import Annotated

import typer
from rich.text import Text

from extract.errors import LoadError
from extract.model import ENTITY_TYPES, PREDICATE_LABELS_ZH, TYPE_LABELS_ZH, Extraction
from extract.pipeline import extract_file
from extract.walk import iter_inputs
from graph.labels import period_label

from .cli_common import ReportPaths
from .cli_output import Col, Rows, WideOption, out


def _failure(message: str) -> None:
    """One line on stderr, written directly so that no console wraps it."""
    sys.stderr.write(f"kg: {message}\n")
    sys.stderr.flush()


def _period(ex: Extraction) -> str:
    p = ex.doc.period
    if p is None:
        return "—"
    return period_label(p.text, p.start, p.end)


def _render(ex: Extraction, wide: bool) -> None:
    doc = ex.doc
    head = Text(f"{doc.id}", style="bold")
    head.append(f"  {doc.title or '(无标题 no title)'}")
    out.print(head)
    stored = f"   store id: {doc.sha256[:16]}" if doc.sha256 else ""
    facts = f"  发布 issuer: {doc.issuer or '—'}   日期 date: {doc.date or '—'}   期间 period: {_period(ex)}"
    out.print(Text(facts + stored))
    names = {e.id: e.name for e in ex.entities}
    ents = Rows(
        f"实体 Entities ({len(ex.entities)})",
        [
            Col("类型 Type"),
            Col("名称 Name", long=True),
            Col("别名 Aliases", long=True),
            Col("提及 Mentions", justify="right"),
        ],
        wide=wide,
    )
    order = {t: i for i, t in enumerate(ENTITY_TYPES)}
    for e in sorted(ex.entities, key=lambda e: (order.get(e.type, 99), e.name)):
        ents.add(
            f"{TYPE_LABELS_ZH.get(e.type, e.type)} {e.type}",
            e.name,
            "、".join(e.aliases),
            str(len(e.mentions)),
        )
    ents.show()
    rels = Rows(
        f"关系 Relations ({len(ex.relations)})",
        [
            Col("主体 Subject", long=True),
            Col("关系 Predicate"),
            Col("客体 Object", long=True),
            Col("金额 Amount"),
            Col("期间 Period"),
            Col("证据 Evidence", long=True),
        ],
        wide=wide,
    )
    for r in ex.relations:
        amount = ""
        if r.amount is not None:
            amount = r.amount.text + (" (masked)" if r.amount.masked else "")
            if r.amount.shared:
                amount += " 共享 shared"
        period = period_label(r.period.text, r.period.start, r.period.end) if r.period else ""
        rels.add(
            names.get(r.subject, r.subject),
            f"{PREDICATE_LABELS_ZH.get(r.predicate, r.predicate)} {r.predicate}",
            names.get(r.object, r.object),
            amount,
            period,
            r.evidence,
        )
    rels.show()
    out.print()


def extract_cmd(
    paths: ReportPaths,
    as_json: Annotated[
        bool, typer.Option("--json", help="JSON Lines: one extraction per document (SCHEMA.md shape).")
    ] = False,
    max_size_mb: Annotated[
        float | None,
        typer.Option(
            "--max-size-mb", min=0.001, help="Refuse files larger than this (default 20, or KG_MAX_FILE_MB)."
        ),
    ] = None,
    min_confidence: Annotated[
        float,
        typer.Option(
            "--min-confidence",
            min=0.0,
            max=1.0,
            help="Leave out entities and relations the model is less sure of (0-1).",
        ),
    ] = 0.0,
    wide: WideOption = False,
) -> None:
    """Extract entities and relations from government work reports.

    Folders are read recursively. Each file that cannot be read gets one line on stderr
    (kg: PATH: PROBLEM); the others are still processed, and the exit status is 1.

    Example: kg extract --json reports/
    """
    max_bytes = int(max_size_mb * 1024 * 1024) if max_size_mb is not None else None
    failed = 0
    done = 0
    for item in iter_inputs(paths):
        if isinstance(item, LoadError):
            failed += 1
            _failure(str(item))
            continue
        try:
            ex = extract_file(item, max_bytes).filtered(min_confidence)
        except LoadError as exc:
            failed += 1
            _failure(str(exc))
            continue
        except Exception as exc:
            # An extractor bug on one file must not hide the others' results; KG_DEBUG shows the traceback.
            if os.environ.get("KG_DEBUG"):
                raise
            failed += 1
            _failure(f"{item}: extraction failed ({type(exc).__name__}: {exc}); set KG_DEBUG=1 for details")
            continue
        done += 1
        if as_json:
            sys.stdout.write(json.dumps(ex.to_json(), ensure_ascii=False) + "\n")
            sys.stdout.flush()
        else:
            _render(ex, wide)
    if done == 0 and failed == 0:
        _failure("no report files (.txt, .md, .html, .htm) found in " + ", ".join(str(p) for p in paths))
        raise typer.Exit(1)
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``kg`` app."""
    app.command("extract")(extract_cmd)
