"""Store benchmark: bulk ingest rate, time to add one report, 2-hop neighbourhood latency, for both backends.

    .venv/bin/python bench/store.py [--relations 200000] [--backends embedded,neo4j] [--queries 300]
                                    [--rounds 3]

The corpus is synthetic but follows the real reports (../shared/eval/gold): per
report a zone and an issuing agency, companies joining named policies (most
facts are PARTICIPATES_IN), projects located in zones and funded by a few
recurring instruments (专项债 is a hub), companies investing in projects, some
aliases and yearly / batch-numbered policy names.  Entities recur across
reports with a skewed frequency, so ingest exercises cross-report merging.

Neo4j is reached at ``--bolt-uri`` (default ``KG_TEST_BOLT_URI`` or
bolt://127.0.0.1:7687, credentials from ``KG_NEO4J_*``) — start one with
``kg db start``.  The benchmark deletes every node of the labels policy-kg
writes (Entity, Mentions, Document, NameForm) in that database before it starts.

Baselines measured in the same run: for Neo4j, the same facts written one
auto-committed ``MERGE`` statement per fact (a small sample, extrapolated
as a rate); for the embedded store, rewriting the whole graph as JSON, which
is what a store without segments would do for every added report.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extract.model import Amount, DocInfo, Entity, Extraction, Period, Relation
from graph.embedded import SNAPSHOT_TAIL
from graph.store import GraphStore

TARGET_NEO4J_RATE = 10_000
TARGET_EMBEDDED_RATE = 50_000
TARGET_ONE_REPORT_S = 1.0
TARGET_P99_MS = 50.0
TARGET_OPEN_S = 1.0

# -- the synthetic corpus --------------------------------------------------------------------------------

_SYLLABLES = list(
    "甬江明港创嘉华信达宏远恒盛中科天润东方北辰海曙鄞州慈溪余姚镇海北仑奉化象山宁海高新松岩澄溪"
    "启航锦程泽宇晨曦谱光电蓝湾青峰纬诚甬乐和利时安泰永丰金穗朗月岭松智能精密智造数字云链星际"
)
_INDUSTRY = ["科技", "电子", "新材料", "生物", "智能装备", "汽车部件", "光电", "医疗器械", "软件", "新能源"]
_COMPANY_SUFFIX = ["", "股份", "集团", "有限公司"]
_PROJECT_SUFFIX = ["产业园", "项目", "创新中心", "智造基地", "研发大楼", "数字港", "软件谷", "科创园"]
_ZONE_SUFFIX = ["街道", "片区", "工业园区", "高新区", "新区"]
_AGENCIES = ["经发局", "经信局", "发改委", "财政局", "科技局", "商务局", "管委会", "应急管理局", "人社局"]
_FUNDING = [
    "专项债", "中央预算内投资", "产业发展引导资金", "奖励资金", "消费券", "招商基金", "技改补助",
    "研发补助", "专精特新奖励", "人才专项资金", "首台套保险补偿", "稳岗补贴",
]  # fmt: skip
_POLICY_STEMS = [
    "重点“小巨人”", "专精特新中小企业", "单项冠军培育企业", "重点工业投资项目", "数字化车间",
    "纳税50强企业", "绿色工厂", "高新技术企业", "隐形冠军", "市重点工程建设计划", "服务业十佳企业",
    "科技型中小企业", "智能工厂", "上市后备企业", "雄鹰企业", "品字标浙江制造",
]  # fmt: skip
_ORDINALS = "一二三四五六七八九十"
_ACTIONS = ["入选", "申报", "获评", "兑现", "认定"]


def _word(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(n))


def _skewed(rng: random.Random, pool: Sequence[str]) -> str:
    """Low indexes come up far more often: a few entities recur in many reports, most in one or two."""
    return pool[int(len(pool) * rng.random() ** 2.2)]


@dataclass(slots=True)
class Pools:
    companies: list[str]
    projects: list[str]
    zones: list[str]
    policies: list[str]
    agencies: list[str]
    funding: list[str]


def make_pools(rng: random.Random, reports: int) -> Pools:
    def unique(make: Callable[[], str], n: int) -> list[str]:
        seen: dict[str, None] = {}
        while len(seen) < n:
            seen.setdefault(make(), None)
        return list(seen)

    companies = unique(
        lambda: _word(rng, 2) + rng.choice(_INDUSTRY) + rng.choice(_COMPANY_SUFFIX), 8 * reports
    )
    projects = unique(lambda: _word(rng, rng.choice((2, 3))) + rng.choice(_PROJECT_SUFFIX), 6 * reports)
    zones = unique(lambda: _word(rng, 2) + rng.choice(_ZONE_SUFFIX), max(50, reports // 8))
    policies = [
        f"{year}年度第{_ORDINALS[batch]}批{stem}"
        for year in range(2018, 2025)
        for batch in range(4)
        for stem in _POLICY_STEMS
    ]
    policies += unique(
        lambda: "《关于推进" + _word(rng, 4) + "高质量发展的若干政策》", max(100, reports // 4)
    )
    rng.shuffle(policies)
    agencies = [f"{z[:2]}{a}" for z in zones[:40] for a in _AGENCIES]
    return Pools(companies, projects, zones, policies, agencies, list(_FUNDING))


class _ReportBuilder:
    def __init__(self, path: str, title: str, year: int) -> None:
        self.path, self.title, self.year = path, title, year
        self.entities: list[Entity] = []
        self.ids: dict[tuple[str, str], str] = {}
        self.relations: list[Relation] = []
        self.cursor = 0

    def ent(self, name: str, type: str, aliases: Sequence[str] = ()) -> str:
        eid = self.ids.get((type, name))
        if eid is None:
            eid = f"e{len(self.entities) + 1}"
            self.cursor += 37
            self.entities.append(
                Entity(eid, name, type, list(aliases), [(self.cursor, self.cursor + len(name))])  # type: ignore[arg-type]
            )
            self.ids[(type, name)] = eid
        return eid

    def rel(self, s: str, p: str, o: str, evidence: str, **q: object) -> None:
        self.cursor += 53
        self.relations.append(
            Relation(s, p, o, evidence, (self.cursor, self.cursor + len(evidence)), **q)  # type: ignore[arg-type]
        )

    def build(self) -> Extraction:
        period = Period(text=f"{self.year}年上半年", start=f"{self.year}-01-01", end=f"{self.year}-06-30")
        return Extraction(
            doc=DocInfo(
                id=Path(self.path).stem,
                path=self.path,
                title=self.title,
                date=f"{self.year}-07-15",
                issuer=self.title[:5],
                period=period,
                sha256=hashlib.sha256(self.path.encode("utf-8")).hexdigest(),
            ),
            entities=self.entities,
            relations=self.relations,
        )


def make_report(rng: random.Random, pools: Pools, index: int, relations: int) -> Extraction:
    """One half-year summary with about ``relations`` facts, shaped like the real ones."""
    year = 2019 + index % 6
    zone = _skewed(rng, pools.zones)
    agency = rng.choice(pools.agencies)
    r = _ReportBuilder(f"/reports/synthetic/{index:06d}.txt", f"{zone}{agency}{year}年上半年工作总结", year)
    z = r.ent(zone, "Zone", [zone[:2] + "区"] if rng.random() < 0.2 else [])
    a = r.ent(agency, "Agency")
    period = Period(text=f"{year}年", start=f"{year}-01-01", end=f"{year}-12-31")
    while len(r.relations) < relations:
        roll = rng.random()
        if roll < 0.40:  # 入选 第三批重点“小巨人”
            company = _skewed(rng, pools.companies)
            policy = _skewed(rng, pools.policies)
            action = rng.choice(_ACTIONS)
            r.rel(
                r.ent(company, "Company", [company[:4]] if rng.random() < 0.3 else []),
                "PARTICIPATES_IN",
                r.ent(policy, "Policy"),
                f"{company}{action}{policy}",
                action=action,
                period=period,
            )
        elif roll < 0.60:
            project = _skewed(rng, pools.projects)
            r.rel(r.ent(project, "Project"), "LOCATED_IN", z, f"{project}位于{zone}")
        elif roll < 0.72:
            project = _skewed(rng, pools.projects)
            fund = _skewed(rng, pools.funding)
            yi = round(rng.uniform(0.05, 5.0), 2)
            masked = rng.random() < 0.1
            amount = Amount(
                text="*亿元" if masked else f"{yi}亿元", value=None if masked else yi * 1e8, masked=masked
            )
            r.rel(
                r.ent(project, "Project", [project + "项目"] if rng.random() < 0.3 else []),
                "FUNDED_BY",
                r.ent(fund, "Funding"),
                f"组织{project}申报{year}年{fund}，成功申报{amount.text}资金额度",
                amount=amount,
                period=period,
                agency=agency,
            )
        elif roll < 0.84:
            company = _skewed(rng, pools.companies)
            project = _skewed(rng, pools.projects)
            wan = rng.randint(500, 90000)
            r.rel(
                r.ent(company, "Company"),
                "INVESTS_IN",
                r.ent(project, "Project"),
                f"{company}投资{wan}万元建设{project}",
                amount=Amount(text=f"{wan}万元", value=wan * 1e4),
                period=period,
            )
        elif roll < 0.94:
            policy = _skewed(rng, pools.policies)
            r.rel(r.ent(policy, "Policy"), "ISSUED_BY", a, f"{agency}印发{policy}", period=period)
        else:
            company = _skewed(rng, pools.companies)
            r.rel(r.ent(company, "Company"), "LOCATED_IN", z, f"{company}落户{zone}")
    return r.build()


def make_corpus(total_relations: int, per_report: int = 50, seed: int = 7) -> tuple[list[Extraction], Pools]:
    rng = random.Random(seed)
    reports = max(1, total_relations // per_report)
    pools = make_pools(rng, reports)
    corpus = [make_report(rng, pools, i, per_report) for i in range(reports)]
    return corpus, pools


# -- measuring -------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Result:
    backend: str
    relations: int = 0
    documents: int = 0
    ingest_s: float = 0.0
    #: each timed bulk ingest of the corpus into an empty store (embedded: ``--rounds``); ingest_s: the best
    ingest_rounds: list[float] = field(default_factory=list)
    #: this process's CPU seconds in each of those rounds: wall time well above it means other work
    #: had the cores; CPU time itself up from one run to another means the cores ran slower
    ingest_cpu: list[float] = field(default_factory=list)
    one_report_s: list[float] = field(default_factory=list)
    two_hop_ms: list[float] = field(default_factory=list)
    two_hop_nodes: list[int] = field(default_factory=list)
    baseline_label: str = ""
    baseline_value: float = 0.0  # rel/s for neo4j, seconds per report for embedded
    stats: dict[str, object] = field(default_factory=dict)
    #: embedded only: opening the store from its snapshot vs replaying every segment (best of 3), and
    #: how long saving the snapshot takes (part of the ingest time above)
    open_s: float = 0.0
    replay_s: float = 0.0
    snapshot_save_s: float = 0.0

    @property
    def rate(self) -> float:
        return self.relations / self.ingest_s if self.ingest_s else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    idx = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[idx]


def run_backend(
    name: str,
    store: GraphStore,
    corpus: list[Extraction],
    extra: list[Extraction],
    queries: int,
    seed: int,
    rounds: Sequence[tuple[float, float]] = (),
) -> Result:
    result = Result(backend=name, ingest_rounds=[w for w, _ in rounds], ingest_cpu=[c for _, c in rounds])
    print(f"[{name}] ingesting {len(corpus)} reports …", flush=True)
    t0, c0 = time.perf_counter(), time.process_time()
    results = store.ingest_many(corpus)
    result.ingest_rounds.append(time.perf_counter() - t0)
    result.ingest_cpu.append(time.process_time() - c0)
    result.ingest_s = min(result.ingest_rounds)
    result.relations = sum(r.facts_added for r in results)
    result.documents = sum(1 for r in results if r.status != "unchanged")
    print(f"[{name}] {result.relations} relations in {result.ingest_s:.1f} s", flush=True)

    for ex in extra:
        t0 = time.perf_counter()
        store.ingest(ex)
        result.one_report_s.append(time.perf_counter() - t0)

    rng = random.Random(seed)
    keys = sorted(n.key for n in store.iter_nodes())
    sample = [rng.choice(keys) for _ in range(queries)]
    for key in sample[:10]:  # warm caches and the JIT before timing
        store.neighbors(key, depth=2)
    for key in sample:
        t0 = time.perf_counter()
        sub = store.neighbors(key, depth=2)
        result.two_hop_ms.append((time.perf_counter() - t0) * 1000)
        result.two_hop_nodes.append(len(sub.nodes) + sum(sub.omitted.values()))
    result.stats = store.stats().to_json()
    return result


def neo4j_baseline(store: GraphStore, corpus: list[Extraction], facts: int) -> float:
    """The naive way: one auto-committed MERGE per fact (ends merged too), as a rate in facts/s."""
    from graph import cypher
    from graph.ingest import prepare
    from graph.neo4j_store import Neo4jStore

    assert isinstance(store, Neo4jStore)
    store.wipe()
    rows: list[tuple[str, str, str, str, str, str]] = []
    for ex in corpus:
        doc = prepare(ex)
        types = {n.key: n.type for n in doc.nodes}
        for f in doc.facts:
            rows.append((types[f.subject], f.subject, f.predicate, types[f.object], f.object, f.id))
        if len(rows) >= facts:
            break
    rows = rows[:facts]
    t0 = time.perf_counter()
    for _, s, p, _, o, fid in rows:
        # the relationship type is checked against the vocabulary; values are parameters
        store._read(
            "MERGE (a:Entity {key: $s}) MERGE (b:Entity {key: $o}) "
            f"MERGE (a)-[e:{cypher.rel_type(p)} {{fact_id: $f}}]->(b)",
            s=s,
            o=o,
            f=fid,
        )
    elapsed = time.perf_counter() - t0
    store.wipe()
    return len(rows) / elapsed


def embedded_baseline(store: GraphStore, folder: Path) -> float:
    """Rewriting the whole graph (nodes and facts as JSON, fsynced): seconds per added report."""
    t0 = time.perf_counter()
    out = folder / "full-rewrite.json"
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(
            {
                "nodes": [n.to_json() for n in store.iter_nodes()],
                "facts": [f.to_json() for f in store.iter_facts()],
            },
            fh,
            ensure_ascii=False,
        )
        fh.flush()
        os.fsync(fh.fileno())
    elapsed = time.perf_counter() - t0
    out.unlink()
    return elapsed


def measure_open(result: Result, folder: Path, rounds: int = 3) -> None:
    """Open times of the store as ``kg serve`` opens it, from the snapshot and by replaying segments."""
    import gc

    from graph import snapshot
    from graph.embedded import EmbeddedStore

    def best(use_snapshot: bool) -> float:
        times = []
        for _ in range(rounds):
            gc.collect()
            t0 = time.perf_counter()
            store = EmbeddedStore(folder, readonly=True, use_snapshot=use_snapshot)
            times.append(time.perf_counter() - t0)
            assert store.stats().to_json() == result.stats, "the two ways of opening disagree"
            store.close()
            del store
        return min(times)

    result.open_s = best(True)
    result.replay_s = best(False)
    with EmbeddedStore(folder, readonly=True) as store:
        t0 = time.perf_counter()
        snapshot.write(folder, store._mem, store._manifest)
        result.snapshot_save_s = time.perf_counter() - t0


# -- report --------------------------------------------------------------------------------------------------


def ok(flag: bool) -> str:
    return "ok" if flag else "MISSED"


def print_summary(results: list[Result]) -> None:
    print()
    print(
        "| backend | relations | docs | ingest rel/s | target | ratio | one report (median / max) | target | "
        "2-hop p50 | 2-hop p99 | target | nodes reached (median / max) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        target = TARGET_NEO4J_RATE if r.backend == "neo4j" else TARGET_EMBEDDED_RATE
        one_med = statistics.median(r.one_report_s) if r.one_report_s else float("nan")
        one_max = max(r.one_report_s) if r.one_report_s else float("nan")
        p50, p99 = percentile(r.two_hop_ms, 50), percentile(r.two_hop_ms, 99)
        print(
            f"| {r.backend} | {r.relations:,} | {r.documents:,} | {r.rate:,.0f} | ≥{target:,} | "
            f"{r.rate / target:.2f}× {ok(r.rate >= target)} | "
            f"{one_med * 1000:.0f} ms / {one_max * 1000:.0f} ms | "
            f"<{TARGET_ONE_REPORT_S:.0f} s {ok(one_max < TARGET_ONE_REPORT_S)} | "
            f"{p50:.1f} ms | {p99:.1f} ms | "
            f"<{TARGET_P99_MS:.0f} ms {ok(p99 < TARGET_P99_MS)} | "
            f"{statistics.median(r.two_hop_nodes):.0f} / {max(r.two_hop_nodes)} |"
        )
    print()
    for r in results:
        if r.backend == "neo4j" and r.baseline_value:
            print(
                f"neo4j baseline ({r.baseline_label}): {r.baseline_value:,.0f} rel/s; "
                f"batched ingest is {r.rate / r.baseline_value:.1f}× faster"
            )
        if r.backend == "embedded" and r.baseline_value:
            one_med = statistics.median(r.one_report_s)
            print(
                f"embedded baseline ({r.baseline_label}): {r.baseline_value * 1000:.0f} ms per report; "
                f"adding one report to segments is {r.baseline_value / one_med:.1f}× faster"
            )
    for r in results:
        if len(r.ingest_rounds) > 1:
            each = ", ".join(f"{r.relations / t:,.0f}" for t in r.ingest_rounds)
            print(
                f"{r.backend} ingest rel/s per round ({each}): the best is reported, since the other rounds "
                "only add what other work on this machine took"
            )
        if r.ingest_cpu:
            walls = zip(r.ingest_rounds, r.ingest_cpu, strict=True)
            pairs = ", ".join(f"{w:.2f} / {c:.2f}" for w, c in walls)
            print(
                f"{r.backend} ingest wall / CPU s of this process per round ({pairs}); the CPU includes "
                "the client's side only (for Neo4j, not the server's)"
            )
    for r in results:
        if r.backend == "embedded" and r.open_s:
            print(
                f"embedded open at {r.relations:,} relations: {r.open_s:.2f} s from the snapshot "
                f"(target <{TARGET_OPEN_S:.0f} s {ok(r.open_s < TARGET_OPEN_S)}) vs {r.replay_s:.2f} s "
                f"replaying the segments (as before snapshots): {r.replay_s / r.open_s:.1f}× faster; "
                f"saving the snapshot takes {r.snapshot_save_s:.2f} s (once per write call past "
                f"{SNAPSHOT_TAIL:,} facts, and on close)"
            )
    for r in results:
        print(f"{r.backend} stats: {json.dumps(r.stats, ensure_ascii=False)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--relations", type=int, default=200_000, help="size of the generated corpus")
    parser.add_argument("--per-report", type=int, default=50, help="relations per generated report")
    parser.add_argument("--backends", default="embedded,neo4j", help="comma-separated: embedded, neo4j")
    parser.add_argument("--queries", type=int, default=300, help="2-hop queries to time")
    parser.add_argument("--baseline-facts", type=int, default=1_000, help="facts written the naive way")
    parser.add_argument(
        "--bolt-uri",
        default=os.environ.get("KG_TEST_BOLT_URI", "bolt://127.0.0.1:7687"),
        help="Neo4j / ArcadeDB",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--rounds", type=int, default=3,
        help="embedded: bulk ingests of the corpus into an empty store; the best is reported (as timeit)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(backends) - {"embedded", "neo4j"}
    if unknown:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")

    t0 = time.perf_counter()
    corpus, pools = make_corpus(args.relations, args.per_report, args.seed)
    rng = random.Random(args.seed + 1)
    extra = [make_report(rng, pools, len(corpus) + i, args.per_report) for i in range(5)]
    n_rel = sum(len(e.relations) for e in corpus)
    print(
        f"corpus: {len(corpus)} reports, {n_rel:,} relations, generated in {time.perf_counter() - t0:.1f} s"
    )

    results: list[Result] = []
    for backend in backends:
        if backend == "embedded":
            from graph.embedded import EmbeddedStore

            # The earlier rounds only time the bulk ingest; the last one goes on to the other figures.
            rounds: list[tuple[float, float]] = []
            for _ in range(args.rounds - 1):
                with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
                    store = EmbeddedStore(Path(tmp) / "kg-data")
                    t0, c0 = time.perf_counter(), time.process_time()
                    store.ingest_many(corpus)
                    rounds.append((time.perf_counter() - t0, time.process_time() - c0))
                    store.close()
            with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
                store = EmbeddedStore(Path(tmp) / "kg-data")
                res = run_backend("embedded", store, corpus, extra, args.queries, args.seed, rounds)
                res.baseline_label = "rewrite the whole graph per report"
                res.baseline_value = embedded_baseline(store, Path(tmp))
                store.close()
                measure_open(res, Path(tmp) / "kg-data")
        else:
            from graph.errors import StoreError
            from graph.neo4j_store import Neo4jStore

            neo: GraphStore = Neo4jStore(
                args.bolt_uri,
                user=os.environ.get("KG_NEO4J_USER", "root"),
                password=os.environ.get("KG_NEO4J_PASSWORD", "policykg-dev"),
                database=os.environ.get("KG_NEO4J_DATABASE", "neo4j"),
            )
            try:
                res = Result(backend="neo4j")
                res.baseline_label = f"one auto-committed MERGE per fact, {args.baseline_facts} facts"
                res.baseline_value = neo4j_baseline(neo, corpus, args.baseline_facts)
                measured = run_backend("neo4j", neo, corpus, extra, args.queries, args.seed)
                measured.baseline_label, measured.baseline_value = res.baseline_label, res.baseline_value
                res = measured
            except StoreError as exc:
                print(f"bench/store.py: neo4j: {exc}", file=sys.stderr)
                return 2
            finally:
                neo.close()
        results.append(res)
    print_summary(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
