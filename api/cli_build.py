"""``kg build``, ``kg load`` and ``kg remove``: filling and pruning the store from report files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from extract.batch import WorkerDied, default_jobs
from extract.errors import LoadError
from extract.model import PREDICATE_LABELS_ZH, TYPE_LABELS_ZH
from graph.build import STDIN, BuildProgress, BuildSummary, build, load
from graph.errors import NotFound
from graph.labels import period_label
from graph.queries import remove
from graph.store import GraphStore, is_bolt_uri, store_spec

from .cli_common import CorpusOption, MinConfidenceOption, ReportPaths, StoreOption, fail
from .cli_output import Col, Rows, WideOption, err, opened, out, plural, print_json

NETWORK_PAGE = "network.html"
BOLT_NETWORK_PAGE = "kg-network.html"


def network_page_path(store: GraphStore, spec: str) -> Path:
    """The page sits in the store folder; a server store has no folder, so it goes to the current one."""
    if is_bolt_uri(spec):
        return Path(BOLT_NETWORK_PAGE)
    return Path(store.location) / NETWORK_PAGE


def _summary_tables(summary: BuildSummary) -> list[Rows]:
    docs = Rows(
        "报告 Documents",
        [Col(c, justify="right") for c in ("added", "unchanged", "replaced", "failed")],
    )
    docs.add(str(summary.added), str(summary.unchanged), str(summary.replaced), str(summary.failed))
    ents = Rows("实体 Entities in the store", [Col("type"), Col("count", justify="right")])
    for t, n in sorted(summary.stats.entities.items()):
        ents.add(f"{TYPE_LABELS_ZH.get(t, t)} {t}", str(n))
    rels = Rows("关系 Relations in the store", [Col("predicate"), Col("count", justify="right")])
    for p, n in sorted(summary.stats.relations.items()):
        rels.add(f"{PREDICATE_LABELS_ZH.get(p, p)} {p}", str(n))
    return [docs, ents, rels]


def _bar() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def _fill(
    spec: str, what: str, run: Callable[[GraphStore, Callable[[BuildProgress], None]], BuildSummary]
) -> tuple[BuildSummary, Path]:
    """Run a build or a load under one progress bar; Ctrl-C stops it, keeping what was committed."""
    from viz import write_network

    with opened(spec) as s:
        with _bar() as bar:
            task = bar.add_task(what, total=None)

            def step(p: BuildProgress) -> None:
                bar.update(task, completed=p.done, total=p.total, description=Path(p.path).name)
                if p.failure is not None:
                    bar.console.print(
                        f"kg: {p.failure.message}", markup=False, highlight=False, soft_wrap=True
                    )

            try:
                summary = run(s, step)
            except KeyboardInterrupt:
                bar.stop()
                kept = s.stats().documents
                fail(
                    f"interrupted: the store keeps its {kept} reports (each one whole), nothing of the rest",
                    130,
                )
            except WorkerDied as exc:
                fail(str(exc), status=2)
        for source, result in summary.kept_beside():
            beside = ", ".join(result.same_path)
            err.print(
                f"kg: {source}: its text changed; stored as {result.document} beside {beside} "
                f"(kg {'load' if what == 'loading' else 'build'} --replace replaces it)",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
        page = network_page_path(s, spec)
        write_network(s, page)
    return summary, page


def _report(summary: BuildSummary, page: Path) -> None:
    for table in _summary_tables(summary):
        table.show()
    out.print(f"Network page: {page}")
    if summary.failures:
        raise typer.Exit(1)


ReplaceOption = Annotated[
    bool,
    typer.Option(
        "--replace",
        help="A file whose text changed replaces what was stored from it (default: kept beside).",
    ),
]


def build_cmd(
    paths: ReportPaths,
    replace: ReplaceOption = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Processes extracting at once (default: the cores). The stored result is the same "
            "for any number.",
            show_default=False,
        ),
    ] = None,
    min_confidence: MinConfidenceOption = 0.0,
    corpus: CorpusOption = False,
    store: StoreOption = None,
) -> None:
    """Extract reports and store their entities and facts; prints a summary and writes the network page.

    Reports are extracted in parallel and stored in input order, so the store is the one a serial
    build makes. Re-running on the same files changes nothing (the same text in another encoding is
    the same report); a file whose text changed is stored as a new document beside the old one unless
    --replace. Ctrl-C (or a kill) keeps every report committed before it, each whole (commits are at
    most a few seconds apart). Exit status 1 when some files could not be read (the others are stored).

    Example: kg build --jobs 2 examples/
    """
    from extract.walk import iter_inputs

    # nothing readable: say so before any store is opened (or created)
    inputs = list(iter_inputs(paths))
    if all(isinstance(item, LoadError) for item in inputs):
        problems = "; ".join(str(item) for item in inputs)
        fail(
            problems or "no report files (.txt, .md, .html) found in " + ", ".join(map(str, paths)), status=1
        )
    spec = store_spec(store)
    n = jobs or default_jobs()
    summary, page = _fill(
        spec,
        "extracting",
        lambda s, step: build(
            s, paths, progress=step, jobs=n, replace=replace, min_confidence=min_confidence, corpus=corpus
        ),
    )
    _report(summary, page)


def load_cmd(
    files: Annotated[
        list[str],
        typer.Argument(
            metavar="FILES",
            help="JSON Lines files written by `kg extract --json`, folders of them (the *.jsonl "
            "partitions of `kg extract --engine dask`, in name order); - reads standard input.",
        ),
    ],
    replace: ReplaceOption = False,
    store: StoreOption = None,
) -> None:
    """Store extractions made elsewhere (`kg extract --json`, a Dask cluster), one line per report.

    A line that is not an extraction gets one line on stderr (kg: FILE:LINE: PROBLEM) and the others
    are stored; the exit status is then 1. Loading the output of `kg extract --json` stores what
    `kg build` of the same files stores.

    Example: kg extract --json reports/ > out.jsonl && kg load out.jsonl
    """
    spec = store_spec(store)
    summary, page = _fill(spec, "loading", lambda s, step: load(s, files, progress=step, replace=replace))
    if not summary.results and not summary.failures:
        fail("no extractions found in " + ", ".join("standard input" if f == STDIN else f for f in files), 1)
    _report(summary, page)


def remove_cmd(
    doc: Annotated[
        str,
        typer.Argument(
            metavar="DOC", help="The report: its id, file path, file name or file stem (kg documents)."
        ),
    ],
    store: StoreOption = None,
) -> None:
    """Remove a report's facts, and the entities no other report supports.

    Example: kg remove yunxi_jingxin_2024h1
    """
    with opened(store) as s:
        try:
            record = s.find_document(doc)
            result = remove(s, record.id)
        except NotFound as exc:
            fail(str(exc), status=1)
    out.print(
        f"Removed {record.label} [{result.document}]: {plural(result.facts_removed, 'fact')}, "
        f"{plural(result.nodes_removed, 'entity', 'entities')} no longer supported.",
        markup=False,
    )


def documents_cmd(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (the API's shape) instead of a table.")
    ] = False,
    wide: WideOption = False,
    store: StoreOption = None,
) -> None:
    """The stored reports: id, file, title, issuer, date, period, entity and fact counts.

    Any of id, file name or stem names a report for kg remove and /api/documents/{id}.

    Example: kg documents
    """
    from .schemas import DocumentOut, ListOf

    with opened(store, readonly=True) as s:
        docs = sorted(s.iter_documents(), key=lambda d: (d.date or "", d.file, d.id))
    if as_json:
        items = [DocumentOut.build(d) for d in docs]
        print_json(ListOf[DocumentOut](items=items, total=len(items)).model_dump(mode="json"))
        return
    if not docs:
        out.print("The store holds no reports yet: kg build REPORTS adds them.")
        return
    rows = Rows(
        f"报告 Documents — {plural(len(docs), 'report')}",
        [
            Col("编号 Id", whole=True),
            Col("文件 File", long=True),
            Col("标题 Title", long=True),
            Col("发布 Issuer", long=True),
            Col("日期 Date", whole=True),
            Col("期间 Period"),
            Col("实体 Entities", justify="right"),
            Col("事实 Facts", justify="right"),
        ],
        wide=wide,
    )
    for d in docs:
        rows.add(
            d.id,
            d.file,
            d.title or "",
            d.issuer or "",
            d.date or "",
            period_label(d.period_text, d.period_start, d.period_end),
            str(d.entity_count),
            str(d.fact_count),
        )
    rows.show()


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``kg`` app."""
    app.command("build")(build_cmd)
    app.command("load")(load_cmd)
    app.command("remove")(remove_cmd)
    app.command("documents")(documents_cmd)
