"""Benchmark: extraction throughput next to ``jieba.lcut`` alone on the same text, in the same run.

The engine segments every sentence with jieba and then runs its rules, so
``jieba.lcut`` over the same body text is the floor.  Both are warmed first
(the tokenizer's prefix dictionary is built once), then timed over several
rounds; the best round of each is reported as characters per second, with
the ratio of their times.  Target: extraction takes at most 3x jieba.lcut.

    .venv/bin/python bench/extract.py [--rounds 5] [--repeat 4] [PATH ...]

PATHs default to the real reports in ../shared/eval/docs (or KG_EVAL_DIR), examples/ and the
held-out reports in tests/extract_engine/heldout/docs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from extract.engine import extract_entities_relations  # noqa: E402
from extract.load import load_file  # noqa: E402
from extract.meta import read_meta  # noqa: E402
from extract.model import LoadedText, ReportMeta  # noqa: E402
from extract.segment import get_tokenizer  # noqa: E402
from extract.sentences import body_ranges  # noqa: E402


def default_paths() -> list[Path]:
    out: list[Path] = []
    for c in (os.environ.get("KG_EVAL_DIR"), REPO.parent / "shared" / "eval", "/work/shared/eval"):
        if c and (Path(c) / "docs").is_dir():
            out += sorted((Path(c) / "docs").glob("*.txt"))
            break
    out += sorted(p for p in (REPO / "examples").rglob("*") if p.suffix in (".txt", ".md", ".html", ".htm"))
    out += sorted((REPO / "tests" / "extract_engine" / "heldout" / "docs").glob("*.txt"))
    return out


def best_of(rounds: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--rounds", type=int, default=5, help="timed rounds; the best is reported")
    ap.add_argument("--repeat", type=int, default=4, help="passes over the documents per round")
    args = ap.parse_args()

    docs: list[tuple[LoadedText, ReportMeta, list[str]]] = []
    for path in args.paths or default_paths():
        try:
            loaded = load_file(path)
        except Exception as exc:  # a bad example file should not stop the benchmark
            print(f"skip {path}: {exc}", file=sys.stderr)
            continue
        bodies = [loaded.text[a:b] for a, b in body_ranges(loaded.text, loaded.body)]
        docs.append((loaded, read_meta(loaded), bodies))
    if not docs:
        print("no documents to measure", file=sys.stderr)
        return 1
    chars = sum(len(b) for _, _, bodies in docs for b in bodies) * args.repeat
    tokenizer = get_tokenizer()

    def run_jieba() -> None:
        for _ in range(args.repeat):
            for _, _, bodies in docs:
                for b in bodies:
                    tokenizer.lcut(b)

    def run_extract() -> None:
        for _ in range(args.repeat):
            for loaded, meta, _ in docs:
                extract_entities_relations(loaded, meta)

    run_jieba()  # warm: prefix dictionary, HMM tables
    run_extract()  # warm: lexicon, POS table, compiled patterns
    t_jieba = best_of(args.rounds, run_jieba)
    t_extract = best_of(args.rounds, run_extract)
    print(f"documents: {len(docs)}  body characters per round: {chars:,}  (best of {args.rounds} rounds)")
    print(f"jieba.lcut alone   {t_jieba * 1000:9.1f} ms   {chars / t_jieba:12,.0f} chars/s")
    print(f"extraction         {t_extract * 1000:9.1f} ms   {chars / t_extract:12,.0f} chars/s")
    ratio = t_extract / t_jieba
    verdict = "within" if ratio <= 3.0 else "ABOVE"
    print(f"ratio extraction / jieba.lcut: {ratio:.2f}x  ({verdict} the 3x target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
