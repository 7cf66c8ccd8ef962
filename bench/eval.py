"""Leave-one-report-out evaluation of the extractor: the honest figure for reports nobody tuned it on.

For each annotated report, everything learned from data (both models of
``kg train``) is built from the *other* reports, then that report is extracted
with it and scored with the evaluation's own ``score.py`` (run as a process).
Prints one line per report and pooled figures per group (real, synthetic,
held-out, real + synthetic, all), next to the in-sample figure of the shipped
model on the same reports.

    python bench/eval.py [--score ../shared/eval/score.py] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extract.corpus import known_names
from extract.learned import Model, load_model
from extract.load import load_bytes
from extract.pipeline import extract_loaded
from extract.train import (
    ENTITY_THRESHOLD,
    MENTION_C,
    MENTION_THRESHOLD,
    RELATION_C,
    RELATION_THRESHOLD,
    Annotated,
    default_folders,
    fit,
    load_annotated,
    mention_rows,
    pair_rows,
)

GROUPS = {
    "real": lambda s: s[:1].isdigit(),
    "synthetic": lambda s: s.startswith("syn"),
    "held-out": lambda s: s.startswith("h"),
}


def _extract(report: Annotated, model: Model, corpus: bool = False) -> dict[str, Any]:
    """The report's extraction; with ``corpus``, a second pass with the names the first was sure of."""
    loaded = load_bytes(report.doc.read_bytes(), str(report.doc))
    ex = extract_loaded(loaded, report.stem, str(report.doc), None, model=model)
    if corpus:
        known = known_names([ex])
        if known:
            ex = extract_loaded(loaded, report.stem, str(report.doc), None, model=model, known=known)
    return ex.to_json()


def _score(scorer: Path, reports: list[Annotated], outputs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        gold = Path(tmp) / "gold"
        gold.mkdir()
        for r in reports:
            (gold / f"{r.stem}.json").write_text(json.dumps(r.gold, ensure_ascii=False), encoding="utf-8")
        out = Path(tmp) / "out.jsonl"
        out.write_text("\n".join(json.dumps(outputs[r.stem], ensure_ascii=False) for r in reports) + "\n")
        proc = subprocess.run(
            [sys.executable, str(scorer), str(gold), str(out), "--json"],
            capture_output=True,
            text=True,
            check=True,
        )
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def _line(label: str, s: dict[str, Any]) -> str:
    return (
        f"{label:34} entity F1 {s['entity_f1']:.3f}  relation F1 {s['relation_f1']:.3f}  "
        f"amount {s['amount_accuracy']:.3f}  period {s['period_accuracy']:.3f}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = Path(__file__).resolve().parent.parent
    ap.add_argument("--score", type=Path, default=root.parent / "shared" / "eval" / "score.py")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    ap.add_argument("--corpus", action="store_true", help="second pass with the sure names of the first")
    ap.add_argument("--out", type=Path, default=None, help="write the leave-one-out extractions (JSON Lines)")
    args = ap.parse_args()
    if not args.score.is_file():
        print(f"{args.score}: score.py not found (pass --score)", file=sys.stderr)
        return 2
    reports = load_annotated(default_folders())
    t0 = time.perf_counter()
    rules = Model.rules_only()
    m_rows = {r.stem: mention_rows(r, rules) for r in reports}
    loo: dict[str, dict[str, Any]] = {}
    for held in reports:
        train_set = [r for r in reports if r.stem != held.stem]
        mentions = fit([row for r in train_set for row in m_rows[r.stem]], MENTION_C)
        with_mentions = Model(mentions=mentions, mention_threshold=MENTION_THRESHOLD)
        p_rows = [row for r in train_set for row in pair_rows(r, with_mentions)]
        model = Model(
            mentions=mentions,
            relations=fit(p_rows, RELATION_C),
            mention_threshold=MENTION_THRESHOLD,
            relation_threshold=RELATION_THRESHOLD,
            entity_threshold=ENTITY_THRESHOLD,
        )
        loo[held.stem] = _extract(held, model, args.corpus)
    elapsed = time.perf_counter() - t0
    if args.out:
        lines = (json.dumps(loo[r.stem], ensure_ascii=False) for r in reports)
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    shipped = load_model()
    insample = {r.stem: _extract(r, shipped) for r in reports}
    figures: dict[str, Any] = {"per_report": {}, "pooled": {}, "in_sample": {}}
    print(f"leave-one-report-out over {len(reports)} annotated reports ({elapsed:.0f} s)")
    for r in reports:
        s = _score(args.score, [r], loo)
        figures["per_report"][r.stem] = s
        print(_line(r.stem, s))
    print()
    groups = dict(GROUPS)
    groups["real + synthetic"] = lambda s: GROUPS["real"](s) or GROUPS["synthetic"](s)
    groups["all"] = lambda s: True
    for name, pick in groups.items():
        chosen = [r for r in reports if pick(r.stem)]
        if not chosen:
            continue
        pooled = _score(args.score, chosen, loo)
        inside = _score(args.score, chosen, insample)
        figures["pooled"][name] = pooled
        figures["in_sample"][name] = inside
        print(_line(f"LOO pooled {name}", pooled))
        print(_line(f"  in-sample {name}", inside))
    if args.json:
        slim = {
            k: {
                g: {x: v[x] for x in ("entity_f1", "relation_f1", "amount_accuracy", "period_accuracy")}
                for g, v in d.items()
            }
            for k, d in figures.items()
        }
        args.json.write_text(json.dumps(slim, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
