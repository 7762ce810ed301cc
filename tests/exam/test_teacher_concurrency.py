"""The teacher's identity page under simultaneous requests on a real threaded server
(pytest-django's live_server): no request may end in HTTP 500."""

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from core.models import AuditLogEntry
from exam import recommender_services as rs
from exam import teacher_identity as ti
from exam.audit_actions import LOG_RECOMMENDER_CODE_FAILED
from exam.models import Recommender, RecommenderCode
from people.models import SmsMessage
from tests.builders import new_application, teacher_proofs
from tests.factories import PhysicianFactory
from tests.teacher_codes import send_code

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def _csrf(opener, url: str) -> str:
    with opener.open(url, timeout=30) as response:
        html = response.read().decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def _post(opener, url: str, data: dict) -> int:
    body = urllib.parse.urlencode(data).encode()
    request = urllib.request.Request(url, data=body, headers={"Referer": url})
    try:
        with opener.open(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _hammer(url: str, data_for) -> list[int]:
    """THREADS clients, each with its own session, post at the same moment."""
    openers = [_opener() for _ in range(THREADS)]
    tokens = [_csrf(opener, url) for opener in openers]
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        barrier.wait()
        status = _post(
            openers[index], url, data_for(index) | {"csrfmiddlewaretoken": tokens[index]}
        )
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


@pytest.fixture
def identity_url(live_server, tree, tcm_project):
    application = new_application(tcm_project, tree["420102"], track="apprenticeship")
    physician = PhysicianFactory()
    teacher = rs.recommender_add(
        actor=application.candidate.user,
        application=application,
        role="recommender",
        name=physician.name,
        id_number=physician.id_number,
    )
    teacher_proofs(teacher)
    token = rs.recommender_invite(actor=application.candidate.user, recommender=teacher)
    return live_server.url + f"/recommend/{token}/identity/"


def test_simultaneous_wrong_codes_never_crash_and_count_five(identity_url):
    code = send_code(Recommender.objects.get())
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    statuses = _hammer(identity_url, lambda i: {"action": "verify", "code": wrong})

    assert len(statuses) == THREADS
    assert 500 not in statuses, statuses
    assert set(statuses) == {400}, statuses
    # Exactly five tries counted, whatever the interleaving; then the code is void.
    assert RecommenderCode.objects.get().attempts == ti.MAX_CODE_ATTEMPTS
    assert AuditLogEntry.objects.filter(action=LOG_RECOMMENDER_CODE_FAILED).count() == 5


def test_simultaneous_sends_send_one_sms(identity_url):
    statuses = _hammer(identity_url, lambda i: {"action": "send"})

    assert len(statuses) == THREADS
    assert 500 not in statuses, statuses
    # One is sent (302, followed by urllib to the page: 200), the others are told to wait.
    assert sorted(statuses) == [200] + [400] * (THREADS - 1), statuses
    assert SmsMessage.objects.count() == 1 and RecommenderCode.objects.count() == 1
