#!/usr/bin/env python3
"""Over HTTP, against a running stack (bin/serve; .ci/run's step after the demo data): wait
for /health/ to answer 200, log in to the admin as a reviewer (CSRF token and cookie as a
browser sends them), open the review list and the first application's detail page, and
check that each is 200 and shows the expected Chinese text. Standard library only.

    bin/smoke_http.py --base-url http://127.0.0.1:8000 --username unit_a

Exit status 0 when every step passed, 1 otherwise (each step is printed with its time).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable

REVIEW_LIST = "/admin/review/reviewapplication/"
DETAIL_LINK = re.compile(r'href="(/admin/review/reviewapplication/\d+/change/)"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Smoke:
    def __init__(self, base_url: str, *, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.failed = False

    def fetch(self, path: str, data: dict[str, str] | None = None, **headers: str):
        """(status, final path, body) of GET, or of POST when `data` is given."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                final = urllib.parse.urlsplit(response.geturl()).path
                return response.status, final, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, path, error.read().decode("utf-8", "replace")

    def step(self, name: str, check: Callable[[], str]) -> None:
        """Run one check; it returns what it saw, or raises AssertionError."""
        started = time.monotonic()
        try:
            seen = check()
        except (AssertionError, OSError) as exc:
            self.failed = True
            print(f"FAIL {name} ({time.monotonic() - started:.2f} s): {exc}", flush=True)
        else:
            print(f"ok   {name} ({time.monotonic() - started:.2f} s): {seen}", flush=True)

    def wait_healthy(self, seconds: float) -> str:
        deadline = time.monotonic() + seconds
        last = "no answer"
        while time.monotonic() < deadline:
            try:
                status, _, body = self.fetch("/health/?format=json")
            except OSError as exc:  # not listening yet
                last = str(exc)
            else:
                last = f"{status} {body.strip()}"
                if status == 200:
                    assert json.loads(body)["status"] == "ok", last
                    return last
            time.sleep(0.5)
        raise AssertionError(f"/health/ not 200 within {seconds:g} s; last: {last}")

    def login(self, username: str, password: str) -> str:
        status, _, page = self.fetch("/admin/login/")
        assert status == 200, f"login page {status}"
        token = CSRF_FIELD.search(page)
        assert token, "no csrfmiddlewaretoken on the login page"
        form = {
            "csrfmiddlewaretoken": token.group(1),
            "username": username,
            "password": password,
            "next": "/admin/",
        }
        status, final, page = self.fetch(
            "/admin/login/", form, Referer=self.base_url + "/admin/login/"
        )
        assert status == 200, f"POST /admin/login/ ended {status} at {final}"
        # Past the login page: /admin/, or the 业务 choice a reviewer of several sees first.
        assert final != "/admin/login/", "still on the login page: the login was refused"
        assert any(cookie.name == "sessionid" for cookie in self.cookies), "no session cookie"
        return f"{username} logged in, redirected to {final}"

    def page(self, path: str, *texts: str) -> tuple[str, str]:
        """(what was seen, the page) of a page that must be 200 and show `texts`."""
        status, final, body = self.fetch(path)
        assert status == 200, f"{path}: {status}"
        assert final == path, f"{path}: redirected to {final}"
        missing = [text for text in texts if text not in body]
        assert not missing, f"{path}: missing {missing}"
        return f"{path} 200, shows {' '.join(texts)}", body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    # A unit reviewer: one project only, so no 选择业务 page between the login and the list.
    parser.add_argument("--username", default="unit_a")
    parser.add_argument("--password", default="demo12345")
    parser.add_argument("--wait", type=float, default=60, help="seconds to wait for /health/")
    parser.add_argument("--timeout", type=float, default=20, help="seconds per request")
    args = parser.parse_args(argv)

    started = time.monotonic()
    smoke = Smoke(args.base_url, timeout=args.timeout)
    smoke.step("health", lambda: smoke.wait_healthy(args.wait))
    if not smoke.failed:
        smoke.step("login", lambda: smoke.login(args.username, args.password))
    detail: list[str] = []
    if not smoke.failed:

        def review_list() -> str:
            seen, body = smoke.page(REVIEW_LIST, "报名材料审核", "查看")
            link = DETAIL_LINK.search(body)
            assert link, "no application on the review list"
            detail.append(link.group(1))
            return seen

        smoke.step("review list", review_list)
    if detail:
        smoke.step(
            "application detail",
            lambda: smoke.page(detail[0], "基础信息", "各级审核状态", "审核进度")[0],
        )
    verdict = "FAILED" if smoke.failed else "passed"
    print(f"HTTP smoke {verdict} in {time.monotonic() - started:.1f} s", flush=True)
    return 1 if smoke.failed else 0


if __name__ == "__main__":
    sys.exit(main())
