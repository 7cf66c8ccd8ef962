"""A local Bolt server for users without Neo4j: ArcadeDB from the ``db`` extra, run as a plain Java process.

The ``arcadedb-embedded`` wheel bundles the server jars (with the Bolt plugin)
and a Java 21+ runtime; the system Java is usually too old for those jars, so
we always run the bundled ``jre/bin/java``.  The server is a detached child
whose pid, ports and log live in one folder, so ``kg db stop`` and
``kg db status`` in a later shell find it again without any global state.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import StoreError

DEFAULT_DIR = ".kg-db"
DEFAULT_BOLT_PORT = 7687
DEFAULT_HTTP_PORT = 2480
DEFAULT_USER = "root"
DEFAULT_PASSWORD = "policykg-dev"
DEFAULT_DATABASE = "neo4j"
DEFAULT_HEAP = "2g"
DEFAULT_HOST = "127.0.0.1"

PID_FILE = "server.pid"
STATE_FILE = "server.json"
LOG_FILE = "server.log"

SERVER_CLASS = "com.arcadedb.server.ArcadeDBServer"
BOLT_PLUGIN = "Bolt:com.arcadedb.bolt.BoltProtocolPlugin"
#: ArcadeDB refuses a shorter root password and then waits for one on stdin forever.
MIN_PASSWORD_LENGTH = 8


class ServerError(StoreError, RuntimeError):
    """The local server could not be started, found or stopped; the message says why."""


@dataclass(frozen=True, slots=True)
class Runtime:
    """Where the bundled Java and the server jars are."""

    java: Path
    jars: Path

    @property
    def classpath(self) -> str:
        return str(self.jars / "*")


@dataclass(frozen=True, slots=True)
class ServerConfig:
    directory: Path
    bolt_port: int = DEFAULT_BOLT_PORT
    http_port: int = DEFAULT_HTTP_PORT
    password: str = DEFAULT_PASSWORD
    user: str = DEFAULT_USER
    database: str = DEFAULT_DATABASE
    host: str = DEFAULT_HOST
    heap: str = DEFAULT_HEAP

    @property
    def bolt_uri(self) -> str:
        return f"bolt://{self.host}:{self.bolt_port}"


@dataclass(frozen=True, slots=True)
class ServerState:
    """What ``start`` recorded in the folder, so later commands know the ports (never the password)."""

    pid: int
    bolt_port: int
    http_port: int
    host: str
    user: str
    database: str
    started_at: float

    @property
    def bolt_uri(self) -> str:
        return f"bolt://{self.host}:{self.bolt_port}"


@dataclass(frozen=True, slots=True)
class ServerStatus:
    directory: Path
    running: bool
    state: ServerState | None = None
    #: True when ``start`` found the server already running and did nothing
    already_running: bool = False

    @property
    def log_path(self) -> Path:
        return self.directory / LOG_FILE

    def settings(self, password_hint: str = "$KG_NEO4J_PASSWORD") -> dict[str, str]:
        """The environment that points ``kg`` and the tests at this server."""
        if self.state is None:
            return {}
        return {
            "KG_STORE": self.state.bolt_uri,
            "KG_TEST_BOLT_URI": self.state.bolt_uri,
            "KG_NEO4J_USER": self.state.user,
            "KG_NEO4J_PASSWORD": password_hint,
            "KG_NEO4J_DATABASE": self.state.database,
        }


def find_runtime() -> Runtime:
    """The bundled JRE and jars of the installed ``arcadedb-embedded`` wheel (without importing it)."""
    spec = importlib.util.find_spec("arcadedb_embedded")
    if spec is None or spec.origin is None:
        raise ServerError(
            "the local Bolt server needs the 'db' extra: pip install -e '.[db]' "
            "(arcadedb-embedded is not installed)"
        )
    package = Path(spec.origin).parent
    java = package / "jre" / "bin" / "java"
    jars = package / "jars"
    if not java.is_file() or not os.access(java, os.X_OK):
        raise ServerError(f"{java}: the bundled Java runtime is missing or not executable")
    if not any(jars.glob("arcadedb-server-*.jar")) or not any(jars.glob("arcadedb-bolt-*.jar")):
        raise ServerError(f"{jars}: the ArcadeDB server or Bolt jars are missing")
    return Runtime(java=java, jars=jars)


def server_command(runtime: Runtime, config: ServerConfig) -> list[str]:
    """The java command line; the password goes through a file, not argv, so ``ps`` does not show it."""
    root = config.directory.resolve()
    return [
        str(runtime.java),
        f"-Xmx{config.heap}",
        "--add-modules=jdk.incubator.vector",
        "-Djava.awt.headless=true",
        "-Dfile.encoding=UTF-8",
        "-Dpolyglot.engine.WarnInterpreterOnly=false",
        f"-Darcadedb.server.rootPath={root}",
        f"-Darcadedb.server.rootPasswordPath={root / 'root-password'}",
        f"-Darcadedb.server.databaseDirectory={root / 'databases'}",
        f"-Darcadedb.server.logsDirectory={root / 'log'}",
        f"-Darcadedb.server.defaultDatabases={config.database}[{config.user}]",
        f"-Darcadedb.server.plugins={BOLT_PLUGIN}",
        f"-Darcadedb.server.httpIncomingHost={config.host}",
        f"-Darcadedb.server.httpIncomingPort={config.http_port}",
        f"-Darcadedb.bolt.host={config.host}",
        f"-Darcadedb.bolt.port={config.bolt_port}",
        f"-Darcadedb.bolt.defaultDatabase={config.database}",
        "-Darcadedb.server.mode=development",
        "-cp",
        runtime.classpath,
        SERVER_CLASS,
    ]


# -- state in the folder ---------------------------------------------------------------------------------


def read_state(directory: Path) -> ServerState | None:
    path = directory / STATE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return ServerState(**data)
    except FileNotFoundError:
        return None
    except (ValueError, TypeError) as exc:
        raise ServerError(
            f"{path}: unreadable server state ({exc}); remove it if no server is running"
        ) from exc


def _write_state(directory: Path, state: ServerState) -> None:
    """Atomic: a reader never sees half a file."""
    tmp = directory / (STATE_FILE + ".tmp")
    tmp.write_text(json.dumps(asdict(state)), encoding="utf-8")
    os.replace(tmp, directory / STATE_FILE)
    tmp = directory / (PID_FILE + ".tmp")
    tmp.write_text(f"{state.pid}\n", encoding="utf-8")
    os.replace(tmp, directory / PID_FILE)


def _clear_state(directory: Path) -> None:
    for name in (STATE_FILE, PID_FILE):
        with contextlib.suppress(FileNotFoundError):
            (directory / name).unlink()


def _is_our_server(pid: int, directory: Path) -> bool:
    """The pid is alive and is an ArcadeDB server rooted in this folder (pids get reused)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return False
        return True  # no /proc: trust the pid file
    args = [a.decode("utf-8", "replace") for a in cmdline]
    root = f"-Darcadedb.server.rootPath={directory.resolve()}"
    return SERVER_CLASS in args and root in args and not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] == "Z"


def status(directory: str | Path = DEFAULT_DIR) -> ServerStatus:
    directory = Path(directory)
    state = read_state(directory)
    if state is None:
        return ServerStatus(directory=directory, running=False)
    if not _is_our_server(state.pid, directory):
        return ServerStatus(directory=directory, running=False, state=state)
    return ServerStatus(directory=directory, running=True, state=state)


# -- start / stop ------------------------------------------------------------------------------------------


def _port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def _log_tail(path: Path, lines: int = 8) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    tail = [line for line in text.splitlines() if line.strip()][-lines:]
    return "\n".join(tail)


def probe_bolt(uri: str, user: str, password: str, database: str, timeout: float = 5.0) -> str | None:
    """``None`` when ``RETURN 1`` answers over Bolt, else the reason it did not."""
    import logging

    import neo4j
    from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable

    logger = logging.getLogger("neo4j")  # no retry warnings on the user's terminal
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())
    try:
        with neo4j.GraphDatabase.driver(uri, auth=(user, password), connection_timeout=timeout) as driver:
            driver.verify_connectivity()  # one attempt: a probe must not sit in the driver's retry loop
            records, _, _ = driver.execute_query("RETURN 1 AS one", database_=database)
            if records and records[0]["one"] == 1:
                return None
            return "RETURN 1 gave an unexpected answer"
    except AuthError as exc:
        return f"authentication failed: {_one_line(exc.message or exc)}"
    except (ServiceUnavailable, OSError) as exc:
        return f"not answering: {_one_line(exc)}"
    except (Neo4jError, DriverError) as exc:
        return f"error: {_one_line(getattr(exc, 'message', None) or exc)}"


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def start(config: ServerConfig, timeout: float = 120.0) -> ServerStatus:
    """Start the server detached and wait until Bolt answers; a running server in the folder is left as is."""
    if len(config.password) < MIN_PASSWORD_LENGTH:
        raise ServerError(f"the root password must be at least {MIN_PASSWORD_LENGTH} characters")
    directory = config.directory
    current = status(directory)
    if current.running:
        return ServerStatus(directory=directory, running=True, state=current.state, already_running=True)
    if current.state is not None:
        _clear_state(directory)  # stale: the process is gone

    runtime = find_runtime()
    for port, what in ((config.bolt_port, "Bolt"), (config.http_port, "HTTP")):
        if _port_in_use(config.host, port):
            raise ServerError(f"{what} port {config.host}:{port} is already in use by another process")

    directory.mkdir(parents=True, exist_ok=True)
    password_file = directory / "root-password"
    fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(config.password)
    log_path = directory / LOG_FILE
    with open(log_path, "ab") as log:
        log.write(f"\n--- kg db start {time.strftime('%Y-%m-%d %H:%M:%S')} ---\n".encode())
        log.flush()
        proc = subprocess.Popen(
            server_command(runtime, config),
            cwd=directory,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )
    state = ServerState(
        pid=proc.pid,
        bolt_port=config.bolt_port,
        http_port=config.http_port,
        host=config.host,
        user=config.user,
        database=config.database,
        started_at=time.time(),
    )
    _write_state(directory, state)

    deadline = time.monotonic() + timeout
    reason = "did not answer"
    while time.monotonic() < deadline:
        code = proc.poll()
        if code is not None:
            _clear_state(directory)
            raise ServerError(
                f"the server exited with status {code} during start-up; "
                f"see {log_path}:\n{_log_tail(log_path)}"
            )
        if _port_in_use(config.host, config.bolt_port):
            failure = probe_bolt(config.bolt_uri, config.user, config.password, config.database)
            if failure is None:
                return ServerStatus(directory=directory, running=True, state=state)
            reason = failure
            if failure.startswith("authentication failed"):
                _terminate(proc.pid, timeout=30)
                _clear_state(directory)
                raise ServerError(
                    f"{directory}: the server was created with another root password ({failure}); "
                    "start it with that password or use a new --dir"
                )
        time.sleep(0.3)
    _terminate(proc.pid, timeout=30)
    _clear_state(directory)
    raise ServerError(f"Bolt on {config.bolt_uri} {reason} within {timeout:.0f}s; see {log_path}")


def _terminate(pid: int, timeout: float) -> bool:
    """SIGTERM (ArcadeDB closes its databases in a shutdown hook), SIGKILL only if that hangs."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    return False


def _alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)  # reap it when we are its parent (tests)
        if done == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(pid)


def stop(directory: str | Path = DEFAULT_DIR, timeout: float = 60.0) -> ServerStatus:
    """Stop the server of this folder; nothing to do when none runs.  Returns the status before stopping."""
    directory = Path(directory)
    current = status(directory)
    if current.running and current.state is not None:
        clean = _terminate(current.state.pid, timeout)
        if not clean:
            with open(directory / LOG_FILE, "a", encoding="utf-8") as log:
                log.write(f"--- kg db stop: no clean shutdown within {timeout:.0f}s, killed ---\n")
    _clear_state(directory)
    return current
