"""Build benchmark: a province's reports through ``kg build --jobs 1``, ``--jobs 2`` and the Dask path.

    .venv/bin/python bench/build.py [--reports 2000] [--jobs 2] [--bolt-uri bolt://127.0.0.1:7687]

The corpus is made from the annotated reports (../shared/eval docs and
synthetic docs, the held-out reports in tests/extract_engine/heldout): each
generated report is one of them with the names of its companies, projects
and zones (from its gold file) given new stems, consistently through the
text, so every report is distinct and reads like the real ones (same
sentences, lists, amounts and periods; different names).

Measured end to end, as a user runs them (each a ``kg`` process, timed from
start to exit, peak memory summed over the process and its workers, sampled;
``--rounds`` alternating rounds of the two builds, the best of each, since
other work on a shared machine comes and goes):

- ``kg build --jobs 1`` (the baseline: extraction in the building process);
- ``kg build --jobs N`` (default 2): the speed-up over --jobs 1, target >= 1.7x on 2 cores;
- ``kg extract --engine dask`` on a local cluster of N worker processes,
  then ``kg load`` of its partitions into an embedded store (and into
  Neo4j when ``--bolt-uri`` is given: every node policy-kg writes in that
  database is deleted first).

All stores must end with the same ``kg stats --json``; the run fails otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TARGET_SPEEDUP = 1.7
#: Name stems never replaced: words of the genre that also start names (高新区, 科技局 …).
_KEEP = {"高新", "经济", "工业", "科技", "数字", "智能", "新能", "人工", "产业", "创新", "重点", "国家",
         "宁波", "浙江", "专精", "绿色", "先进", "现代", "未来"}  # fmt: skip
#: Nor stems starting with a character that begins ordinary words too (一次性, 中小企业, 区级, 市场 …).
_KEEP_FIRST = set("一中区市省县国全各本我该上下大小新老")
_SYLLABLES = list(
    "甬江明港创嘉华信达宏远恒盛中天润东方北辰海曙鄞州慈溪余姚镇北仑奉化象山宁高松岩澄溪启航锦程泽宇晨曦"
    "升谱光电蓝湾纬诚乐和利时青峰安泰永丰金穗精密云链星际瑞丰泰安康宝德隆兴旺鼎鑫源益广汇通"
)
_CJK = re.compile(r"^[\u4e00-\u9fff]{2}$")
_ENTITY_TYPES = {"Company", "Project", "Zone"}


@dataclass(slots=True)
class Template:
    name: str
    text: str
    stems: list[str]


def eval_dir() -> Path | None:
    for c in (os.environ.get("KG_EVAL_DIR"), REPO.parent / "shared" / "eval", "/work/shared/eval"):
        if c and (Path(c) / "docs").is_dir():
            return Path(c)
    return None


def annotated() -> list[tuple[Path, Path]]:
    """(report, gold) pairs of every annotated report this checkout can see."""
    folders: list[Path] = []
    found = eval_dir()
    if found is not None:
        folders += [found, found / "synthetic"]
    folders.append(REPO / "tests" / "extract_engine" / "heldout")
    pairs = []
    for folder in folders:
        for doc in sorted((folder / "docs").glob("*.txt")):
            gold = folder / "gold" / f"{doc.stem}.json"
            if gold.is_file():
                pairs.append((doc, gold))
    return pairs


def load_templates() -> list[Template]:
    out = []
    for doc, gold in annotated():
        text = doc.read_text(encoding="utf-8")
        entities = json.loads(gold.read_text(encoding="utf-8"))["entities"]
        stems = {
            form[:2]
            for e in entities
            if e["type"] in _ENTITY_TYPES
            for form in (e["name"], *e.get("aliases", []))
            if len(form) >= 4
            and _CJK.match(form[:2])
            and form[:2] not in _KEEP
            and form[0] not in _KEEP_FIRST
        }
        stems = {s for s in stems if s in text}
        out.append(Template(doc.stem, text, sorted(stems)))
    return out


def generate(templates: Sequence[Template], reports: int, folder: Path, seed: int) -> int:
    """Write ``reports`` files into ``folder``; returns their total size in characters."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    chars = 0
    for i in range(reports):
        t = templates[i % len(templates)]
        fresh: dict[str, str] = {}
        used = set(t.stems)
        for stem in t.stems:
            while True:
                new = rng.choice(_SYLLABLES) + rng.choice(_SYLLABLES)
                if new not in used and new[0] != new[1]:
                    used.add(new)
                    fresh[stem] = new
                    break
        text = (
            re.sub("|".join(map(re.escape, t.stems)), lambda m, f=fresh: f[m.group()], t.text)
            if fresh
            else t.text
        )
        (folder / f"{i:05d}_{t.name}.txt").write_text(text, encoding="utf-8")
        chars += len(text)
    return chars


# -- running kg and watching it -------------------------------------------------------------------------


@dataclass(slots=True)
class Run:
    label: str
    seconds: float
    peak_rss: int  # bytes, summed over the process tree at its largest sample
    peak_one: int  # bytes, the largest single process
    processes: int  # most processes seen at once
    cpu: float  # user + system seconds of the process and every process under it (sampled)


def _tree_rss(root: psutil.Process, cpu: dict[int, float]) -> tuple[int, int, int]:
    """RSS of the tree now (sum, largest, count); records each process's CPU seconds so far in ``cpu``.

    CPU is sampled, not taken from rusage: pool workers are children of a fork server that nobody
    waits for, so their CPU never reaches the parent's RUSAGE_CHILDREN.
    """
    try:
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0, 0, 0
    sizes = []
    for p in procs:
        try:
            with p.oneshot():
                sizes.append(p.memory_info().rss)
                t = p.cpu_times()
                cpu[p.pid] = t.user + t.system
        except psutil.Error:
            continue
    return sum(sizes), max(sizes, default=0), len(sizes)


def run_kg(label: str, *args: str, env: dict[str, str]) -> Run:
    print(f"[{label}] kg {' '.join(args)}", flush=True)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.cli", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    root = psutil.Process(proc.pid)
    peak = [0, 0, 0]
    cpu: dict[int, float] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            total, one, n = _tree_rss(root, cpu)
            peak[0], peak[1], peak[2] = max(peak[0], total), max(peak[1], one), max(peak[2], n)
            done.wait(0.1)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    _, stderr = proc.communicate()
    seconds = time.perf_counter() - t0
    done.set()
    watcher.join()
    if proc.returncode != 0:
        raise SystemExit(f"bench/build.py: kg {' '.join(args)} failed ({proc.returncode}):\n{stderr[-2000:]}")
    total_cpu = sum(cpu.values())
    print(f"[{label}] {seconds:.1f} s, {total_cpu:.1f} CPU s", flush=True)
    return Run(label, seconds, peak[0], peak[1], peak[2], total_cpu)


def stats(store: str, env: dict[str, str]) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-m", "api.cli", "stats", "--json", "--store", store],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    data: dict[str, object] = json.loads(out.stdout)
    return data


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--reports", type=int, default=2000, help="generated reports (at least 2,000 for the figures)"
    )
    parser.add_argument(
        "--jobs", type=int, default=2, help="processes for the parallel build and Dask workers"
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--rounds", type=int, default=2, help="alternating --jobs 1 / --jobs N rounds (best of)"
    )
    parser.add_argument("--bolt-uri", default=None, help="also kg load the partitions into this Neo4j")
    parser.add_argument("--keep", type=Path, default=None, help="keep the corpus and stores in this folder")
    args = parser.parse_args(argv)

    templates = load_templates()
    if not templates:
        parser.error("no annotated reports found (set KG_EVAL_DIR to the folder holding docs/ and gold/)")
    env = {k: v for k, v in os.environ.items() if k not in ("KG_STORE", "KG_DEBUG")}
    env["PYTHONPATH"] = str(REPO)
    work = Path(tempfile.mkdtemp(prefix="kg-bench-build-")) if args.keep is None else args.keep
    try:
        corpus = work / "corpus"
        t0 = time.perf_counter()
        chars = generate(templates, args.reports, corpus, args.seed)
        stems = sum(len(t.stems) for t in templates)
        print(
            f"corpus: {args.reports:,} reports, {chars:,} characters, from {len(templates)} annotated "
            f"reports ({stems} name stems substituted), generated in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        j = str(args.jobs)
        # Alternating rounds, best of each: other work on a shared machine comes and goes.
        serials: list[Run] = []
        pooleds: list[Run] = []
        for r in range(args.rounds):
            serials.append(
                run_kg(
                    "jobs 1",
                    "build",
                    "--jobs",
                    "1",
                    "--store",
                    str(work / f"serial{r}"),
                    str(corpus),
                    env=env,
                )
            )
            pooleds.append(
                run_kg(
                    f"jobs {j}",
                    "build",
                    "--jobs",
                    j,
                    "--store",
                    str(work / f"pooled{r}"),
                    str(corpus),
                    env=env,
                )
            )
        runs = [min(serials, key=lambda x: x.seconds), min(pooleds, key=lambda x: x.seconds)]
        parts = work / "parts"
        dask_extract = run_kg(
            f"dask {j} workers",
            "extract", "--engine", "dask", "--jobs", j, "--out", str(parts), str(corpus),
            env=env,
        )  # fmt: skip
        dask_load = run_kg("kg load", "load", "--store", str(work / "loaded"), str(parts), env=env)
        runs += [dask_extract, dask_load]
        reference = stats(str(work / "serial0"), env)
        stores = [f"serial{r}" for r in range(1, args.rounds)] + [f"pooled{r}" for r in range(args.rounds)]
        same = {name: stats(str(work / name), env) == reference for name in [*stores, "loaded"]}
        neo4j_load: Run | None = None
        if args.bolt_uri:
            from graph.neo4j_store import Neo4jStore

            store = Neo4jStore(
                args.bolt_uri,
                user=env.get("KG_NEO4J_USER", "root"),
                password=env.get("KG_NEO4J_PASSWORD", "policykg-dev"),
                database=env.get("KG_NEO4J_DATABASE", "neo4j"),
            )
            store.wipe()
            store.close()
            neo4j_load = run_kg("kg load → neo4j", "load", "--store", args.bolt_uri, str(parts), env=env)
            runs.append(neo4j_load)
            same["neo4j"] = stats(args.bolt_uri, env) == reference
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    serial = runs[0].seconds
    print()
    print("| run | wall s | reports/s | chars/s | peak RSS (all processes) | largest | vs jobs 1 | CPU s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in runs:
        end_to_end = r.label.startswith(("jobs", "dask"))
        rate = f"{args.reports / r.seconds:,.1f}" if end_to_end or r.label.startswith("kg load") else ""
        crate = f"{chars / r.seconds:,.0f}" if end_to_end else ""
        speed = f"{serial / r.seconds:.2f}×" if end_to_end else ""
        print(
            f"| {r.label} | {r.seconds:.1f} | {rate} | {crate} | {r.peak_rss / 2**20:,.0f} MiB "
            f"({r.processes} proc) | {r.peak_one / 2**20:,.0f} MiB | {speed} | {r.cpu:.0f} |"
        )
    dask_total = dask_extract.seconds + dask_load.seconds
    speedup = serial / runs[1].seconds
    print()
    print(
        f"kg build --jobs {j}: {speedup:.2f}× the --jobs 1 build (target ≥{TARGET_SPEEDUP}× on 2 cores: "
        f"{'ok' if speedup >= TARGET_SPEEDUP else 'MISSED'}; this machine has {os.cpu_count()} cores)"
    )
    print(
        f"Dask path end to end (extract on {j} local workers + kg load): {dask_total:.1f} s, "
        f"{serial / dask_total:.2f}× the --jobs 1 build"
    )
    busy = os.getloadavg()[0]
    print(
        f"CPU seconds, --jobs {j} / --jobs 1: {runs[1].cpu / runs[0].cpu:.2f} (parallel overhead); "
        f"load average at the end {busy:.1f} on {os.cpu_count()} cores (other work on the machine slows "
        "the parallel runs most)"
    )
    print("same kg stats --json as the --jobs 1 build: " + ", ".join(f"{k} {v}" for k, v in same.items()))
    print(f"store: {json.dumps(reference, ensure_ascii=False)}")
    return 0 if all(same.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
