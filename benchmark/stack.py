"""The stack as deployed: a fresh database, the action server and `rasa run` with the WhatsApp
channel and a SQL tracker store; and the peak memory and the CPU time of each process while it
runs."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from benchmark.fake_graph import ACCESS_TOKEN

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
APP_SECRET = "bench-secret"
PHONE_NUMBER_ID = "100000000000001"
DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/nagarik_bench"
THREADED_SQL_STORE = "stores.sql.ThreadedSQLTrackerStore"


@dataclass(frozen=True)
class Setup:
    """One configuration under test: a trained model and how its servers are run."""

    name: str
    model: Path
    sanic_workers: int = 1
    action_workers: int = 1
    # Several Sanic workers need a lock store they share; Rasa refuses them with the in-memory one.
    redis_lock_store: bool = False
    # As endpoints.yml: the domain only goes to the actions that need it (Rasa's default sends it always).
    selective_domain: bool = False
    # Rasa's `SQL` store, or a module path (Nagarik's `stores.sql.ThreadedSQLTrackerStore`); same table either way.
    tracker_store: str = "SQL"
    extra_env: Dict[str, str] = field(default_factory=dict)


def fresh_database(url: str) -> None:
    """Drops and recreates the benchmark's database (PostgreSQL) or file (SQLite), then migrates it
    and loads the sample city, as `make db-upgrade` does."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database).unlink(missing_ok=True)
    else:
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT", future=True)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
        admin.dispose()
    env = {**os.environ, "DATABASE_URL": url}
    for command in ([str(BIN / "alembic"), "upgrade", "head"], [str(BIN / "nagarik"), "city", "load"]):
        subprocess.run(command, cwd=REPO, env=env, check=True, capture_output=True)


def tracker_store_yaml(url: str, store_type: str = "SQL") -> str:
    """A SQL tracker store on the same database as the complaints (own `events` table)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f'tracker_store:\n  type: {store_type}\n  dialect: sqlite\n  db: "{parsed.database}"\n'
    return (
        f"tracker_store:\n  type: {store_type}\n  dialect: postgresql\n"
        f'  url: "{parsed.host or "127.0.0.1"}"\n  port: {parsed.port or 5432}\n'
        f'  db: "{parsed.database}"\n  username: "{parsed.username or ""}"\n  password: "{parsed.password or ""}"\n'
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, seconds: float = 60, log: Optional[Path] = None) -> None:
    """Returns once `url` answers; kills `process` and raises with the end of its log if it exits or never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.3)
    process.kill()
    tail = f"; the end of {log}:\n{log.read_text(errors='replace')[-3000:]}" if log else ""
    raise RuntimeError(f"{url} did not answer (exit code {process.poll()}){tail}")


def start_server(command: List[str], env: Dict[str, str], health: str, log: Path, seconds: float = 60) -> subprocess.Popen:
    """Starts a server in the repository, its output in `log`, and returns once `health` answers."""
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    wait_healthy(health, process, seconds, log)
    return process


def start_action_server(port: int, env: Dict[str, str], log: Path, seconds: float = 60) -> subprocess.Popen:
    """The project's action server (what `make actions` runs) on `port`, once it answers."""
    command = [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]
    return start_server(command, env, f"http://127.0.0.1:{port}/health", log, seconds)


def start_whatsapp_rasa(model: Path, endpoints: Path, port: int, env: Dict[str, str], workdir: Path,
                        seconds: float) -> subprocess.Popen:
    """`rasa run` with the WhatsApp channel on `port`, once its webhook answers; its credentials
    file and log (rasa.log) in `workdir`. The webhook is at `whatsapp_webhook(port)`."""
    credentials = workdir / "credentials.yml"
    credentials.write_text("channels.whatsapp.WhatsAppInput: {}\n", encoding="utf-8")
    return start_rasa(model, endpoints, credentials, port, env, workdir / "rasa.log", seconds,
                      f"http://127.0.0.1:{port}/webhooks/whatsapp/")


def start_rasa(model: Path, endpoints: Path, credentials: Path, port: int, env: Dict[str, str], log: Path,
               seconds: float, health: str = "") -> subprocess.Popen:
    """`rasa run` with these endpoints and channels on `port`, once `health` (default: its root) answers."""
    command = [str(BIN / "rasa"), "run", "--model", str(model), "--endpoints", str(endpoints),
               "--credentials", str(credentials), "--port", str(port)]
    return start_server(command, env, health or f"http://127.0.0.1:{port}/", log, seconds)


def whatsapp_webhook(port: int) -> str:
    return f"http://127.0.0.1:{port}/webhooks/whatsapp/webhook"


class Stack:
    """Starts the action server and `rasa run` for one setup; `stop()` ends both."""

    def __init__(self, setup: Setup, database_url: str, graph_url: str, workdir: Path) -> None:
        self.setup, self.database_url, self.graph_url = setup, database_url, graph_url
        self.workdir = workdir / setup.name
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.processes: Dict[str, subprocess.Popen] = {}
        self.webhook = ""

    def _env(self) -> Dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "NAGARIK_MEDIA_DIR": str(self.workdir / "media"),
            "WHATSAPP_VERIFY_TOKEN": "bench-verify",
            "WHATSAPP_APP_SECRET": APP_SECRET,
            "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
            "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
            "WHATSAPP_API_BASE": self.graph_url,
            "RASA_TELEMETRY_ENABLED": "false",
            "PYTHONWARNINGS": "ignore",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "SANIC_WORKERS": str(self.setup.sanic_workers),
            "ACTION_SERVER_SANIC_WORKERS": str(self.setup.action_workers),
            **self.setup.extra_env,
        }

    def _endpoints(self, action_port: int) -> Path:
        text_ = f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
        if self.setup.selective_domain:
            text_ += "  enable_selective_domain: true\n"
        text_ += tracker_store_yaml(self.database_url, self.setup.tracker_store)
        if self.setup.redis_lock_store:
            text_ += "lock_store:\n  type: redis\n  url: 127.0.0.1\n  port: 6379\n  db: 1\n"
        path = self.workdir / "endpoints.yml"
        path.write_text(text_, encoding="utf-8")
        return path

    def start(self) -> str:
        action_port, rasa_port = free_port(), free_port()
        self.processes["actions"] = start_action_server(action_port, self._env(), self.workdir / "actions.log", 90)
        self.processes["rasa"] = start_whatsapp_rasa(self.setup.model, self._endpoints(action_port), rasa_port,
                                                     self._env(), self.workdir, 300)
        self.webhook = whatsapp_webhook(rasa_port)
        return self.webhook

    def stop(self) -> None:
        stop_all(self.processes.values())


def stop_all(processes: Iterable[subprocess.Popen], seconds: float = 30) -> None:
    """Asks every process to end (SIGTERM), then kills the ones still running after `seconds`."""
    processes = list(processes)
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()


def kill(process: subprocess.Popen) -> None:
    """Ends a process without warning (SIGKILL): nothing is flushed or finished, as when a machine dies."""
    process.kill()
    process.wait(timeout=30)


def _children(pid: int) -> List[int]:
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    return found


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (Sanic workers are child processes)."""
    total_kb = 0
    for current in _descendants(pid):
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024


def _descendants(pid: int) -> List[int]:
    """The process and all its descendants (Sanic workers are child processes)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        pending += _children(current)
    return found


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user and system) that a process and its descendants have used: the living ones
    and those that have ended and been waited for (counted in their parent's)."""
    ticks = 0
    for current in _descendants(pid):
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime, stime, cutime and cstime: fields 14 to 17 of stat, counted from 1 with the pid.
        ticks += sum(int(value) for value in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


class ProcessWatch:
    """Samples each process tree's memory a few times a second and keeps the peaks; also the CPU
    time each tree used while watched."""

    def __init__(self, processes: Dict[str, subprocess.Popen], interval: float = 0.25) -> None:
        self.processes = processes
        self.interval = interval
        self.peaks_mb: Dict[str, float] = {name: 0.0 for name in processes}
        # None for a process that ended while watched: its tree's time can no longer be read.
        self.cpu_seconds: Dict[str, Optional[float]] = {name: 0.0 for name in processes}
        self._task: Optional[asyncio.Task] = None

    def sample(self) -> None:
        for name, process in self.processes.items():
            self.peaks_mb[name] = max(self.peaks_mb[name], tree_rss_mb(process.pid))

    async def _run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(self.interval)

    def __enter__(self) -> "ProcessWatch":
        self._cpu_start = {name: tree_cpu_seconds(process.pid) for name, process in self.processes.items()}
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
        self.sample()
        for name, process in self.processes.items():
            ended = process.poll() is not None
            self.cpu_seconds[name] = None if ended else tree_cpu_seconds(process.pid) - self._cpu_start[name]
