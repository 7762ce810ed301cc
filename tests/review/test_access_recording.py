"""个人信息访问记录: each kind of access is recorded once, with who, which institution, from
where and what (the detail page, every reviewer file route, exports in the request and as a
job, imports); the log is append-only; a failing write keeps the page and logs the row."""

import logging

import pytest
from django.db import DatabaseError
from django.http import HttpResponse
from django.urls import reverse

from core.access_log import access_record_now
from core.jobs.models import Job
from core.models import PersonalDataAccess
from people import services as people_services
from people.models import IdType
from review.job_imports import import_job_run
from review.job_tasks import export_job_run
from tests.builders import in_health_business
from tests.exports import PURPOSE, export_post
from tests.review.import_helpers import import_file, resident_id, xlsx_upload
from tests.review.scenario import UNIT_A

Kind = PersonalDataAccess.Kind
DETAIL = "admin:review_reviewapplication_change"


def login(client, reviewers, username="unit_a"):
    client.force_login(in_health_business(reviewers[username]))
    return client


def only_row(**filters) -> PersonalDataAccess:
    rows = list(PersonalDataAccess.objects.filter(**filters))
    assert len(rows) == 1, rows
    return rows[0]


def test_detail_page_is_recorded_with_who_where_and_which(client, apps, reviewers, tree):
    application = apps["a_pending"]
    login(client, reviewers)
    response = client.get(reverse(DETAIL, args=[application.pk]), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    row = only_row(kind=Kind.DETAIL)
    assert row.application_id == application.pk
    assert row.candidate_id == application.candidate_id
    assert row.user == reviewers["unit_a"] and row.username == reviewers["unit_a"].username
    assert (row.institution_id, row.institution_name) == (tree[UNIT_A].pk, tree[UNIT_A].name)
    assert row.ip == "10.1.2.3"


def test_a_refused_detail_page_records_nothing(client, apps, reviewers):
    login(client, reviewers)
    response = client.get(reverse(DETAIL, args=[apps["b_pending"].pk]))
    assert response.status_code == 404
    assert not PersonalDataAccess.objects.exists()


def test_the_address_comes_from_the_trusted_proxy_only(client, apps, reviewers, settings):
    login(client, reviewers)
    url = reverse(DETAIL, args=[apps["a_pending"].pk])
    # No trusted proxy: a client's X-Forwarded-For is ignored.
    client.get(url, REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="1.1.1.1")
    settings.TRUSTED_PROXY_COUNT = 1
    client.get(url, REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert list(PersonalDataAccess.objects.order_by("id").values_list("ip", flat=True)) == [
        "10.0.0.9",
        "203.0.113.7",
    ]


def test_attachment_and_its_thumbnail_are_recorded(client, materials, reviewers):
    record = materials["education"]["a_pending"]
    application = record.application
    login(client, reviewers)
    url = reverse(
        "admin:review_reviewapplication_file",
        args=[application.pk, "educationrecord", record.pk],
    )
    assert client.get(url).status_code == 200
    assert client.get(url, {"thumb": "1"}).status_code == 200
    rows = list(PersonalDataAccess.objects.filter(kind=Kind.FILE).order_by("id"))
    assert [r.what for r in rows] == [f"学历信息·证书图片 #{record.pk}"] * 2
    assert [r.data.get("thumb") for r in rows] == [None, True]
    assert {r.candidate_id for r in rows} == {application.candidate_id}


def test_material_image_is_recorded(client, materials, reviewers):
    record = materials["education"]["a_pending"]
    login(client, reviewers)
    url = reverse("admin:review_verifyeducation_image", args=[record.pk])
    assert client.get(url).status_code == 200
    row = only_row(kind=Kind.FILE)
    assert row.application_id == record.application_id
    assert row.what == f"学历信息·证书图片 #{record.pk}"


def test_identity_photo_is_recorded(client, reviewers, material_media):
    from tests.factories import CandidateFactory
    from tests.people.test_candidate_site import png

    candidate = CandidateFactory(identity_status="unverified")
    verification = people_services.identity_request_manual(
        actor=candidate.user,
        candidate=candidate,
        id_type=IdType.PASSPORT,
        name="JOHN SMITH",
        id_number="E12345678",
        front_image=png("front.png"),
    )
    client.force_login(reviewers["province"])
    url = reverse("admin:people_identityverification_photo", args=[verification.pk, "front"])
    assert client.get(url).status_code == 200
    row = only_row(kind=Kind.FILE)
    assert row.candidate_id == candidate.pk and row.application_id is None
    assert row.what.endswith(f" #{verification.pk}") and "证件" in row.what


def test_export_in_the_request_is_recorded_with_filters_and_rows(client, materials, reviewers):
    login(client, reviewers, "province")
    response = export_post(
        client, reverse("admin:review_verifyeducation_export"), {"scope": "subtree", "all": ""}
    )
    assert response.status_code == 200
    row = only_row(kind=Kind.EXPORT)
    assert row.user == reviewers["province"]
    assert row.data["purpose"] == PURPOSE and "full_id" not in row.data  # masked
    assert row.data["filters"]["scope"] == "subtree"
    assert row.row_count is not None and row.row_count >= 1
    assert row.what  # the export's Chinese name


def test_export_as_a_job_is_recorded_when_it_finishes(
    client, materials, reviewers, settings, django_capture_on_commit_callbacks
):
    settings.JOB_THRESHOLD_ROWS = 1
    login(client, reviewers, "province")
    with django_capture_on_commit_callbacks():
        response = export_post(
            client, reverse("admin:review_verifyeducation_export"), REMOTE_ADDR="10.9.9.9"
        )
    assert response.status_code == 302
    assert not PersonalDataAccess.objects.filter(kind=Kind.EXPORT).exists()
    job = Job.objects.get()
    export_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    row = only_row(kind=Kind.EXPORT)
    assert row.user == reviewers["province"] and row.ip == "10.9.9.9"
    assert row.row_count == job.progress_done
    assert row.institution_name  # the province, saved when it was asked for


def test_import_in_the_request_is_recorded(client, reviewers, material_media):
    client.force_login(reviewers["province"])
    number = resident_id("42010219900101123")
    upload = xlsx_upload([["证件号码", "姓名", "年度", "违纪行为"], [number, "张三", 2023, "夹带"]])
    response = import_file(client, "review_referencerecord", upload, library="violation")
    assert response.status_code in (200, 302)
    row = only_row(kind=Kind.IMPORT)
    assert row.user == reviewers["province"]
    assert row.row_count == 1 and row.data["outcome"] == "applied"
    assert "导入.xlsx" in row.what


def test_import_as_a_job_is_recorded_with_the_requesting_address(
    client, reviewers, settings, material_media, django_capture_on_commit_callbacks
):
    settings.JOB_THRESHOLD_ROWS = 1
    client.force_login(reviewers["province"])
    rows = [["证件号码", "姓名", "年度", "违纪行为"]] + [
        [resident_id(f"4201021990010112{i}"), f"张{i}", 2023, "夹带"] for i in range(3)
    ]
    with django_capture_on_commit_callbacks():
        response = client.post(
            reverse("admin:review_referencerecord_import"),
            {
                "import_file": xlsx_upload(rows, "违纪.xlsx"),
                "format": "",
                "library": "violation",
            },
            REMOTE_ADDR="10.7.7.7",
        )
    assert response.status_code == 302
    import_job_run(Job.objects.get().pk)
    row = only_row(kind=Kind.IMPORT)
    assert row.ip == "10.7.7.7" and row.row_count == 3
    assert row.what.endswith("违纪.xlsx")


def test_the_log_is_append_only(db):
    row = access_record_now(kind=Kind.DETAIL, user=None, application_id=1)
    assert row is not None and row.pk
    with pytest.raises(TypeError):
        row.save()
    with pytest.raises(TypeError):
        row.delete()
    with pytest.raises(TypeError):
        PersonalDataAccess.objects.update(what="x")
    with pytest.raises(TypeError):
        PersonalDataAccess.objects.all().delete()
    assert PersonalDataAccess.objects.get().what == ""


def test_recording_can_be_turned_off(client, apps, reviewers, settings):
    settings.ACCESS_LOG_ENABLED = False
    login(client, reviewers)
    assert client.get(reverse(DETAIL, args=[apps["a_pending"].pk])).status_code == 200
    assert not PersonalDataAccess.objects.exists()


def test_a_failed_write_keeps_the_page_and_logs_the_row(
    client, apps, reviewers, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(PersonalDataAccess, "save", broken)
    login(client, reviewers)
    application = apps["a_pending"]
    with caplog.at_level(logging.ERROR, logger="core.access_log"):
        response = client.get(reverse(DETAIL, args=[application.pk]))
    assert response.status_code == 200
    logged = [r for r in caplog.records if r.name == "core.access_log"]
    assert len(logged) == 1
    assert f'"application_id": {application.pk}' in logged[0].getMessage()
    assert reviewers["unit_a"].username in logged[0].getMessage()


def test_a_request_that_records_twice_writes_both_rows_in_one_insert(rf, reviewers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.access_log import AccessLogMiddleware, access_record

    def view(request):
        access_record(request, kind=Kind.DETAIL, application_id=1)
        access_record(request, kind=Kind.FILE, application_id=1, what="educationrecord/1")
        return HttpResponse("ok")

    request = rf.get("/", REMOTE_ADDR="10.0.0.5")
    request.user = reviewers["unit_a"]
    with CaptureQueriesContext(connection) as queries:
        AccessLogMiddleware(view)(request)
    inserts = [q for q in queries.captured_queries if "core_personaldataaccess" in q["sql"]]
    assert len(inserts) == 1
    assert sorted(PersonalDataAccess.objects.values_list("kind", "ip")) == [
        (Kind.DETAIL, "10.0.0.5"),
        (Kind.FILE, "10.0.0.5"),
    ]


def test_an_import_export_list_export_is_recorded(client, reviewers):
    """The django-import-export exports (机构, 审核账号, 缴费状态 …) end in
    people.exports.export_logged like the others."""
    from tests.review.import_helpers import admin_url, header_and_rows

    client.force_login(reviewers["city_wuhan"])
    _, rows = header_and_rows(export_post(client, admin_url("people_institution", "export")))
    row = only_row(kind=Kind.EXPORT)
    assert row.user == reviewers["city_wuhan"]
    assert row.row_count == len(rows) and row.row_count > 1


def test_deleting_an_account_keeps_its_rows_with_the_user_name(db):
    from tests.factories import UserFactory

    user = UserFactory(username="gone_reviewer")
    access_record_now(kind=Kind.DETAIL, user=user, application_id=1)
    user.delete()
    row = PersonalDataAccess.objects.get()
    assert row.user is None and row.username == "gone_reviewer"


def test_a_failing_institution_lookup_still_records_the_account(
    client, apps, reviewers, monkeypatch, caplog
):
    import core.access_log

    def broken(request):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(core.access_log, "_viewer", broken)
    login(client, reviewers)
    with caplog.at_level(logging.ERROR, logger="core.access_log"):
        response = client.get(reverse(DETAIL, args=[apps["a_pending"].pk]))
    assert response.status_code == 200
    row = only_row(kind=Kind.DETAIL)
    assert row.user == reviewers["unit_a"] and row.institution_id is None
    assert any("institution" in r.getMessage() for r in caplog.records)
