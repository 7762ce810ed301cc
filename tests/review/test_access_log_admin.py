"""The province's 个人信息访问记录 screen: who may open it, its filters, its export (itself
recorded) and 异常访问's two rules."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from core.access_selectors import busy_hours, undecided_file_access
from core.audit import log_action
from core.models import PersonalDataAccess
from tests.builders import in_health_business
from tests.exports import export_post, without_footer

Kind = PersonalDataAccess.Kind
LIST = reverse("admin:core_personaldataaccess_changelist")
EXPORT = reverse("admin:core_personaldataaccess_export")
UNUSUAL = reverse("admin:core_personaldataaccess_unusual")
# Two days ago at 10:00 local time: within 异常访问's window, never today.
HOUR = timezone.localtime().replace(
    hour=10, minute=0, second=0, microsecond=0
) - datetime.timedelta(days=2)
DAY = HOUR.date().isoformat()


def row(user, *, kind=Kind.DETAIL, application=None, at=None, institution="江岸区", **extra):
    entry = PersonalDataAccess(
        kind=kind,
        at=at or timezone.now(),
        user=user,
        username=user.username,
        institution_name=institution,
        application_id=application.pk if application else None,
        candidate_id=application.candidate_id if application else None,
        **extra,
    )
    entry.save()
    return entry


def shown(response) -> list[PersonalDataAccess]:
    return list(response.context["cl"].result_list)


@pytest.fixture
def province(client, reviewers, apps):
    client.force_login(in_health_business(reviewers["province"]))
    return client


@pytest.mark.parametrize("username", ["city_wuhan", "county_jiangan", "unit_a"])
def test_only_provincial_staff_open_it(client, reviewers, apps, username):
    client.force_login(in_health_business(reviewers[username]))
    for url in (LIST, EXPORT, UNUSUAL):
        assert client.get(url).status_code == 403


def test_province_sees_every_row_read_only(province, apps, reviewers):
    entry = row(reviewers["unit_a"], application=apps["a_pending"])
    response = province.get(LIST)
    assert response.status_code == 200
    assert shown(response) == [entry]
    change = reverse("admin:core_personaldataaccess_change", args=[entry.pk])
    assert province.get(change).status_code == 200
    province.post(change, {"what": "changed"})
    entry.refresh_from_db()
    assert entry.what == ""


def test_filters(province, apps, reviewers):
    unit_a, city = reviewers["unit_a"], reviewers["city_wuhan"]
    detail = row(unit_a, application=apps["a_pending"])
    file = row(city, kind=Kind.FILE, application=apps["a_at_city"], institution="武汉市")
    old = row(unit_a, application=apps["b_pending"], at=HOUR)
    assert shown(province.get(LIST, {"kind__exact": "file"})) == [file]
    assert shown(province.get(LIST, {"institution": "武汉"})) == [file]
    assert set(shown(province.get(LIST, {"username": unit_a.username}))) == {detail, old}
    assert shown(province.get(LIST, {"subject": str(apps["a_pending"].pk)})) == [detail]
    id_number = apps["a_at_city"].candidate.id_number
    assert shown(province.get(LIST, {"subject": id_number})) == [file]
    assert shown(province.get(LIST, {"subject": "not a number"})) == []
    after = (HOUR.date() + datetime.timedelta(days=1)).isoformat()
    before = (HOUR.date() - datetime.timedelta(days=1)).isoformat()
    assert shown(province.get(LIST, {"at_from": before, "at_to": after})) == [old]
    assert shown(province.get(LIST, {"at_from": DAY, "at_to": DAY})) == [old]
    assert shown(province.get(LIST, {"at_from": after})) == [file, detail]
    assert shown(province.get(LIST, {"at_to": "not a date"})) == []


def test_export_is_filtered_and_itself_recorded(province, apps, reviewers):
    row(reviewers["unit_a"], application=apps["a_pending"])
    row(
        reviewers["city_wuhan"], kind=Kind.FILE, application=apps["a_at_city"], institution="武汉市"
    )
    response = export_post(province, EXPORT, {"kind__exact": "file"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0][:4] == ["时间", "访问类型", "账号", "机构"]
    rows = without_footer(rows)
    assert len(rows) == 2 and rows[1][1] == "查看附件" and rows[1][3] == "武汉市"
    recorded = PersonalDataAccess.objects.get(kind=Kind.EXPORT)
    assert recorded.user == reviewers["province"] and recorded.row_count == 1
    assert recorded.what == "个人信息访问记录"
    assert recorded.data["filters"] == {"kind__exact": "file"}


def test_busy_hours_lists_accounts_over_the_limit(province, apps, reviewers, settings):
    settings.ACCESS_ALERT_PER_HOUR = 2
    unit_a, county = reviewers["unit_a"], reviewers["county_jiangan"]
    names = ["a_pending", "a_at_county", "a_at_city"]
    for i, name in enumerate(names):
        row(unit_a, application=apps[name], at=HOUR + datetime.timedelta(minutes=10 * i))
    # The same application again does not count twice; the next hour is another hour.
    row(county, application=apps["a_at_county"], at=HOUR)
    row(county, application=apps["a_at_county"], at=HOUR + datetime.timedelta(minutes=5))
    row(county, application=apps["a_at_city"], at=HOUR + datetime.timedelta(minutes=6))
    row(county, application=apps["a_at_province"], at=HOUR + datetime.timedelta(minutes=65))
    found = busy_hours()
    assert [(b.username, b.count) for b in found] == [(unit_a.username, 3)]
    assert timezone.localtime(found[0].hour).hour == timezone.localtime(HOUR).hour
    page = province.get(UNUSUAL)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-testid="busy-row"') == 1 and unit_a.username in html


def test_files_of_applications_the_account_never_worked_on(province, apps, reviewers):
    unit_a, county = reviewers["unit_a"], reviewers["county_jiangan"]
    application = apps["a_at_county"]
    worked = row(unit_a, kind=Kind.FILE, application=application, what="educationrecord/1")
    looked = row(county, kind=Kind.FILE, application=application, what="educationrecord/1")
    rotated = row(county, kind=Kind.FILE, application=apps["a_at_city"], what="nurselicense/2")
    # A thumbnail comes with the detail page (the first rule): not listed here.
    row(county, kind=Kind.FILE, application=apps["a_at_city"], data={"thumb": True})
    # Older than the screen's window: in the selector, not on the page.
    row(
        county, kind=Kind.FILE, application=apps["a_at_city"], at=HOUR - datetime.timedelta(days=60)
    )
    log_action(action="review.approved", actor=unit_a, subject=application)
    # Turning an image is no decision.
    log_action(action="review.file_rotated", actor=county, subject=apps["a_at_city"])
    assert set(undecided_file_access(since=HOUR)) == {looked, rotated}
    assert worked not in undecided_file_access()
    assert len(undecided_file_access()) == 3  # the old one too
    html = province.get(UNUSUAL).content.decode()
    assert html.count('data-testid="undecided-row"') == 2


def test_the_sidebar_offers_it_to_provincial_staff_only(client, reviewers, apps):
    client.force_login(in_health_business(reviewers["province"]))
    assert f'href="{LIST}"' in client.get(reverse("admin:index")).content.decode()
    client.force_login(in_health_business(reviewers["city_wuhan"]))
    assert f'href="{LIST}"' not in client.get(reverse("admin:index")).content.decode()
