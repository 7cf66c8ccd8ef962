"""Bounded input under `kg serve` (a subprocess): oversized uploads, unparsable requests, long bad parameters.

Each upload is 200 MB sent over a raw socket, the way a hostile client would: with an honest
``Content-Length``, with none (chunked), and with one that lies.  A thread samples every file the
server holds open or has written in its own ``TMPDIR`` (spooled uploads are unlinked at once, so only
``/proc/PID/fd`` shows them) and the test asserts the peak stayed near the 20 MB limit.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from api.routes.documents import MAX_UPLOAD, MULTIPART_OVERHEAD
from graph.queries import build
from graph.store import open_store

REPO = Path(__file__).resolve().parents[2]
UPLOAD = 200 * 1024 * 1024
CHUNK = 1024 * 1024
BOUNDARY = "kgboundary7e1f"
#: What a refused upload may leave on disk at its peak: the limit, and the spooled file's own slack.
DISK_BUDGET = MAX_UPLOAD + MULTIPART_OVERHEAD + 2 * CHUNK


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    url: str
    port: int
    pid: int
    tmpdir: Path


def start_serve(store: str, tmpdir: Path, *flags: str) -> tuple[subprocess.Popen[bytes], Served]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(tmpdir)}
    env.pop("KG_API_TOKEN", None)
    cmd = [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--store", store, *flags]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        try:
            if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "kg serve did not answer"
        time.sleep(0.2)
    return proc, Served(url, port, proc.pid, tmpdir)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, eval_docs: Path) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("upload-limits")
    store = open_store(str(folder / "kg-data"))
    build(store, [sorted(eval_docs.glob("*.txt"))[0]])
    store.close()
    tmpdir = folder / "tmp"
    tmpdir.mkdir()
    proc, srv = start_serve(str(folder / "kg-data"), tmpdir, "--allow-writes")
    try:
        yield srv
    finally:
        stop(proc)


@dataclass
class DiskWatch:
    """The most bytes the server process held in files under its TMPDIR, sampled every few milliseconds."""

    pid: int
    folder: Path
    peak: int = 0
    #: growth of the server's resident memory over the sampling, in bytes
    rss_growth: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def rss(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    def sample(self) -> int:
        total = 0
        fds = Path(f"/proc/{self.pid}/fd")
        prefix = str(self.folder)
        seen: set[tuple[int, int]] = set()
        for fd in fds.iterdir():
            try:
                if os.readlink(fd).startswith(prefix):
                    st = fd.stat()
                    seen.add((st.st_dev, st.st_ino))
                    total += st.st_size
            except OSError:
                continue
        for path in self.folder.rglob("*"):
            try:
                st = path.stat()
            except OSError:
                continue
            if (st.st_dev, st.st_ino) not in seen and path.is_file():
                total += st.st_size
        return total

    def run(self) -> None:
        base = self.rss()
        while not self._stop.is_set():
            self.peak = max(self.peak, self.sample())
            self.rss_growth = max(self.rss_growth, self.rss() - base)
            time.sleep(0.005)

    def __enter__(self) -> DiskWatch:
        self._thread = threading.Thread(target=self.run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def part_head(filename: str = "big.txt") -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()


TAIL = f"\r\n--{BOUNDARY}--\r\n".encode()


def send_upload(srv: Served, headers: dict[str, str], chunks: Iterator[bytes]) -> tuple[int | None, int]:
    """Send the request while watching for an answer; returns (status or None, body bytes sent)."""
    head = f"POST /api/documents HTTP/1.1\r\nHost: 127.0.0.1:{srv.port}\r\n"
    head += f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    sent = 0
    answer = b""
    with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as sock:
        sock.sendall(head.encode())
        for chunk in chunks:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.settimeout(5)
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                break  # the server stopped reading: the upload was refused
            sent += len(chunk)
        sock.settimeout(30)
        try:
            while b"\r\n" not in answer:
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
        except (ConnectionResetError, TimeoutError):
            pass
    if not answer.startswith(b"HTTP/1.1 "):
        return None, sent
    return int(answer.split(b" ", 2)[1]), sent


def body(total: int) -> Iterator[bytes]:
    yield part_head()
    block = ("经发局" * (CHUNK // 9 + 1)).encode()[:CHUNK]
    left = total
    while left > 0:
        piece = block[: min(CHUNK, left)]
        left -= len(piece)
        yield piece
    yield TAIL


def chunked(pieces: Iterator[bytes]) -> Iterator[bytes]:
    for piece in pieces:
        yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    yield b"0\r\n\r\n"


def documents(srv: Served) -> int:
    return int(httpx.get(f"{srv.url}/api/stats", timeout=30).json()["documents"])


def test_declared_oversize_is_refused_before_reading(served: Served) -> None:
    before = documents(served)
    length = len(part_head()) + UPLOAD + len(TAIL)
    with DiskWatch(served.pid, served.tmpdir) as watch:
        status, sent = send_upload(served, {"Content-Length": str(length)}, body(UPLOAD))
    print(f"declared 200 MB: {status}, {sent / 2**20:.1f} MB sent, peak on disk {watch.peak / 2**20:.1f} MB, "
          f"memory +{watch.rss_growth / 2**20:.1f} MB")  # fmt: skip
    assert status == 413
    assert watch.peak <= CHUNK, watch.peak  # nothing was spooled
    assert watch.rss_growth <= DISK_BUDGET, watch.rss_growth
    assert sent < UPLOAD
    assert documents(served) == before


def test_chunked_upload_without_length_stops_at_the_limit(served: Served) -> None:
    before = documents(served)
    with DiskWatch(served.pid, served.tmpdir) as watch:
        status, sent = send_upload(served, {"Transfer-Encoding": "chunked"}, chunked(body(UPLOAD)))
    print(f"chunked 200 MB: {status}, {sent / 2**20:.1f} MB sent, peak on disk {watch.peak / 2**20:.1f} MB, "
          f"memory +{watch.rss_growth / 2**20:.1f} MB")  # fmt: skip
    assert status == 413
    assert 0 < watch.peak <= DISK_BUDGET, watch.peak
    assert watch.rss_growth <= DISK_BUDGET, watch.rss_growth
    assert sent < UPLOAD / 2
    assert documents(served) == before


def test_lying_content_length_reads_no_further_than_it_says(served: Served) -> None:
    before = documents(served)
    claimed = 5 * 1024 * 1024  # under the limit, while 200 MB follow
    with DiskWatch(served.pid, served.tmpdir) as watch:
        status, sent = send_upload(served, {"Content-Length": str(claimed)}, body(UPLOAD))
    print(
        f"5 MB claimed, 200 MB sent: {status}, {sent / 2**20:.1f} MB sent, peak {watch.peak / 2**20:.1f} MB, "
        f"memory +{watch.rss_growth / 2**20:.1f} MB"
    )
    assert status is None or 400 <= status < 500, status
    assert watch.peak <= claimed + CHUNK, watch.peak
    assert watch.rss_growth <= DISK_BUDGET, watch.rss_growth
    assert sent < UPLOAD
    assert documents(served) == before
    assert httpx.get(f"{served.url}/healthz", timeout=30).status_code == 200  # the server is fine


def test_a_file_just_over_the_limit_is_413_and_one_under_is_read(served: Served) -> None:
    over = httpx.post(
        f"{served.url}/api/documents", files={"file": ("r.txt", b"x" * (MAX_UPLOAD + 1))}, timeout=60
    )
    assert over.status_code == 413 and "MB" in over.json()["detail"]


def test_suffixes_the_cli_refuses_are_refused(served: Served) -> None:
    before = documents(served)
    for name in ("setup.exe", "report.docx", "noext"):
        resp = httpx.post(
            f"{served.url}/api/documents",
            files={"file": (name, "宁波市经济发展局工作总结".encode())},
            timeout=60,
        )
        assert resp.status_code == 400, (name, resp.text)
        assert "unsupported file type" in resp.json()["detail"]
    assert documents(served) == before


def test_kg_serve_without_allow_writes_is_read_only(served: Served, tmp_path: Path, eval_docs: Path) -> None:
    store = open_store(str(tmp_path / "kg-data"))
    build(store, [sorted(eval_docs.glob("*.txt"))[0]])
    store.close()
    proc, srv = start_serve(str(tmp_path / "kg-data"), tmp_path)
    try:
        source = sorted(eval_docs.glob("*.txt"))[1]
        resp = httpx.post(f"{srv.url}/api/documents", files={"file": (source.name, source.read_bytes())})
        assert resp.status_code == 403 and "--allow-writes" in resp.json()["detail"]
        assert httpx.get(f"{srv.url}/api/stats", headers={"Host": "evil.example"}).status_code == 400
    finally:
        stop(proc)


def raw_exchange(srv: Served, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_requests_the_http_parser_refuses_get_json(served: Served) -> None:
    for request in (
        b"GARBAGE\r\n\r\n",
        b"GET /" + b"a" * 200_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",  # an over-long request line
    ):
        answer = raw_exchange(served, request)
        head, _, payload = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400 "), head
        assert b"content-type: application/json" in head.lower()
        assert json.loads(payload)["detail"].startswith("bad HTTP request")


def test_a_422_repeats_little_of_a_long_input(served: Served) -> None:
    resp = httpx.get(f"{served.url}/api/entities", params={"q": "经" * 5_000, "limit": 0}, timeout=30)
    assert resp.status_code == 422
    body = resp.json()
    assert set(body) == {"detail", "errors"} and isinstance(body["detail"], str)
    assert {tuple(e["loc"]) for e in body["errors"]} == {("query", "q"), ("query", "limit")}
    assert all(len(e["input"] or "") <= 80 for e in body["errors"])
    assert len(resp.content) < 2_000  # the 45 KB query is not echoed back
