"""Benchmark: API latency under 20 concurrent clients over a 100,000-entity / 300,000-relation embedded store.

1. Generates reports shaped like the real ones (projects funded by 专项债 …
   with amounts, periods and agencies; projects and companies in zones;
   companies investing in projects and 入选/申报 policy lists; policies issued
   by agencies; funding restated by a later report) and ingests them into a
   fresh embedded store.
2. Serves the store with ``kg serve`` (a real uvicorn) in a child process.
3. A second process loads it: ``wrk`` (Debian: ``apt-get install wrk``), 20
   connections on 2 threads for ``--seconds`` per endpoint, rotating through
   realistic query strings with a Lua script whose ``done()`` hook prints the
   exact percentiles.  wrk is C and leaves the server most of a core; the
   httpx fallback (used only when wrk is missing) burns a core of its own and
   inflates every figure.  p50/p99 latency and requests/s are printed per
   endpoint, next to ``/healthz`` measured the same way in the same run as the
   baseline (the cost of HTTP, routing and JSON alone).  Target: p99 < 100 ms.

    .venv/bin/python bench/api.py [--docs 1000] [--seconds 15] [--workers 1 2] [--store DIR] [--httpx]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402

from extract.model import Amount, DocInfo, Entity, Extraction, Period, Relation  # noqa: E402
from graph.store import open_store  # noqa: E402

TARGET_P99_MS = 100.0

PLACES = [
    "宁波",
    "高新",
    "云栖",
    "星澜",
    "望春",
    "松岩",
    "前湾",
    "江北",
    "鄞州",
    "镇海",
    "北仑",
    "慈溪",
    "大东江",
    "文胜湖",
]
PROJECT_STEMS = ["产业园", "软件谷", "创新中心", "超算中心", "卫生服务中心", "智造基地", "科创园", "数字港"]
COMPANY_STEMS = ["电子", "生物", "科技", "新材料", "智能装备", "集团", "精密", "医疗"]
INSTRUMENTS = ["专项债", "中央预算内投资", "产业发展引导资金", "奖励资金", "消费券", "招商基金",
               "技改补助", "省级专项资金", "市级专项资金", "人才资金", "贴息资金", "引导基金"]  # fmt: skip
AGENCY_STEMS = ["经发局", "经信局", "发改委", "财政局", "管委会", "应急管理局", "科技局", "商务局"]
ZONE_STEMS = ["高新区", "工业园区", "街道", "片区", "新区", "开发区"]
POLICY_STEMS = [
    "专精特新“小巨人”名单",
    "重点工程建设计划",
    "纳税50强企业",
    "若干政策",
    "隐形冠军",
    "自愿清洁生产企业",
]
ACTIONS = ["入选", "申报", "获评", "兑现"]

PROJECTS_PER_DOC = 66
COMPANIES_PER_DOC = 39


@dataclass(slots=True)
class Pools:
    """Names shared across reports (zones, agencies, policies, instruments) so reports meet in the graph."""

    zones: list[str]
    agencies: list[str]
    policies: list[str]


def pools(rnd: random.Random) -> Pools:
    zones = [f"{p}{s}{i}" for i in range(90) for p, s in [(rnd.choice(PLACES), rnd.choice(ZONE_STEMS))]]
    agencies = [f"{p}{s}{i}" for i in range(40) for p, s in [(rnd.choice(PLACES), rnd.choice(AGENCY_STEMS))]]
    policies = [f"第{i}批{rnd.choice(POLICY_STEMS)}" for i in range(1, 1501)]
    return Pools(sorted(set(zones)), sorted(set(agencies)), policies)


class DocBuilder:
    """One synthetic report: entity ids by (type, name), distinct spans, evidence sentences."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.entities: dict[tuple[str, str], Entity] = {}
        self.relations: list[Relation] = []
        self.cursor = 0

    def ent(self, type_: str, name: str) -> str:
        key = (type_, name)
        if key not in self.entities:
            span = (self.cursor, self.cursor + len(name))
            self.cursor += len(name) + 3
            self.entities[key] = Entity(
                id=f"e{len(self.entities) + 1}", name=name, type=type_, mentions=[span]
            )  # type: ignore[arg-type]
        return self.entities[key].id

    def rel(self, s: str, p: str, o: str, evidence: str, **qualifiers: object) -> None:
        span = (self.cursor, self.cursor + len(evidence))
        self.cursor += len(evidence) + 1
        self.relations.append(
            Relation(subject=s, predicate=p, object=o, evidence=evidence, span=span, **qualifiers)
        )  # type: ignore[arg-type]

    def build(self, year: int) -> Extraction:
        doc_id = f"bench_{self.index:05d}"
        doc = DocInfo(
            id=doc_id,
            path=f"/bench/{doc_id}.txt",
            title=f"高新区经发局{year}年上半年工作总结（{self.index}）",
            date=f"{year}-07-15",
            issuer="经济发展局",
            period=Period(f"{year}年上半年", f"{year}-01-01", f"{year}-06-30"),
        )
        return Extraction(doc=doc, entities=list(self.entities.values()), relations=self.relations)


def amount(rnd: random.Random) -> Amount:
    if rnd.random() < 0.08:
        return Amount(text="*亿元", value=None, masked=True)
    yi = rnd.choice([0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 5.0])
    return Amount(text=f"{yi:g}亿元", value=yi * 1e8)


def report(
    index: int, rnd: random.Random, p: Pools, previous: list[tuple[str, Amount, Period, str]]
) -> Extraction:
    """~100 new entities and ~300 relations, like a half-year summary of a busy zone."""
    year = 2019 + index % 6
    d = DocBuilder(index)
    home = rnd.choice(p.zones)
    parent = p.zones[(p.zones.index(home) * 7 + 3) % len(p.zones)]
    z = d.ent("Zone", home)
    if parent != home:
        d.rel(z, "LOCATED_IN", d.ent("Zone", parent), f"{home}隶属{parent}")
    projects = []
    for j in range(PROJECTS_PER_DOC):
        name = f"{rnd.choice(PLACES)}{rnd.choice(PROJECT_STEMS)}{index:04d}{j:02d}"
        pid = d.ent("Project", name)
        projects.append(pid)
        instrument = rnd.choice(INSTRUMENTS)
        money = amount(rnd)
        period = Period(f"{year}年", f"{year}-01-01", f"{year}-12-31")
        agency = rnd.choice(p.agencies)
        d.rel(
            pid,
            "FUNDED_BY",
            d.ent("Funding", instrument),
            f"组织{name}申报{year}年第二批{instrument},成功申报{money.text}资金额度",
            amount=money,
            period=period,
            agency=agency,
        )
        if j % 22 == 0:
            previous.append((name, money, period, instrument))
        d.rel(pid, "LOCATED_IN", z, f"在{home}谋划了{name}等载体")
    # a later report restates a few earlier funding facts word for word
    for name, money, period, instrument in previous[-3:] if index % 5 == 4 else []:
        pid = d.ent("Project", name)
        d.rel(
            pid,
            "FUNDED_BY",
            d.ent("Funding", instrument),
            f"{name}获{instrument}{money.text}",
            amount=money,
            period=period,
        )
    for j in range(COMPANIES_PER_DOC):
        name = f"{rnd.choice(PLACES)}{rnd.choice(COMPANY_STEMS)}{index:04d}{j:02d}"
        cid = d.ent("Company", name)
        target = rnd.choice(projects)
        d.rel(cid, "INVESTS_IN", target, f"{name}投资建设项目", amount=amount(rnd))
        d.rel(cid, "LOCATED_IN", z, f"{name}落户{home}")
        for _ in range(2):
            policy = rnd.choice(p.policies)
            action = rnd.choice(ACTIONS)
            d.rel(
                cid,
                "PARTICIPATES_IN",
                d.ent("Policy", policy),
                f"{year}年上半年{name}等企业{action}{policy}",
                action=action,
                period=Period(f"{year}年上半年", f"{year}-01-01", f"{year}-06-30"),
            )
    for policy_id, name in [(e.id, e.name) for e in d.entities.values() if e.type == "Policy"][:12]:
        agency = p.agencies[hash(name) % len(p.agencies)]
        d.rel(policy_id, "ISSUED_BY", d.ent("Agency", agency), f"{agency}发布{name}")
    return d.build(year)


def generate(store_dir: Path, docs: int, seed: int) -> tuple[float, dict[str, int], int]:
    rnd = random.Random(seed)
    p = pools(rnd)
    previous: list[tuple[str, Amount, Period, str]] = []
    store = open_store(str(store_dir))
    t0 = time.perf_counter()
    try:
        store.ingest_many(report(i, rnd, p, previous) for i in range(docs))
        stats = store.stats()
    finally:
        store.close()
    return time.perf_counter() - t0, stats.entities, sum(stats.relations.values())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(store_dir: Path, port: int, workers: int = 1) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("KG_API_TOKEN", None)
    cmd = [sys.executable, "-m", "api.cli", "serve", "--store", str(store_dir), "--port", str(port),
           "--workers", str(workers)]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"bench: kg serve exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=60).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("bench: kg serve did not answer within 300 s")


@dataclass(slots=True)
class Result:
    """One endpoint's figures, in milliseconds and requests per second."""

    name: str
    p50: float
    p99: float
    rps: float
    requests: int
    errors: int


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


async def _httpx_load(
    client: httpx.AsyncClient, urls: list[str], clients: int
) -> tuple[list[float], int, float]:
    """``clients`` workers share the URL list; each request's latency is timed on the client."""
    latencies: list[float] = []
    errors = 0
    queue = iter(urls)

    async def worker() -> None:
        nonlocal errors
        for url in queue:
            t0 = time.perf_counter()
            resp = await client.get(url)
            await resp.aread()
            latencies.append((time.perf_counter() - t0) * 1000)
            if resp.status_code != 200:
                errors += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies, errors, time.perf_counter() - t0


async def _httpx_all(base: str, urls: dict[str, list[str]], clients: int, requests: int) -> list[Result]:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    out: list[Result] = []
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        for name, batch in urls.items():
            await _httpx_load(client, batch[: clients * 3], clients)  # warm-up: connections and caches
            timed = (batch * (requests // len(batch) + 1))[:requests]
            lat, errors, seconds = await _httpx_load(client, timed, clients)
            out.append(Result(name, _pct(lat, 0.5), _pct(lat, 0.99), len(lat) / seconds, len(lat), errors))
    return out


def run_httpx(base: str, urls: dict[str, list[str]], clients: int, requests: int) -> list[Result]:
    """The fallback load generator: asyncio + httpx in this process, ``requests`` per endpoint."""
    return asyncio.run(_httpx_all(base, urls, clients, requests))


#: Each wrk thread walks the URL file from its own offset; done() prints exact percentiles (µs).
WRK_SCRIPT = r"""
local paths = {}
local pos = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("start", threads * 7919)
end

function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  pos = (start or 0) % #paths
end

function request()
  pos = pos % #paths + 1
  return wrk.format("GET", paths[pos])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK_RESULT %d %d %d %d %d %d %d\n",
    latency:percentile(50), latency:percentile(99), latency.max, summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def run_wrk(
    wrk: str, base: str, urls: dict[str, list[str]], clients: int, threads: int, seconds: int
) -> list[Result]:
    """wrk per endpoint: a short warm-up run, then ``seconds`` measured; non-2xx answers count as errors."""
    out: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="kg-bench-wrk-") as tmp:
        script = Path(tmp) / "rotate.lua"
        script.write_text(WRK_SCRIPT, encoding="utf-8")
        for i, (name, batch) in enumerate(urls.items()):
            url_file = Path(tmp) / f"urls-{i}.txt"
            url_file.write_text("\n".join(batch) + "\n", encoding="utf-8")
            for duration in (max(2, seconds // 5), seconds):  # the first run warms connections and caches
                cmd = [wrk, f"-t{threads}", f"-c{clients}", f"-d{duration}s", "--timeout", "10s",
                       "-s", str(script), base, "--", str(url_file)]  # fmt: skip
                proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            line = next((x for x in proc.stdout.splitlines() if x.startswith("WRK_RESULT ")), None)
            if proc.returncode != 0 or line is None:
                raise SystemExit(f"bench: wrk failed on {name}: {proc.stderr.strip() or proc.stdout.strip()}")
            p50, p99, _max, requests, duration_us, socket_errors, status_errors = map(int, line.split()[1:])
            out.append(Result(name, p50 / 1000, p99 / 1000, requests / (duration_us / 1e6), requests,
                              socket_errors + status_errors))  # fmt: skip
    return out


def workloads(base: str, requests: int, seed: int) -> dict[str, list[str]]:
    """URLs per endpoint, with parameters drawn from what is really in the served store."""
    rnd = random.Random(seed)
    with httpx.Client(base_url=base, timeout=60) as c:
        projects = [
            i["key"]
            for i in c.get("/api/entities", params={"type": "Project", "q": "产业园", "limit": 1000}).json()[
                "items"
            ]
        ]
    from urllib.parse import quote, urlencode

    queries = [f"{rnd.choice(PLACES)}{rnd.choice(PROJECT_STEMS + COMPANY_STEMS)}" for _ in range(200)] + [
        "小巨人",
        "云栖",
        "专项",
    ]
    return {
        "/healthz (baseline)": ["/healthz"] * requests,
        "/api/funding?instrument=": [
            "/api/funding?" + urlencode({"instrument": rnd.choice(INSTRUMENTS), "limit": 20})
            for _ in range(requests)
        ],
        "/api/entities?q=": [
            "/api/entities?" + urlencode({"q": rnd.choice(queries)}) for _ in range(requests)
        ],
        "/neighbors depth=2": [
            f"/api/entities/{quote(rnd.choice(projects), safe='')}/neighbors?depth=2" for _ in range(requests)
        ],
    }


def measure(store_dir: Path, workers: int, wrk: str | None, args: argparse.Namespace) -> bool:
    """Serve the store with ``kg serve --workers N`` and load every endpoint; True if every target is met."""
    port = free_port()
    t0 = time.perf_counter()
    server = start_server(store_dir, port, workers)
    print(f"\nkg serve --workers {workers} answered after {time.perf_counter() - t0:.1f} s (store loaded)")
    base = f"http://127.0.0.1:{port}"
    try:
        urls = workloads(base, args.requests, args.seed)
        if wrk:
            version = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
            name = (version.stdout or version.stderr).splitlines()[0].strip()
            print(
                f"load generator: {name}; {args.clients} connections, {args.threads} threads, "
                f"{args.seconds} s per endpoint"
            )
            results = run_wrk(wrk, base, urls, args.clients, args.threads, args.seconds)
        else:
            print("load generator: httpx in one Python process (wrk not found: apt-get install wrk); "
                  f"{args.clients} clients, {args.requests} requests per endpoint. "
                  "It uses most of a core itself, so every figure is inflated.")  # fmt: skip
            results = run_httpx(base, urls, args.clients, args.requests)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    base_p99 = results[0].p99
    print(
        f"{args.clients} concurrent clients, {workers} server process(es), "
        f"target p99 < {TARGET_P99_MS:.0f} ms"
    )
    print(f"{'endpoint':28} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8} {'p99/base':>9} {'errors':>7}  verdict")
    met = True
    for r in results:
        ok = r.p99 < TARGET_P99_MS and r.errors == 0
        met &= ok
        print(
            f"{r.name:28} {r.p50:8.1f} {r.p99:8.1f} {r.rps:8.0f} "
            f"{r.p99 / base_p99:9.1f} {r.errors:7d}  {'ok' if ok else 'MISS'}"
        )
    return met


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--docs", type=int, default=1000, help="synthetic reports (~100 entities, ~300 relations each)"
    )
    ap.add_argument("--seconds", type=int, default=15, help="wrk: measured seconds per endpoint")
    ap.add_argument("--threads", type=int, default=2, help="wrk: threads")
    ap.add_argument("--requests", type=int, default=2000, help="httpx fallback: requests per endpoint")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument(
        "--httpx", action="store_true", help="use the httpx load generator even if wrk is installed"
    )
    ap.add_argument("--store", type=Path, help="reuse (or create) the store here instead of a temporary one")
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[1, 2],
        help="kg serve --workers values to measure, one run each (default: 1 2)",
    )
    args = ap.parse_args()

    wrk = None if args.httpx else shutil.which("wrk")
    tmp = None
    store_dir = args.store
    if store_dir is None:
        tmp = tempfile.mkdtemp(prefix="kg-bench-api-")
        store_dir = Path(tmp) / "kg-data"
    try:
        if not store_dir.exists() or not any(store_dir.iterdir()):
            seconds, entities, relations = generate(store_dir, args.docs, args.seed)
            print(f"generated {args.docs} reports: {sum(entities.values()):,} entities {entities}, "
                  f"{relations:,} relations, ingested in {seconds:.1f} s")  # fmt: skip
        failed = False
        for workers in args.workers:
            failed |= not measure(store_dir, workers, wrk, args)
        sys.exit(1 if failed else 0)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
