"""Training the extractor's decisions from annotated reports (``kg train``).

A training report is a text file and its gold file (the format of
``../shared/eval/SCHEMA.md``), paired by file stem.  For each report the engine
runs with a trace on: every candidate span and every candidate pair with its
features.  A span is labelled with the gold type of the gold entity one of
whose forms it is (else ``NONE``); a pair with the gold predicate joining the
gold entities its ends are, when the gold relation's evidence is that
sentence (else ``NONE``).  Two multinomial logistic models are fitted with a
fixed solver and no randomness, so the same reports give the same model file.

The mention model is trained first; the pairs are then collected from a run
with it, so the relation model learns on entities like the ones it will see.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extract.learned import NONE, Model
from extract.linear import LinearModel

_QUOTES = "“”\"'‘’《》〈〉「」『』【】"
#: Features seen fewer times than this in training carry no weight (they would only memorise).
MIN_FEATURE_COUNT = 2
MENTION_C = 0.2
#: The least probability of being an entity a span needs to be a candidate end of relations,
#: and the least an entity needs to stay without one (both chosen by leave-one-report-out).
MENTION_THRESHOLD = 0.15
ENTITY_THRESHOLD = 0.35
#: The least probability of its best predicate a pair needs (chosen by leave-one-report-out).
RELATION_THRESHOLD = 0.25
RELATION_C = 0.5


def gold_norm(name: str) -> str:
    """The evaluation's matching of names: width folded, quotes and spaces dropped, lower case."""
    s = unicodedata.normalize("NFKC", name or "")
    return "".join(ch for ch in s if not ch.isspace() and ch not in _QUOTES).lower()


@dataclass(frozen=True, slots=True)
class Annotated:
    """One annotated report: its text file and its gold annotations."""

    stem: str
    doc: Path
    gold: dict[str, Any]


def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def default_folders() -> list[tuple[Path, Path]]:
    """Every annotated report the project has: real, written-in-genre and the held-out invented set."""
    root = repo_root()
    out = []
    for docs, gold in (
        (root / "annotated" / "real" / "docs", root / "annotated" / "real" / "gold"),
        (root / "annotated" / "synthetic" / "docs", root / "annotated" / "synthetic" / "gold"),
        (
            root / "tests" / "extract_engine" / "heldout" / "docs",
            root / "tests" / "extract_engine" / "heldout" / "gold",
        ),
    ):
        if docs.is_dir() and gold.is_dir():
            out.append((docs, gold))
    return out


def load_annotated(folders: Iterable[tuple[Path, Path]]) -> list[Annotated]:
    """Reports paired with gold files by stem, sorted by stem (the order training sees them in)."""
    import json

    out: list[Annotated] = []
    for docs, gold in folders:
        for g in sorted(Path(gold).glob("*.json")):
            matches = [p for p in Path(docs).iterdir() if p.stem == g.stem and p.is_file()]
            if not matches:
                continue
            out.append(Annotated(g.stem, matches[0], json.loads(g.read_text(encoding="utf-8"))))
    return sorted(out, key=lambda a: a.stem)


def _gold_forms(gold: dict[str, Any]) -> tuple[dict[str, int], list[dict[str, Any]]]:
    ents = gold.get("entities", [])
    forms: dict[str, int] = {}
    for i, g in enumerate(ents):
        for f in [g["name"], *g.get("aliases", [])]:
            forms.setdefault(gold_norm(f), i)
    return forms, ents


def _run(report: Annotated, model: Model) -> Any:
    from extract.engine import Trace, extract_entities_relations
    from extract.load import load_bytes
    from extract.meta import read_meta

    loaded = load_bytes(report.doc.read_bytes(), str(report.doc))
    meta = read_meta(loaded)
    trace = Trace()
    extract_entities_relations(loaded, meta, model=model, trace=trace)
    return trace


def mention_rows(report: Annotated, model: Model) -> list[tuple[list[str], str]]:
    forms, ents = _gold_forms(report.gold)
    rows = []
    for m, feats in _run(report, model).mentions:
        gi = forms.get(gold_norm(m.text))
        rows.append((feats, ents[gi]["type"] if gi is not None else NONE))
    return rows


def _overlaps(evidence: str, sentence: str) -> bool:
    e, s = gold_norm(evidence), gold_norm(sentence)
    if not e or not s:
        return False
    if e in s or s in e:
        return True
    k = 10
    if any(e[i : i + k] in s for i in range(0, max(1, len(e) - k + 1), 5)):
        return True
    # 1.X项目。建设单位：…。位于东岚街道: evidence over an item's sentences ends where this one opens
    tail = e.rsplit("。", 1)[-1]
    return len(tail) >= 4 and s.startswith(tail)


def pair_rows(report: Annotated, model: Model) -> list[tuple[list[str], str]]:
    forms, ents = _gold_forms(report.gold)
    index = {g["name"]: i for i, g in enumerate(ents)}
    gold_rels: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for r in report.gold.get("relations", []):
        si, oi = index.get(r["s"]), index.get(r["o"])
        if si is not None and oi is not None:
            gold_rels.setdefault((si, oi), []).append(r)

    def gold_of(names: list[str]) -> int | None:
        return next((forms[gold_norm(n)] for n in names if gold_norm(n) in forms), None)

    rows = []
    for cand, s_names, o_names in _run(report, model).pairs:
        si, oi = gold_of(s_names), gold_of(o_names)
        label = NONE
        if si is not None and oi is not None:
            for r in gold_rels.get((si, oi), []):
                ev = r.get("evidence")
                if not ev or _overlaps(ev, cand.sentence.text):
                    label = r["p"]
                    break
        rows.append((cand.features, label))
    return rows


def fit(rows: Sequence[tuple[list[str], str]], c: float) -> LinearModel:
    """A multinomial logistic regression over the features seen at least twice."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    counts: Counter[str] = Counter(f for feats, _ in rows for f in set(feats))
    keep = {f for f, n in counts.items() if n >= MIN_FEATURE_COUNT}
    x_dicts = [{f: 1.0 for f in feats if f in keep} for feats, _ in rows]
    y = [label for _, label in rows]
    vec = DictVectorizer(sort=True)
    x = vec.fit_transform(x_dicts)
    clf = LogisticRegression(C=c, max_iter=2000, solver="lbfgs")
    clf.fit(x, y)
    classes = tuple(str(k) for k in clf.classes_)
    coef = clf.coef_
    intercept = clf.intercept_
    if len(classes) == 2:  # binary: sklearn keeps one row; expand to two opposite rows
        coef = [-coef[0] / 2, coef[0] / 2]
        intercept = [-intercept[0] / 2, intercept[0] / 2]
    names = vec.get_feature_names_out()
    weights: dict[str, tuple[float, ...]] = {}
    for j, name in enumerate(names):
        row = tuple(round(float(coef[k][j]), 5) for k in range(len(classes)))
        if any(abs(w) >= 1e-4 for w in row):
            weights[str(name)] = row
    return LinearModel(classes, weights, tuple(round(float(b), 5) for b in intercept))


def train(reports: Sequence[Annotated]) -> Model:
    """Both models from ``reports`` (deterministic: same reports, same model)."""
    rules = Model.rules_only()
    m_rows = [row for r in reports for row in mention_rows(r, rules)]
    mentions = fit(m_rows, MENTION_C)
    with_mentions = Model(mentions=mentions, mention_threshold=MENTION_THRESHOLD)
    p_rows = [row for r in reports for row in pair_rows(r, with_mentions)]
    relations = fit(p_rows, RELATION_C)
    meta = {
        "mention_rows": len(m_rows),
        "mention_positive": sum(1 for _, y in m_rows if y != NONE),
        "pair_rows": len(p_rows),
        "pair_positive": sum(1 for _, y in p_rows if y != NONE),
    }
    return Model(
        mentions=mentions,
        relations=relations,
        mention_threshold=MENTION_THRESHOLD,
        relation_threshold=RELATION_THRESHOLD,
        entity_threshold=ENTITY_THRESHOLD,
        trained_on=tuple(r.stem for r in reports),
        meta=meta,
    )
