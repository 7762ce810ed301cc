"""逐条审核 (issue 16 §2): 上一条 / 下一条 walk the filtered, sorted 报名材料审核 list exactly
as the admin shows it, with the position, the 待审核 left, and the next pending one after a
decision when the reviewer asks for it."""

import datetime
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from core.errors import ServiceError
from core.models import AuditLogEntry
from exam.models import Application, Level
from people.audit_actions import LOG_ACCOUNT_PREFERENCE_CHANGED
from people.models import ReviewerPreference
from people.preferences import reviewer_preference_get, reviewer_preference_set_auto_next
from review.admin.sequence import NONE_LEFT, PRESERVED
from review.business import business_resolve
from review.sequence import next_pending_id, review_sequence, sequence_list
from tests.builders import decide, in_health_business, submitted
from tests.review.scenario import UNIT_A

UNIT_B = "U420102002"
CHANGE = "admin:review_reviewapplication_change"
CHANGELIST = "admin:review_reviewapplication_changelist"
# unit_a's list has the row checkbox (上报所选申报), so 姓名 is column 10, 申报级别 13.
SORT_BY_NAME = "10"
SORT_BY_LEVEL = "13"

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit_a(reviewers):
    return in_health_business(reviewers["unit_a"])


@pytest.fixture
def rows(tree, health_project, unit_a):
    """Seven of unit_a's applications: two share a 提交时间 (the tie goes by id), one has
    none, names repeat, two are 初级 and one has no 类别."""
    base = timezone.now() - datetime.timedelta(days=1)
    apps = [submitted(health_project, tree[UNIT_A]) for _ in range(7)]
    times = [base, base, base + datetime.timedelta(hours=1), None, base - datetime.timedelta(1)]
    times += [base + datetime.timedelta(hours=2), base - datetime.timedelta(2)]
    names = ["王五", "李四", "王五", "张三", "李四", "赵六", "王五"]
    junior = Level.objects.get(code="1")
    for i, (application, when, name) in enumerate(zip(apps, times, names, strict=True)):
        Application.objects.filter(pk=application.pk).update(submitted_at=when)
        application.candidate.name = name
        application.candidate.save(update_fields=["name"])
        if i in (1, 4):
            Application.objects.filter(pk=application.pk).update(
                level=junior, specialty=junior.specialties.order_by("code").first()
            )
    Application.objects.filter(pk=apps[6].pk).update(specialty=None)
    return apps


def _listing(user, params, *, row_checkbox=True):
    return sequence_list(
        user=user,
        business=business_of_user(user),
        params=params,
        tier="unit",
        row_checkbox=row_checkbox,
    )


def business_of_user(user):
    business = business_resolve(user=user)
    return business.id if business else None


def _admin_order(client, params):
    """The ids of the list the admin shows for `params`, in its order (one page holds all)."""
    response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    return [a.pk for a in response.context["cl"].result_list]


def _walk(user, listing, first):
    ids, current = [], first
    while current is not None:
        ids.append(current)
        current = review_sequence(user=user, listing=listing, application_id=current).next_id
    return ids


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"o": SORT_BY_NAME},
        {"o": f"-{SORT_BY_NAME}.4"},
        {"o": SORT_BY_LEVEL},
        {"o": f"-{SORT_BY_LEVEL}"},
        {"o": "14"},  # 类别(专业): one row has none
        {"name": "王五"},
        {"review_status": "pending", "o": "-4"},
    ],
)
def test_next_and_previous_walk_the_list_as_the_admin_shows_it(client, unit_a, rows, params):
    client.force_login(unit_a)
    shown = _admin_order(client, params)
    assert len(shown) >= 3
    listing = _listing(unit_a, params)
    assert _walk(unit_a, listing, shown[0]) == shown
    backwards, current = [], shown[-1]
    while current is not None:
        backwards.append(current)
        place = review_sequence(user=unit_a, listing=listing, application_id=current)
        assert place.position == len(shown) - len(backwards) + 1
        assert place.total == len(shown)
        current = place.previous_id
    assert backwards == shown[::-1]


def test_first_and_last_rows_have_no_neighbour_on_their_side(unit_a, rows):
    listing = _listing(unit_a, {})
    order = [a.pk for a in listing.queryset.order_by(*listing.ordering)]
    first = review_sequence(user=unit_a, listing=listing, application_id=order[0])
    last = review_sequence(user=unit_a, listing=listing, application_id=order[-1])
    assert (first.position, first.previous_id, first.next_id) == (1, None, order[1])
    assert (last.position, last.previous_id, last.next_id) == (7, order[-2], None)
    assert first.total == last.total == 7


def test_ties_go_by_id_descending(unit_a, rows):
    """rows[0] and rows[1] share 提交时间: the later id comes first, as in the list."""
    listing = _listing(unit_a, {})
    place = review_sequence(user=unit_a, listing=listing, application_id=rows[1].pk)
    assert place.next_id == rows[0].pk
    place = review_sequence(user=unit_a, listing=listing, application_id=rows[0].pk)
    assert place.previous_id == rows[1].pk


def test_the_filters_are_kept_and_a_row_outside_them_has_no_position(unit_a, rows):
    listing = _listing(unit_a, {"name": "王五"})
    named = {rows[0].pk, rows[2].pk, rows[6].pk}
    place = review_sequence(user=unit_a, listing=listing, application_id=rows[0].pk)
    assert place.total == 3
    assert {place.previous_id, place.next_id} - {None} <= named
    # 李四 is not in the 王五 list: no position, but the neighbours of where it would sort.
    outside = review_sequence(user=unit_a, listing=listing, application_id=rows[1].pk)
    assert outside.position is None and outside.total == 3
    assert outside.next_id == rows[0].pk  # the tie: rows[1] sorts just before rows[0]


def test_pending_counts_the_viewers_tier_in_the_filtered_list(unit_a, rows):
    decide(rows[0], "approve")
    decide(rows[2], "defer")
    listing = _listing(unit_a, {})
    assert review_sequence(user=unit_a, listing=listing, application_id=rows[0].pk).pending == 5
    named = _listing(unit_a, {"name": "王五"})
    assert review_sequence(user=unit_a, listing=named, application_id=rows[6].pk).pending == 1


def test_an_application_out_of_scope_is_not_found(tree, health_project, unit_a, rows):
    other = submitted(health_project, tree[UNIT_B])
    listing = _listing(unit_a, {})
    with pytest.raises(Application.DoesNotExist):
        review_sequence(user=unit_a, listing=listing, application_id=other.pk)
    with pytest.raises(Application.DoesNotExist):
        next_pending_id(user=unit_a, listing=listing, application_id=other.pk)
    # …and it is never a neighbour: the list is the user's own.
    ids = _walk(unit_a, listing, listing.queryset.order_by(*listing.ordering).first().pk)
    assert other.pk not in ids and len(ids) == 7


def test_an_anonymous_user_sees_no_list(rows):
    listing = _listing(AnonymousUser(), {}, row_checkbox=False)
    with pytest.raises(Application.DoesNotExist):
        review_sequence(user=AnonymousUser(), listing=listing, application_id=rows[0].pk)


@pytest.mark.parametrize("params", [{}, {"o": SORT_BY_LEVEL}, {"o": f"-{SORT_BY_NAME}"}])
def test_query_count_does_not_grow_with_the_list_or_the_position(
    tree, health_project, unit_a, rows, params, django_assert_num_queries
):
    """Three queries (the row's sort values, the counts, the neighbours), two when the detail
    page gives the row; at either end, in the middle, in a list of 7 or of 27."""
    listing = _listing(unit_a, params)

    def order():
        return list(listing.queryset.order_by(*listing.ordering).values_list("pk", flat=True))

    def check(ids):
        for pk in (ids[0], ids[len(ids) // 2], ids[-1]):
            with django_assert_num_queries(3):
                place = review_sequence(user=unit_a, listing=listing, application_id=pk)
            assert place.position == ids.index(pk) + 1
            application = Application.objects.select_related("candidate", "level").get(pk=pk)
            with django_assert_num_queries(2):
                again = review_sequence(
                    user=unit_a, listing=listing, application_id=pk, application=application
                )
            assert again == place

    check(order())
    for _ in range(20):
        submitted(health_project, tree[UNIT_A])
    assert len(order()) == 27
    check(order())


def test_next_pending_goes_on_after_the_current_row_then_wraps(unit_a, rows):
    listing = _listing(unit_a, {})
    order = [a.pk for a in listing.queryset.order_by(*listing.ordering)]
    decide(Application.objects.get(pk=order[3]), "approve")
    assert next_pending_id(user=unit_a, listing=listing, application_id=order[2]) == order[4]
    # Only the first is left pending besides the current one: back to the top.
    for pk in order[4:]:
        decide(Application.objects.get(pk=pk), "approve")
    assert next_pending_id(user=unit_a, listing=listing, application_id=order[3]) == order[0]
    for pk in order[:3]:
        decide(Application.objects.get(pk=pk), "approve")
    assert next_pending_id(user=unit_a, listing=listing, application_id=order[0]) is None


# --- the admin: links, the setting, the redirect after a decision ------------------------------


def _filters_of(url: str) -> str:
    return parse_qs(urlparse(url).query).get(PRESERVED, [""])[0]


def test_the_lists_view_link_and_the_detail_page_carry_the_filters(client, unit_a, rows):
    client.force_login(unit_a)
    query = "name=%E7%8E%8B%E4%BA%94&o=" + SORT_BY_NAME
    listing = client.get(reverse(CHANGELIST) + "?" + query)
    first = listing.context["cl"].result_list[0]
    assert _filters_of(first.change_url) == query
    page = client.get(first.change_url)
    nav = page.context["sequence"]
    assert (nav.place.position, nav.place.total) == (1, 3)
    assert _filters_of(nav.next_url) == query
    assert nav.list_url == reverse(CHANGELIST) + "?" + query
    assert "第 1 / 3 条" in page.content.decode()
    assert "本级待审核剩余 3 条" in page.content.decode()


def test_the_detail_page_404s_out_of_scope_with_filters_too(client, tree, health_project, unit_a):
    other = submitted(health_project, tree[UNIT_B])
    client.force_login(unit_a)
    url = reverse(CHANGE, args=[other.pk]) + "?" + urlencode({PRESERVED: "name=x"})
    assert client.get(url).status_code == 404


def test_the_setting_is_the_users_own_and_logged(unit_a, reviewers):
    assert reviewer_preference_get(user=unit_a).auto_open_next is False
    reviewer_preference_set_auto_next(actor=unit_a, auto_open_next=True)
    reviewer_preference_set_auto_next(actor=unit_a, auto_open_next=True)  # no change: no row
    assert reviewer_preference_get(user=unit_a).auto_open_next is True
    assert reviewer_preference_get(user=reviewers["unit_b"]).auto_open_next is False
    logs = AuditLogEntry.objects.filter(action=LOG_ACCOUNT_PREFERENCE_CHANGED)
    assert [(e.actor_id, e.remark) for e in logs] == [(unit_a.pk, "审核后自动打开下一条：开启")]
    with pytest.raises(ServiceError):
        reviewer_preference_set_auto_next(actor=AnonymousUser(), auto_open_next=True)
    assert ReviewerPreference.objects.count() == 1


def test_a_setting_saved_elsewhere_counts_from_the_next_session(client, unit_a, rows):
    """The session keeps the setting once read; a new login reads it again."""
    client.force_login(unit_a)
    page = reverse(CHANGE, args=[rows[0].pk])
    assert client.get(page).context["sequence"].auto_open_next is False
    reviewer_preference_set_auto_next(actor=unit_a, auto_open_next=True)
    client.logout()
    client.force_login(unit_a)
    assert client.get(page).context["sequence"].auto_open_next is True


def test_the_toggle_posts_and_returns_to_the_page(client, unit_a, rows):
    client.force_login(unit_a)
    here = reverse(CHANGE, args=[rows[0].pk]) + "?" + urlencode({PRESERVED: "name=x"})
    url = reverse("admin:review_reviewapplication_auto_next")
    assert client.get(url).status_code == 405
    response = client.post(url, {"auto_open_next": "1", "next": here})
    assert response.status_code == 302 and response.url == here
    assert reviewer_preference_get(user=unit_a).auto_open_next is True
    response = client.post(url, {"auto_open_next": "0", "next": "https://example.com/"})
    assert response.url == reverse(CHANGELIST)  # never off-site
    assert reviewer_preference_get(user=unit_a).auto_open_next is False


def _decide(client, application, preserved, decision="approve", seen="pending"):
    data = {"decision": decision, "seen_status": seen, PRESERVED: preserved}
    if decision in ("return", "reject"):
        data["remark"] = "测试备注"
    return client.post(reverse("admin:review_reviewapplication_decide", args=[application]), data)


def test_after_a_decision_the_next_pending_one_opens_when_asked(client, unit_a, rows):
    client.force_login(unit_a)
    preserved = "review_status=pending&name=%E7%8E%8B%E4%BA%94"
    listing = _listing(unit_a, {"review_status": "pending", "name": "王五"})
    order = [a.pk for a in listing.queryset.order_by(*listing.ordering)]
    assert len(order) == 3

    # Off (the default): back to the same page, the filters kept.
    response = _decide(client, order[0], preserved)
    assert response.url == reverse(CHANGE, args=[order[0]]) + "?" + urlencode(
        {PRESERVED: preserved}
    )

    client.post(reverse("admin:review_reviewapplication_auto_next"), {"auto_open_next": "1"})
    response = _decide(client, order[1], preserved, decision="defer")
    assert response.url == reverse(CHANGE, args=[order[2]]) + "?" + urlencode(
        {PRESERVED: preserved}
    )
    assert Application.objects.get(pk=order[1]).unit_review_status == "deferred"

    # The last one: back to the filtered list, saying none is left.
    response = _decide(client, order[2], preserved)
    assert response.url == reverse(CHANGELIST) + "?" + preserved
    assert NONE_LEFT in [str(m) for m in get_messages(response.wsgi_request)]


def test_a_conflicting_decision_stays_on_the_page(client, unit_a, rows):
    """The conflict check still stops it: no decision, no jump to the next one."""
    client.force_login(unit_a)
    client.post(reverse("admin:review_reviewapplication_auto_next"), {"auto_open_next": "1"})
    response = _decide(client, rows[0].pk, "name=x", seen="deferred")
    assert response.url == reverse(CHANGE, args=[rows[0].pk]) + "?" + urlencode(
        {PRESERVED: "name=x"}
    )
    assert Application.objects.get(pk=rows[0].pk).unit_review_status == "pending"
    # A refused one (审核不通过 without a remark) stays too.
    response = client.post(
        reverse("admin:review_reviewapplication_decide", args=[rows[0].pk]),
        {"decision": "reject", "seen_status": "pending", PRESERVED: "name=x"},
    )
    assert response.url.startswith(reverse(CHANGE, args=[rows[0].pk]))
    assert Application.objects.get(pk=rows[0].pk).unit_review_status == "pending"


def test_the_pages_other_forms_keep_the_filters(client, unit_a, rows):
    """撤销审核通过 (and 现场确认, 人工认定) come back to the page with the list's filters."""
    client.force_login(unit_a)
    decide(rows[0], "approve")
    response = client.post(
        reverse("admin:review_reviewapplication_reopen", args=[rows[0].pk]),
        {PRESERVED: "name=x"},
    )
    assert response.url == reverse(CHANGE, args=[rows[0].pk]) + "?" + urlencode(
        {PRESERVED: "name=x"}
    )
    assert Application.objects.get(pk=rows[0].pk).unit_review_status == "pending"
    page = client.get(response.url)
    assert b'name="_changelist_filters" value="name=x"' in page.content
