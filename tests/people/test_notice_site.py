"""消息 on the candidate site: a candidate sees only their own messages (another's id is
404), newest first and paged; opening one marks it read; 全部标为已读; the header's unread
count costs one COUNT; each message says whether an SMS was sent."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from people.models import Notification, NotificationKind, SmsMessage, SmsPurpose
from people.notice_views import PER_PAGE
from tests.factories import CandidateFactory, UserFactory

pytestmark = pytest.mark.django_db
LIST = reverse("account:notices")


def message(candidate, n: int = 0, *, sms_status: str | None = None, read=False) -> Notification:
    sms = None
    if sms_status:
        sms = SmsMessage.objects.create(
            phone=candidate.phone,
            text="【湖北卫生人才网】测试",
            purpose=SmsPurpose.NOTICE,
            status=sms_status,
            backend="outbox",
            sent_at=timezone.now() if sms_status == SmsMessage.Status.SENT else None,
        )
    return Notification.objects.create(
        candidate=candidate,
        kind=NotificationKind.RETURNED,
        title=f"第{n}条消息",
        body=f"审核意见：请补充材料{n}",
        link="/apply/1/",
        dedupe_key=f"test:{candidate.pk}:{n}",
        sms=sms,
        read_at=timezone.now() if read else None,
    )


@pytest.fixture
def candidate():
    return CandidateFactory()


@pytest.fixture
def client_of(client, candidate):
    client.force_login(candidate.user)
    return client


def test_list_shows_own_messages_newest_first_with_sms_state(client_of, candidate):
    message(candidate, 1, sms_status=SmsMessage.Status.SENT)
    message(candidate, 2, sms_status=SmsMessage.Status.FAILED)
    message(candidate, 3)
    message(CandidateFactory(), 9)
    page = client_of.get(LIST).content.decode()
    assert page.index("第3条消息") < page.index("第2条消息") < page.index("第1条消息")
    assert "第9条消息" not in page
    assert "短信已发送" in page and "短信发送失败" in page and "未发短信" in page


def test_unread_count_in_the_header_with_one_query(
    client_of, candidate, django_assert_max_num_queries
):
    for n in range(3):
        message(candidate, n)
    message(candidate, 5, read=True)
    message(CandidateFactory(), 9)
    home_before = client_of.get(reverse("apply:home"))
    assert '<span class="badge" id="unread-notices" title="未读消息">3</span>' in (
        home_before.content.decode()
    )
    # Read or unread, the page spends the same queries: one COUNT on the messages.
    Notification.objects.update(read_at=timezone.now())
    with django_assert_max_num_queries(50) as without_unread:
        client_of.get(reverse("apply:home"))
    Notification.objects.update(read_at=None)
    with django_assert_max_num_queries(50) as with_unread:
        page = client_of.get(reverse("apply:home")).content.decode()
    assert 'id="unread-notices"' in page
    assert len(with_unread) == len(without_unread)
    counts = [q["sql"] for q in with_unread.captured_queries if "people_notification" in q["sql"]]
    assert len(counts) == 1 and "COUNT" in counts[0]


def test_opening_marks_read_and_shows_the_body(client_of, candidate):
    notice = message(candidate, 1, sms_status=SmsMessage.Status.SENT)
    page = client_of.get(reverse("account:notice", args=[notice.pk])).content.decode()
    assert "请补充材料1" in page
    assert "短信已发送" in page and candidate.phone[-4:] in page
    assert candidate.phone not in page  # masked
    notice.refresh_from_db()
    first_read = notice.read_at
    assert first_read is not None
    client_of.get(reverse("account:notice", args=[notice.pk]))
    notice.refresh_from_db()
    assert notice.read_at == first_read


def test_another_candidates_message_is_404_and_stays_unread(client_of):
    theirs = message(CandidateFactory(), 1)
    assert client_of.get(reverse("account:notice", args=[theirs.pk])).status_code == 404
    assert client_of.get(f"{LIST}999999/").status_code == 404
    assert client_of.get(f"{LIST}{10**30}/").status_code == 404  # beyond any id column
    assert client_of.get(f"{LIST}abc/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_is_post_and_only_mine(client_of, candidate):
    mine = [message(candidate, n) for n in range(3)]
    theirs = message(CandidateFactory(), 9)
    assert client_of.get(reverse("account:notices_read_all")).status_code == 405
    response = client_of.post(reverse("account:notices_read_all"), follow=True)
    assert "已将3条消息标为已读" in response.content.decode()
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert 'id="unread-notices"' not in response.content.decode()


def test_paged_and_a_bad_page_number_is_the_last_page(client_of, candidate):
    for n in range(PER_PAGE + 2):
        message(candidate, n)
    first = client_of.get(LIST).content.decode()
    assert f"第{PER_PAGE + 1}条消息" in first and "第0条消息" not in first
    assert "第 1 / 2 页" in first
    for bad in ["2", "99", "abc", "-1"]:
        page = client_of.get(LIST, {"page": bad})
        assert page.status_code == 200
    assert "第0条消息" in client_of.get(LIST, {"page": "99"}).content.decode()


def test_anonymous_goes_to_login_and_staff_are_refused(client):
    assert client.get(LIST).status_code == 302
    client.force_login(UserFactory(is_staff=True))
    assert client.get(LIST).status_code == 403


# --- 消息记录 in the admin: provincial staff only, read-only ------------------------------------

ADMIN_LIST = reverse("admin:people_notification_changelist")


def admin_client(user):
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def test_provincial_staff_read_what_candidates_were_told(tree, reviewers, candidate):
    notice = message(candidate, 1, sms_status=SmsMessage.Status.FAILED)
    client = admin_client(reviewers["province"])
    html = client.get(ADMIN_LIST).content.decode()
    assert "第1条消息" in html and candidate.name in html and "短信发送失败" in html
    assert candidate.phone not in html
    assert "第1条消息" in client.get(ADMIN_LIST, {"q": candidate.phone}).content.decode()
    change = reverse("admin:people_notification_change", args=[notice.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"title": "改"}).status_code == 403
    assert Notification.objects.get(pk=notice.pk).title == "第1条消息"
    assert ADMIN_LIST in client.get("/admin/").content.decode()


@pytest.mark.parametrize("username", ["unit_a", "city_wuhan"])
def test_other_reviewers_cannot_open_it(tree, reviewers, candidate, username):
    message(candidate, 1)
    client = admin_client(reviewers[username])
    assert client.get(ADMIN_LIST).status_code == 403
    assert ADMIN_LIST not in client.get("/admin/").content.decode()
