"""``kg fix …`` and ``kg review``: an analyst's corrections of the graph, kept across rebuilds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from extract.model import TYPE_LABELS_ZH
from graph import fixing, gold, review
from graph.corrections import OP_LABELS, Correction
from graph.errors import NotFound
from graph.queries import Resolution, resolve_entity
from graph.store import GraphStore

from .cli_common import StoreOption, fail
from .cli_output import err, opened, out, print_json

fix_app = typer.Typer(
    name="fix",
    help="Correct the graph: merge, split, rename, retype, reject, confirm, add a fact, undo. "
    "Corrections are kept in the store and hold across kg build, kg remove and rebuilds.\n\n"
    "Example: kg fix merge 云羿平台 云羿产业园 --note 'one project'",
    no_args_is_help=True,
    rich_markup_mode=None,
)

Note = Annotated[str, typer.Option("--note", "-n", help="Why (free text, kept in the log).")]
Who = Annotated[str, typer.Option("--who", help="Who makes the correction (default: your login name).")]
Entity = Annotated[str, typer.Argument(help="An entity: its key (Project:凌智产业园) or its name.")]
FactOption = Annotated[
    bool, typer.Option("--fact", help="The argument is a fact id (kg fix list shows them in --json)")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _key(store: GraphStore, text: str) -> str:
    try:
        found: Resolution = resolve_entity(store, text)
    except NotFound as exc:
        fail(str(exc), status=1)
    if found.alternatives:
        others = ", ".join(n.key for n in found.alternatives[:5])
        err.print(f"kg: {text!r} also names {others}; using {found.node.key}")
    return found.node.key


def _done(entry: Correction) -> None:
    out.print(f"#{entry.seq} {OP_LABELS[entry.op]}: {fixing.describe(entry)}", markup=False)


def _run(store: str | None, who: str, note: str, work: object) -> None:
    """Open the store, make one correction, print it; one that cannot be made is one line, status 1."""
    with opened(store) as s:
        try:
            entry = work(s, fixing.Author(who, note))  # type: ignore[operator]
        except fixing.CorrectionError as exc:
            fail(str(exc), status=1)
        except NotFound as exc:
            fail(str(exc), status=1)
    _done(entry)


@fix_app.command("merge")
def merge_cmd(
    entity: Entity, into: Entity, note: Note = "", who: Who = "", store: StoreOption = None
) -> None:
    """ENTITY is the same thing as INTO: one node under INTO's name (never across types).

    Example: kg fix merge 云羿平台 云羿产业园
    """
    _run(store, who, note, lambda s, a: fixing.merge(s, _key(s, entity), _key(s, into), a))


@fix_app.command("split")
def split_cmd(
    entity: Entity,
    alias: Annotated[str, typer.Argument(help="The alias that is an entity of its own.")],
    note: Note = "",
    who: Who = "",
    store: StoreOption = None,
) -> None:
    """An alias of ENTITY names another entity (same type).

    Example: kg fix split Company:均胜电子 均胜集团
    """
    _run(store, who, note, lambda s, a: fixing.split(s, _key(s, entity), alias, a))


@fix_app.command("rename")
def rename_cmd(
    entity: Entity,
    name: Annotated[str, typer.Argument(help="The new canonical name (the old one stays an alias).")],
    note: Note = "",
    who: Who = "",
    store: StoreOption = None,
) -> None:
    """Give ENTITY its right canonical name.

    Example: kg fix rename Company:均胜 均胜电子股份有限公司
    """
    _run(store, who, note, lambda s, a: fixing.rename(s, _key(s, entity), name, a))


@fix_app.command("retype")
def retype_cmd(
    entity: Entity,
    type: Annotated[str, typer.Argument(help="Agency, Zone, Project, Company, Policy or Funding.")],
    note: Note = "",
    who: Who = "",
    store: StoreOption = None,
) -> None:
    """ENTITY is of another type.

    Example: kg fix retype Policy:云羿平台 Project
    """
    _run(store, who, note, lambda s, a: fixing.retype(s, _key(s, entity), type, a))


@fix_app.command("reject")
def reject_cmd(
    target: Annotated[str, typer.Argument(help="An entity (key or name), or a fact id with --fact.")],
    fact: FactOption = False,
    note: Note = "",
    who: Who = "",
    store: StoreOption = None,
) -> None:
    """Not an entity (it goes with its facts), or with --fact: this fact is wrong.

    Example: kg fix reject Policy:大力发展 --note 'a slogan'
    """
    if fact:
        _run(store, who, note, lambda s, a: fixing.reject_fact(s, target, a))
    else:
        _run(store, who, note, lambda s, a: fixing.reject(s, _key(s, target), a))


@fix_app.command("confirm")
def confirm_cmd(
    target: Annotated[str, typer.Argument(help="An entity (key or name), or a fact id with --fact.")],
    fact: FactOption = False,
    note: Note = "",
    who: Who = "",
    store: StoreOption = None,
) -> None:
    """Verified by a person: the entity (or with --fact the fact) is marked confirmed.

    Example: kg fix confirm Project:凌智产业园
    """
    if fact:
        _run(store, who, note, lambda s, a: fixing.confirm_fact(s, target, a))
    else:
        _run(store, who, note, lambda s, a: fixing.confirm(s, _key(s, target), a))


@fix_app.command("add")
def add_cmd(
    document: Annotated[str, typer.Argument(help="The report: document id or the path of its file.")],
    subject: Annotated[
        str, typer.Argument(help="Subject: an entity key or name, or Type:name for a new one.")
    ],
    predicate: Annotated[
        str, typer.Argument(help="FUNDED_BY, INVESTS_IN, PARTICIPATES_IN, LOCATED_IN, ISSUED_BY")
    ],
    object: Annotated[str, typer.Argument(help="Object: an entity key or name, or Type:name for a new one.")],
    evidence: Annotated[str, typer.Argument(help="The sentence of the report that states it (exact text).")],
    note: Note = "",
    who: Who = "",
    store: StoreOption = None,
) -> None:
    """Add a fact the report states and the extractor missed; amount and period are read from the evidence.

    Example: kg fix add 000_0207fd07f11f00dd.txt 云羿产业园 FUNDED_BY 专项债 "云羿产业园获专项债1.2亿元"
    """

    def work(s: GraphStore, a: fixing.Author) -> Correction:
        def end(text: str) -> str:
            if text.split(":", 1)[0] in TYPE_LABELS_ZH:  # a key, or Type:name of an entity to add
                return text
            return _key(s, text)

        return fixing.add_fact(s, document, end(subject), predicate, end(object), evidence, a)

    _run(store, who, note, work)


@fix_app.command("undo")
def undo_cmd(
    seq: Annotated[int, typer.Argument(help="The number of the correction (kg fix list).")],
    note: Note = "",
    who: Who = "",
    store: StoreOption = None,
) -> None:
    """Cancel a correction: the graph is as if it had never been made (the log keeps both entries).

    Example: kg fix undo 3
    """
    _run(store, who, note, lambda s, a: fixing.undo(s, seq, a))


@fix_app.command("list")
def list_cmd(
    stale: Annotated[
        bool, typer.Option("--stale", help="Only corrections whose target is in no report.")
    ] = False,
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    """The corrections log, oldest first; --stale lists those whose target is gone (they are kept).

    Example: kg fix list --stale
    """
    with opened(store, readonly=True) as s:
        entries = fixing.stale(s) if stale else fixing.log(s)
        undone = {c.undoes for c in fixing.log(s) if c.op == "undo"}
    if as_json:
        print_json([c.to_json() for c in entries])
        return
    table = Table(title="修正 Corrections" + (" (stale)" if stale else ""))
    for col in ("#", "operation", "what", "who", "when", "note"):
        table.add_column(col)
    for c in entries:
        op = OP_LABELS[c.op] + (" (undone)" if c.seq in undone else "")
        table.add_row(str(c.seq), op, fixing.describe(c), c.who, c.when, c.note)
    out.print(table)
    if not entries:
        out.print("No stale corrections." if stale else "No corrections yet.")


@fix_app.command("import")
def import_cmd(
    path: Annotated[
        Path, typer.Argument(help="A CSV from kg review --csv with the decision column filled in.")
    ],
    who: Who = "",
    store: StoreOption = None,
) -> None:
    """Apply a filled-in review CSV: decision merge/reject/confirm/retype/rename/split per row.

    The file is checked whole before anything is applied; a row that cannot be applied is reported
    (exit status 1) and the others are.

    Example: kg fix import review.csv
    """
    try:
        decisions = review.read_decisions(path)
    except review.BadReviewFile as exc:
        fail(str(exc), status=1)
    with opened(store) as s:
        results = review.apply_decisions(s, decisions, who)
    failed = 0
    for r in results:
        if r.correction is not None:
            _done(r.correction)
        else:
            failed += 1
            err.print(f"kg: {path}:{r.decision.line}: {r.error}", markup=False)
    out.print(f"{len(results) - failed} applied, {failed} failed.")
    if failed:
        raise typer.Exit(1)


@fix_app.command("load")
def load_cmd(
    path: Annotated[Path, typer.Argument(help="A log saved with kg fix list --json (from another store).")],
    store: StoreOption = None,
) -> None:
    """Give a store without corrections the log of another one (a rebuild keeps the fixes).

    Works before or after kg build: the stored reports are corrected at once, later ones as they come.

    Example: kg fix list --json --store old-data > fixes.json && kg fix load fixes.json --store new-data
    """
    try:
        entries = [Correction.from_json(e) for e in json.loads(path.read_text(encoding="utf-8"))]
    except OSError as exc:
        fail(f"{path}: cannot read ({exc.strerror})", status=1)
    except (ValueError, KeyError, TypeError) as exc:
        fail(f"{path}: not a corrections log from kg fix list --json ({type(exc).__name__}: {exc})", status=1)
    with opened(store) as s:
        try:
            changed = fixing.load_log(s, entries)
        except fixing.CorrectionError as exc:
            fail(str(exc), status=1)
    out.print(f"{len(entries)} corrections loaded; {changed} stored reports corrected.")


@fix_app.command("export-gold")
def export_gold_cmd(
    folder: Annotated[Path, typer.Argument(help="Folder for one gold JSON per report (created).")],
    store: StoreOption = None,
) -> None:
    """Write the corrected extraction of every report in the gold format (../shared/eval/SCHEMA.md).

    Example: kg fix export-gold corrected-gold/
    """
    with opened(store, readonly=True) as s:
        result = gold.export_gold(s, folder)
    out.print(f"{len(result.files)} gold files in {result.folder}")


def review_cmd(
    csv_out: Annotated[
        Path | None, typer.Option("--csv", help="Write the queue as CSV to fill in (then: kg fix import).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="How many items.")] = 50,
    below: Annotated[
        float,
        typer.Option(
            "--below", min=0.0, max=1.0, help="Entities and facts under this confidence come first (0-1)."
        ),
    ] = review.UNSURE,
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    """What most needs a person's eye: what the extractor was least sure of (lowest confidence first),
    near-duplicate names of one type, entities with one mention.

    Example: kg review --csv review.csv
    """
    from graph.persist import write_atomic

    with opened(store, readonly=True) as s:
        items = review.queue(s, limit, below)
    if csv_out is not None:
        write_atomic(csv_out, review.to_csv(items).encode("utf-8"))
        out.print(
            f"{len(items)} items in {csv_out}; fill in the decision column, then: kg fix import {csv_out}"
        )
        return
    if as_json:
        from dataclasses import asdict

        print_json([asdict(i) for i in items])
        return
    table = Table(title="待审 Review queue")
    for col in ("kind", "entity", "type", "confidence", "why", "suggested", "other"):
        table.add_column(col)
    for i in items:
        label = TYPE_LABELS_ZH.get(i.type, i.type)
        what = f"{i.name} ({i.fact or i.key})"
        table.add_row(i.kind, what, label, f"{i.confidence:.2f}", i.reason, i.suggested, i.other_name)
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add ``kg fix …`` and ``kg review`` to the ``kg`` app."""
    app.add_typer(fix_app, name="fix")
    app.command("review")(review_cmd)
