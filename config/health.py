"""GET /health/: is this web process able to serve? For the load balancer and monitoring.

django-health-check runs the checks (each in a thread, 5 s budget each): the database, the
default cache, the default file storage (write, read, delete a small file) and the job
worker's heartbeat (core/jobs/worker_beat.py). The answer is 200 when all pass, 503 when one
fails, and names each check with only "ok" or "failing": no error text, versions, host names
or timings, since anyone may ask (no login). What failed and why goes to the log, one
warning per failing check (production keeps the library's own tracebacks for unexpected
errors only).

JSON for `Accept: application/json` or `?format=json`, else one line per check as text.
Production exempts the path from the HTTPS redirect (the balancer probes over plain HTTP);
its Host header must still be one of DJANGO_ALLOWED_HOSTS.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

from django.db import connections
from django.http import HttpResponse, JsonResponse
from health_check import Cache, Database, HealthCheck, Storage
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView, MediaType

from core.jobs.worker_beat import worker_alive

logger = logging.getLogger("config.health")


@dataclasses.dataclass
class JobWorker(HealthCheck):
    """A `run_worker` process beat within JOB_DEAD_AFTER_SECONDS (or a job of one did)."""

    def run(self) -> None:
        try:
            alive = worker_alive()
        finally:
            connections.close_all()  # this executor thread's own, opened by the query
        if not alive:
            raise ServiceUnavailable("no worker heartbeat within JOB_DEAD_AFTER_SECONDS")


# The name each check has in the answer, and the check.
CHECKS: dict[str, type[HealthCheck]] = {
    "database": Database,
    "cache": Cache,
    "storage": Storage,
    "worker": JobWorker,
}
FAILING_STATUS = 503  # what load balancers take for "take this machine out"


class HealthView(HealthCheckView):
    checks = tuple(CHECKS.values())

    async def get(self, request, *args, **kwargs):
        with self.get_executor() as executor:  # as the library's own view runs them
            self.results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        names = {check: name for name, check in CHECKS.items()}
        states = {
            names[type(result.check)]: "failing" if result.error else "ok"
            for result in self.results
        }
        for result in self.results:
            if result.error:  # why, for the operators (the caller only learns "failing")
                logger.warning(
                    "health check %s failing: %s", names[type(result.check)], result.error
                )
        healthy = all(state == "ok" for state in states.values())
        status = 200 if healthy else FAILING_STATUS
        if wants_json(request):
            return JsonResponse(
                {"status": "ok" if healthy else "failing", "checks": states}, status=status
            )
        text = "".join(f"{name}: {state}\n" for name, state in states.items())
        return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


def wants_json(request) -> bool:
    if request.GET.get("format") == "json":
        return True
    try:
        preferred = next(MediaType.parse_header(request.headers.get("accept", "*/*")), None)
    except ValueError:
        return False
    return preferred is not None and preferred.mime_type in ("application/json", "application/*")


health = HealthView.as_view()
