"""The sessions of `manage.py loadtest` (locust runs this file; see runner.py).

Each user is one reviewer account of the plan (LOADTEST_PLAN, written by plan.py): it logs
in through /admin/login/ like a person (the form's CSRF token, then the POST), then loops
without think time over the mix (LOADTEST_MIX) of mix.py. A response other than 200 is an
error; redirects are not followed, so a session sent back to the login page counts as one.

When the last session has logged in, the measured window opens; after LOADTEST_SECONDS it
closes and the run stops. Every request is recorded (start, ms, kind, ok) and written to
LOADTEST_RECORD when locust quits, with locust's own table (LOADTEST_LOCUST_CSV); stats.py
makes the figures.
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import time
from itertools import count
from pathlib import Path

import gevent
from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser
from locust.stats import PERCENTILES_TO_REPORT, StatsCSV

from devtools.load.mix import KINDS, draw, mix_parse
from devtools.load.stats import server_cpu_seconds

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LOGIN_NAMES = ("login:form", "login:post")


class Recorder:
    def __init__(self) -> None:
        self.samples: list[tuple[float, float, str, bool]] = []
        self.sessions = int(os.environ.get("LOADTEST_SESSIONS", "1"))
        self.seconds = float(os.environ.get("LOADTEST_SECONDS", "10"))
        self.logged_in = 0
        self.login_errors = 0
        self.user_errors = 0
        self.window_start: float | None = None
        self.window_end: float | None = None
        self.cpu_warning = False
        pid = os.environ.get("LOADTEST_SERVER_PID")
        self.server_pid = int(pid) if pid else None
        self.server_cpu: list[float | None] = []  # at the window's start and end

    def on_request(self, name: str, start: float, ms: float, ok: bool) -> None:
        if name in KINDS:
            self.samples.append((start, ms, name, ok))
        elif name in LOGIN_NAMES and not ok:
            self.login_errors += 1

    def login_done(self, environment) -> None:
        self.logged_in += 1
        if self.logged_in == self.sessions:
            self._server_cpu()
            self.window_start = time.time()
            gevent.spawn_later(self.seconds, self._close, environment)

    def _server_cpu(self) -> None:
        if self.server_pid is not None:
            self.server_cpu.append(server_cpu_seconds(self.server_pid))

    def _close(self, environment) -> None:
        self.window_end = time.time()
        self._server_cpu()
        environment.runner.quit()

    def dump(self) -> None:
        if self.window_start is not None and self.window_end is None:
            self.window_end = time.time()  # stopped by locust's own time limit first
        path = os.environ.get("LOADTEST_RECORD")
        if not path:
            return
        Path(path).write_text(
            json.dumps(
                {
                    "sessions": self.sessions,
                    "logged_in": self.logged_in,
                    "login_errors": self.login_errors,
                    "user_errors": self.user_errors,
                    "window_start": self.window_start,
                    "window_end": self.window_end,
                    "cpu_warning": self.cpu_warning,
                    "server_cpu_s": (
                        self.server_cpu[1] - self.server_cpu[0]
                        if len(self.server_cpu) == 2 and None not in self.server_cpu
                        else None
                    ),
                    "samples": self.samples,
                }
            ),
            encoding="utf-8",
        )


RECORDER = Recorder()
PLAN = json.loads(Path(os.environ["LOADTEST_PLAN"]).read_text(encoding="utf-8"))
MIX = mix_parse(os.environ.get("LOADTEST_MIX", "40,40,20"))
_next_account = count()


@events.request.add_listener
def _on_request(name, response_time, exception, start_time=None, **_kwargs) -> None:
    start = start_time if start_time is not None else time.time() - response_time / 1000
    RECORDER.on_request(name, start, response_time, exception is None)


@events.user_error.add_listener
def _on_user_error(**_kwargs) -> None:
    RECORDER.user_errors += 1  # an exception in a session's code: no request, still an error


@events.cpu_warning.add_listener
def _on_cpu_warning(**_kwargs) -> None:
    RECORDER.cpu_warning = True


@events.quitting.add_listener
def _on_quitting(environment, **_kwargs) -> None:
    RECORDER.dump()
    # locust's --csv file is rewritten once a second, so it can miss the last second; its
    # own table, written again here, at the end, is the whole run.
    final = os.environ.get("LOADTEST_LOCUST_CSV")
    if final:
        with open(final, "w", encoding="utf-8", newline="") as fh:
            StatsCSV(environment, PERCENTILES_TO_REPORT).requests_csv(csv.writer(fh))


class Reviewer(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        index = next(_next_account)
        self.account = PLAN["accounts"][index % len(PLAN["accounts"])]
        self.rng = random.Random(f"{PLAN.get('seed', 0)}:{index}")
        try:
            logged_in = self._login()
        finally:
            RECORDER.login_done(self.environment)
        if not logged_in:
            raise StopUser  # counted as a login error; its requests would all be redirects

    def _login(self) -> bool:
        login = PLAN["paths"]["login"]
        with self.client.get(
            login, name="login:form", allow_redirects=False, catch_response=True
        ) as response:
            token = CSRF_RE.search(response.text or "") if response.status_code == 200 else None
            if token is None:
                response.failure(f"登录页没有 CSRF 令牌（HTTP {response.status_code}）")
                return False
        with self.client.post(
            login,
            name="login:post",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "username": self.account["username"],
                "password": PLAN["password"],
                "next": PLAN["paths"]["home"],
            },
            headers={"Referer": f"{self.host}{login}"},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            # Django answers a good login with a redirect to `next`, a bad one with the form.
            if response.status_code != 302 or login in location:
                response.failure(
                    f"登录失败：{self.account['username']}（HTTP {response.status_code}）"
                )
                return False
        return True

    @task
    def browse(self) -> None:
        request = draw(self.rng, MIX, PLAN, self.account)
        with self.client.get(
            request.url, name=request.kind, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}：{request.url}")
