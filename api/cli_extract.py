"""``kg extract``: run the extractor over report files and print what it found."""

from __future__ import annotations

import contextlib
import enum
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from extract.batch import extract_batch
from extract.corpus import batch_known_names
from extract.errors import LoadError
from extract.jsonl import to_line
from extract.model import ENTITY_TYPES, PREDICATE_LABELS_ZH, TYPE_LABELS_ZH, Extraction
from extract.walk import iter_inputs
from graph.labels import period_label

from .cli_common import CorpusOption, MinConfidenceOption, ReportPaths
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


class Engine(enum.StrEnum):
    local = "local"
    dask = "dask"


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
    min_confidence: MinConfidenceOption = 0.0,
    wide: WideOption = False,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Processes extracting at once (local engine); output order is input order.",
        ),
    ] = 1,
    engine: Annotated[
        Engine,
        typer.Option(
            help="local: this process (and --jobs); dask: a Dask cluster, writing JSONL partitions to --out."
        ),
    ] = Engine.local,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Dask scheduler address (tcp://host:8786); without it a local cluster of --jobs "
            "workers is started."
        ),
    ] = None,
    out_dir: Annotated[
        str | None,
        typer.Option(
            "--out",
            help="Folder (or fsspec URL) for the Dask engine's part-NNNNN.jsonl files; workers "
            "must be able to write there.",
        ),
    ] = None,
    corpus: CorpusOption = False,
) -> None:
    """Extract entities and relations from government work reports.

    Folders are read recursively. Each file that cannot be read gets one line on stderr
    (kg: PATH: PROBLEM); the others are still processed, and the exit status is 1.

    With --engine dask the reports are extracted on a Dask cluster into JSONL partitions
    (the same lines as --json, in input order) for `kg load OUT/`.

    Example: kg extract --json reports/

    Example: kg extract --engine dask --scheduler tcp://10.0.0.5:8786 --out /shared/run1 /shared/reports
    """
    max_bytes = int(max_size_mb * 1024 * 1024) if max_size_mb is not None else None
    if engine is Engine.dask and corpus:
        _failure("--corpus runs on the local engine only (the Dask path extracts each report once)")
        raise typer.Exit(2)
    if engine is Engine.dask:
        _extract_on_dask(paths, out_dir, scheduler, jobs, max_bytes, min_confidence)
        return
    failed = 0
    done = 0
    inputs = list(iter_inputs(paths))
    known = batch_known_names(inputs, jobs, max_bytes) if corpus else None
    with contextlib.closing(extract_batch(inputs, jobs, max_bytes, known)) as results:
        for ex in results:
            if isinstance(ex, LoadError):
                failed += 1
                _failure(str(ex))
                continue
            ex = ex.filtered(min_confidence)
            done += 1
            if as_json:
                sys.stdout.write(to_line(ex) + "\n")
                sys.stdout.flush()
            else:
                _render(ex, wide)
    if done == 0 and failed == 0:
        _failure("no report files (.txt, .md, .html, .htm) found in " + ", ".join(str(p) for p in paths))
        raise typer.Exit(1)
    if failed:
        raise typer.Exit(1)


def _extract_on_dask(
    paths: list[Path],
    out: str | None,
    scheduler: str | None,
    jobs: int,
    max_bytes: int | None,
    min_confidence: float,
) -> None:
    from extract.dask_engine import DaskUnavailable, extract_on_dask

    if out is None:
        _failure("--engine dask writes JSONL partitions: give the folder with --out")
        raise typer.Exit(2)
    try:
        run = extract_on_dask(
            paths,
            out,
            scheduler,
            workers=jobs if scheduler is None else None,
            max_bytes=max_bytes,
            min_confidence=min_confidence,
        )
    except DaskUnavailable as exc:
        _failure(str(exc))
        raise typer.Exit(2) from None
    except OSError as exc:
        # An unreachable scheduler (distributed raises OSError after its connect timeout).
        _failure(f"Dask scheduler {scheduler or '(local cluster)'}: {exc}")
        raise typer.Exit(2) from None
    for failure in run.failures:
        _failure(str(failure))
    if run.reports == 0 and not run.failures:
        _failure("no report files (.txt, .md, .html, .htm) found in " + ", ".join(str(p) for p in paths))
        raise typer.Exit(1)
    sys.stderr.write(f"kg: {run.reports} reports extracted into {len(run.parts)} partitions in {out}\n")
    if run.failures:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``kg`` app."""
    app.command("extract")(extract_cmd)
