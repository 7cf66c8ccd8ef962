"""The review queue: what most needs a person's eye first, and the filled-in CSV that comes back.

What the extractor was least sure of comes first: entities and facts below
:data:`UNSURE` confidence, lowest first, together (a person checks a
statement and a name alike).  Then near-duplicate names (two nodes of one
type that are probably one thing), then entities that a single mention
supports, least sure first.  What a person confirmed is never listed.  A suggestion never
pairs names told apart by a year, a batch ordinal or another number
(2022年度X / 2023年度X, 第二批X / 第三批X): those are different things
however close their spelling.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from extract.model import ENTITY_TYPES

from . import fixing
from .corrections import Correction
from .keys import normalize, number_tokens, numbers_conflict
from .model import Node
from .store import GraphStore

#: entities and facts the extractor scored below this head the queue.  Measured on the three real
#: reports: about a third of the entities and a tenth of the facts are below 0.6, and those are where
#: its mistakes gather; a lower bound would leave the near-duplicates room in a short queue.
UNSURE = 0.6
#: the characters two names must share at the start to be compared (their stem: 均胜 in 均胜电子)
HEAD = 2
MAX_DISTANCE = 2
#: bounds on an imported CSV
MAX_ROWS = 10_000
MAX_CSV_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One line of the queue; ``suggested`` is the operation a person most likely wants.

    A fact's line (``kind`` "unsure_fact") names it by ``fact`` (its id) and its subject by ``key``,
    so the page can open the network there; its decisions are reject and confirm.
    """

    kind: str  # "unsure" | "unsure_fact" | "duplicate" | "single"
    key: str
    name: str
    type: str
    reason: str
    suggested: str
    other: str = ""
    other_name: str = ""
    documents: int = 0
    degree: int = 0
    #: the extractor's confidence in the entity (or the fact), 0–1
    confidence: float = 1.0
    fact: str = ""


def _forms_numbered_apart(a: str, b: str) -> bool:
    return number_tokens(a) != number_tokens(b) or numbers_conflict(a, b)


def near_duplicates(nodes: Iterable[Node]) -> list[tuple[Node, Node, int]]:
    """Pairs of one type sharing their first characters, 1–2 edits apart, never numbered apart.

    >>> from graph.model import Node
    >>> pairs = near_duplicates([
    ...     Node("Company:均胜电子", "Company", "均胜电子"), Node("Company:均胜", "Company", "均胜"),
    ...     Node("Policy:第二批x计划", "Policy", "第二批X计划"),
    ...     Node("Policy:第三批x计划", "Policy", "第三批X计划"),
    ... ])
    >>> [(a.name, b.name, d) for a, b, d in pairs]
    [('均胜', '均胜电子', 2)]
    """
    buckets: dict[tuple[str, str], list[tuple[str, Node]]] = defaultdict(list)
    for n in nodes:
        norm = normalize(n.name)
        if len(norm) > HEAD:
            buckets[(n.type, norm[:HEAD])].append((norm, n))
        elif len(norm) == HEAD:
            buckets[(n.type, norm)].append((norm, n))
    out: list[tuple[Node, Node, int]] = []
    for group in buckets.values():
        group.sort(key=lambda item: (len(item[0]), item[0]))
        for i, (na, a) in enumerate(group):
            for nb, b in group[i + 1 :]:
                if len(nb) - len(na) > MAX_DISTANCE:
                    break
                d = Levenshtein.distance(na, nb, score_cutoff=MAX_DISTANCE)
                if 1 <= d <= MAX_DISTANCE and not _forms_numbered_apart(a.name, b.name):
                    out.append((a, b, d))
    out.sort(key=lambda t: (t[2], t[0].type, t[0].key, t[1].key))
    return out


def _unsure(
    store: GraphStore, nodes: Sequence[Node], done: fixing.Confirmed, below: float
) -> list[ReviewItem]:
    """Entities and facts under ``below``, least sure first (an entity before a fact of equal score).

    ``suggested`` is a guess from the score: reject under half of ``below``, else confirm.
    """
    ranked: list[tuple[float, int, str, ReviewItem]] = []
    for n in nodes:
        if n.confidence < below and not done.entity(n.key):
            item = ReviewItem(
                "unsure", n.key, n.name, n.type, f"置信度低 low confidence {n.confidence:.2f}",
                "confirm" if n.confidence >= below / 2 else "reject",
                documents=len(n.mentions), confidence=round(n.confidence, 3),
            )  # fmt: skip
            ranked.append((n.confidence, 0, n.key, item))
    by_key = {n.key: n for n in nodes}
    paths: dict[str, str] = {}
    for f in store.iter_facts():
        if f.confidence >= below or f.subject not in by_key or f.object not in by_key:
            continue
        if f.document not in paths:
            paths[f.document] = store.document(f.document).path
        if done.facts and done.fact(f, paths[f.document]):
            continue
        s, o = by_key[f.subject], by_key[f.object]
        item = ReviewItem(
            "unsure_fact", s.key, f"{s.name} {f.predicate} {o.name}", s.type,
            f"置信度低 low confidence {f.confidence:.2f}: “{f.evidence}”",
            "confirm" if f.confidence >= below / 2 else "reject",
            other=o.key, other_name=o.name, documents=1, confidence=round(f.confidence, 3), fact=f.id,
        )  # fmt: skip
        ranked.append((f.confidence, 1, f.id, item))
    ranked.sort(key=lambda t: t[:3])
    return [t[3] for t in ranked]


def queue(store: GraphStore, limit: int = 50, below: float = UNSURE) -> list[ReviewItem]:
    """The review queue, most urgent first; what a person confirmed is left out."""
    done = fixing.confirmed(store)
    every = list(store.iter_nodes())
    nodes = [n for n in every if not done.entity(n.key)]
    items = _unsure(store, every, done, below)[:limit]
    if len(items) >= limit:
        return items
    listed = {i.key for i in items if i.kind == "unsure"}
    for a, b, d in near_duplicates(nodes):
        # the better-supported node is the one to keep
        keep, drop = (a, b) if len(a.mentions) >= len(b.mentions) else (b, a)
        items.append(
            ReviewItem(
                "duplicate", drop.key, drop.name, drop.type,
                f"近似重名 near-duplicate of {keep.name} ({d} edit{'s' if d > 1 else ''})", "merge",
                other=keep.key, other_name=keep.name, documents=len(drop.mentions),
            )
        )  # fmt: skip
        if len(items) >= limit:
            return items
    listed.update(i.key for i in items if i.kind == "duplicate")
    singles = [n for n in nodes if sum(len(s) for s in n.mentions.values()) == 1 and n.key not in listed]
    degrees = {n.key: store.degree(n.key) for n in singles}
    singles.sort(key=lambda n: (n.confidence, degrees[n.key], ENTITY_TYPES.index(n.type), n.key))
    for n in singles[: max(limit - len(items), 0)]:
        items.append(
            ReviewItem(
                "single", n.key, n.name, n.type, "只提到一次 one mention in one report", "confirm",
                documents=len(n.mentions), degree=degrees[n.key], confidence=round(n.confidence, 3),
            )
        )  # fmt: skip
    return items


# -- the CSV round trip ----------------------------------------------------------------------

#: what a person may write in the ``decision`` column (empty or ``skip``: leave it)
DECISIONS = ("merge", "reject", "confirm", "retype", "rename", "split", "skip")
COLUMNS = [f.name for f in fields(ReviewItem)] + ["decision", "value", "note"]


def to_csv(items: Sequence[ReviewItem]) -> str:
    """The queue with empty ``decision``/``value``/``note`` columns to fill in (UTF-8 with BOM for Excel)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(COLUMNS)
    for it in items:
        w.writerow([getattr(it, f.name) for f in fields(ReviewItem)] + ["", "", ""])
    return "\ufeff" + buf.getvalue()


@dataclass(frozen=True, slots=True)
class Decision:
    line: int
    decision: str
    key: str
    other: str
    value: str
    note: str
    #: a fact's line: the decision (reject or confirm) is about this fact, not about ``key``
    fact: str = ""


class BadReviewFile(fixing.CorrectionError):
    """A filled-in review CSV that cannot be read; nothing of it was applied."""


def read_decisions(path: Path) -> list[Decision]:
    """Every row with a decision, checked before anything is applied (one-line errors name file and line)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BadReviewFile(f"{path}: cannot read ({exc.strerror})") from None
    if len(raw) > MAX_CSV_BYTES:
        raise BadReviewFile(f"{path}: larger than {MAX_CSV_BYTES // (1024 * 1024)} MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")  # saved by a Chinese-locale spreadsheet
        except UnicodeDecodeError:
            raise BadReviewFile(f"{path}: not UTF-8 or GB18030 text") from None
    rows = csv.DictReader(io.StringIO(text))
    missing = {"key", "decision"} - set(rows.fieldnames or [])
    if missing:
        raise BadReviewFile(
            f"{path}: no {', '.join(sorted(missing))} column (export one with kg review --csv)"
        )
    out: list[Decision] = []
    for i, row in enumerate(rows, start=2):
        if i > MAX_ROWS + 1:
            raise BadReviewFile(f"{path}: more than {MAX_ROWS} rows")
        decision = (row.get("decision") or "").strip().lower()
        if not decision or decision == "skip":
            continue
        if decision not in DECISIONS:
            raise BadReviewFile(f"{path}:{i}: unknown decision {decision!r} (one of {', '.join(DECISIONS)})")
        key = (row.get("key") or "").strip()
        other, value = (row.get("other") or "").strip(), (row.get("value") or "").strip()
        if not key:
            raise BadReviewFile(f"{path}:{i}: no key")
        if decision == "merge" and not (value or other):
            raise BadReviewFile(f"{path}:{i}: merge needs the other entity (column other, or value)")
        if decision in ("retype", "rename", "split") and not value:
            raise BadReviewFile(f"{path}:{i}: {decision} needs a value (the type, name or alias)")
        fact = (row.get("fact") or "").strip()
        if fact and decision not in ("reject", "confirm"):
            raise BadReviewFile(f"{path}:{i}: a fact's line takes reject or confirm, not {decision}")
        out.append(Decision(i, decision, key, other, value, (row.get("note") or "").strip(), fact))
    return out


@dataclass(frozen=True, slots=True)
class DecisionResult:
    decision: Decision
    correction: Correction | None
    error: str | None = None


def apply_decisions(store: GraphStore, decisions: Iterable[Decision], who: str = "") -> list[DecisionResult]:
    """Apply each decision as a correction, in file order; one that cannot be made is reported, not fatal."""
    results: list[DecisionResult] = []
    for d in decisions:
        author = fixing.Author(who, d.note)
        try:
            if d.fact:
                c = (fixing.reject_fact if d.decision == "reject" else fixing.confirm_fact)(
                    store, d.fact, author
                )
            elif d.decision == "merge":
                c = fixing.merge(store, d.key, d.value or d.other, author)
            elif d.decision == "reject":
                c = fixing.reject(store, d.key, author)
            elif d.decision == "confirm":
                c = fixing.confirm(store, d.key, author)
            elif d.decision == "retype":
                c = fixing.retype(store, d.key, d.value, author)
            elif d.decision == "rename":
                c = fixing.rename(store, d.key, d.value, author)
            else:
                c = fixing.split(store, d.key, d.value, author)
        except (fixing.CorrectionError, KeyError) as exc:
            results.append(DecisionResult(d, None, str(exc)))
        else:
            results.append(DecisionResult(d, c))
    return results
