"""A real worker process for the job-recovery tests (tests/review/job_worker.py), on the
test database, and a TCP proxy that can take "the database" away the way a restart does."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url(*, host: str | None = None, port: int | None = None, **query: str) -> str:
    """DATABASE_URL of the test database (pytest-django renamed it in settings_dict)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    url = (
        f"postgres://{quote(db['USER'], safe='')}:{quote(db['PASSWORD'] or '', safe='')}"
        f"@{host or db['HOST'] or '127.0.0.1'}:{port or db['PORT'] or 5432}/{db['NAME']}"
    )
    if query:
        url += "?" + "&".join(f"{k}={quote(v)}" for k, v in query.items())
    return url


def wait_for(predicate: Callable[[], object], *, timeout: float = 60, what: str = "") -> object:
    """Poll until `predicate()` is truthy (the machine is shared and slow: be patient)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        time.sleep(0.2)


class WorkerProcess:
    """`python -m tests.review.job_worker …` with its own system temp folder (TMPDIR), so
    a test can see every temporary file it leaves outside the private folder."""

    def __init__(self, var_dir: Path, *args: str, url: str | None = None, **env: str) -> None:
        self.system_tmp = var_dir / "system-tmp"
        self.system_tmp.mkdir(parents=True, exist_ok=True)
        self.log_path = var_dir / f"worker-{time.monotonic_ns()}.log"
        environment = {
            **os.environ,
            "DATABASE_URL": url or database_url(),
            "HBWSRC_VAR_DIR": str(var_dir),
            "TMPDIR": str(self.system_tmp),
            "DJANGO_DEBUG": "0",
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        command = [sys.executable, "-m", "tests.review.job_worker", "--interval", "0.3"]
        command += ["--no-startup-delay", *args]
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=self._log, stderr=subprocess.STDOUT
        )

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no handler, no finally, no cleanup (what the OOM killer does)."""
        if self.alive():
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def wait(self, timeout: float = 120) -> int:
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
            self.kill()
        self._log.close()


class DatabaseProxy:
    """127.0.0.1:<port> → the PostgreSQL server. `outage(seconds)` does to its clients what
    a server restart does: every open connection is cut, new ones are refused, then the
    server is back on the same address."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._serve()

    def _serve(self) -> None:
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed: the outage
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            self._cut(source, sink)

    def _cut(self, *sockets: socket.socket) -> None:
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()
            with self._lock:
                self._open.discard(sock)

    def outage(self, seconds: float) -> None:
        self._listener.close()
        with self._lock:
            sockets = list(self._open)
        self._cut(*sockets)
        time.sleep(seconds)
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._serve()

    def close(self) -> None:
        self._listener.close()
        with self._lock:
            sockets = list(self._open)
        self._cut(*sockets)
