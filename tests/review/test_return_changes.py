"""修改内容 (issue 16 §1): the snapshot written with 允许修改, the detail page's 修改内容 tab
after the resubmission (files served through the permission-checked view, the old one even
once deleted), and the list's 已修改 mark and filter."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.errors import ServiceError
from exam import services as exam_services
from exam.attachment_writes import attachment_add, attachments_remove
from exam.models import Application, Attachment, CaseRecord, Section
from exam.uploads import stage_upload
from review import services as review_services
from review.models import ReturnSnapshot
from review.snapshots import return_snapshot_write
from tests.builders import decide, in_health_business, review_at, submitted, work_in
from tests.review.materials import PNG, education
from tests.review.scenario import UNIT_A
from tests.storage import use_test_storage

CHANGELIST = "admin:review_reviewapplication_changelist"
# Another valid image: the replacement's content differs from PNG.
PNG2 = PNG.replace(b"\x00\x05\x18\xd8N", b"\x00\x05\x18\xd8O")


@pytest.fixture
def media(settings, tmp_path):
    return use_test_storage(settings, tmp_path)


@pytest.fixture
def returned(media, tree, reviewers, health_project):
    """A health application with one 学历 (and its image), returned by unit_a."""
    application = submitted(health_project, tree[UNIT_A])
    record = education(application)
    application = decide(application, "return", actor=reviewers["unit_a"], remark="请更正学历")
    return application, record


def _record_entry(snapshot: ReturnSnapshot) -> dict:
    section = next(s for s in snapshot.payload["sections"] if s["code"] == "education")
    return section["records"][0]


def _replace_and_resubmit(application, record, *, school="武汉大学", image=PNG2):
    """What the candidate does after 允许修改: change a field, replace the file (the old
    one deleted, as a TCM attachment's replacement does), resubmit."""
    old_name = record.image.name
    record.school = school
    record.image = ContentFile(image, name="edu-new.png")
    record.save()
    default_storage.delete(old_name)
    exam_services.application_resubmit(actor=application.candidate.user, application=application)
    application.refresh_from_db()
    return application


def _client(client, reviewers, username="unit_a"):
    client.force_login(in_health_business(reviewers[username]))
    return client


# --- the snapshot ---------------------------------------------------------------------------


def test_return_writes_a_snapshot_with_fields_files_and_hashes(returned, reviewers):
    application, record = returned
    snapshot = ReturnSnapshot.objects.get(application=application)
    assert (snapshot.round, snapshot.tier, snapshot.remark) == (1, "unit", "请更正学历")
    assert snapshot.returned_by == reviewers["unit_a"]
    assert application.return_rounds == 1
    entry = _record_entry(snapshot)
    assert entry["key"] == f"educationrecord:{record.pk}"
    assert ["毕业学校", "湖北中医药大学"] in entry["fields"]
    [image] = entry["files"]
    assert image["name"] == record.image.name
    assert image["sha256"] == hashlib.sha256(PNG).hexdigest()
    with default_storage.open(image["copy"], "rb") as handle:  # kept apart from the original
        assert handle.read() == PNG
    assert image["copy"] != record.image.name
    basic = snapshot.payload["sections"][0]
    assert basic["code"] == "basic"
    assert ["姓名", application.candidate.name] in basic["fields"]


def test_other_decisions_write_no_snapshot(media, tree, reviewers, health_project):
    application = decide(submitted(health_project, tree[UNIT_A]), "approve")
    assert not ReturnSnapshot.objects.filter(application=application).exists()
    assert application.return_rounds == 0


def test_a_failing_return_leaves_no_snapshot(media, tree, reviewers, health_project):
    application = submitted(health_project, tree[UNIT_A])
    education(application)
    Section.objects.filter(application=application, code="title").update(status="incomplete")
    with pytest.raises(ServiceError, match="尚未填写完成"):
        # The section lock fails after the snapshot is written: all of it rolls back.
        review_services.tier_review_decide(
            actor=reviewers["unit_a"],
            tier_review=review_at(application),
            decision="return",
            remark="请修改",
            locked_sections=["title"],
        )
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.return_rounds == 0
    assert not ReturnSnapshot.objects.filter(application=application).exists()


def test_snapshot_queries_do_not_grow_with_rows(
    media, tree, reviewers, health_project, django_assert_num_queries
):
    def queries(count: int) -> int:
        application = submitted(health_project, tree[UNIT_A])
        for n in range(count):
            education(application, school=f"学校{n}")
        review = review_at(application)
        with CaptureQueriesContext(connection) as captured:
            return_snapshot_write(
                actor=reviewers["unit_a"], application=application, tier_review=review, remark=""
            )
        return len(captured.captured_queries)

    one = queries(1)
    application = submitted(health_project, tree[UNIT_A])
    for n in range(4):
        education(application, school=f"学校{n}")
    review = review_at(application)
    with django_assert_num_queries(one):
        snapshot = return_snapshot_write(
            actor=reviewers["unit_a"], application=application, tier_review=review, remark=""
        )
    assert len(_record_entry(snapshot)) and len(snapshot.payload["sections"][1]["records"]) == 4


def test_a_second_round_reuses_the_first_rounds_hashes(returned, reviewers, monkeypatch):
    application, record = returned
    exam_services.application_resubmit(actor=application.candidate.user, application=application)
    opened = []
    original_open = default_storage.open
    monkeypatch.setattr(
        type(default_storage._wrapped),
        "open",
        lambda self, name, mode="rb": opened.append(name) or original_open(name, mode),
    )
    application = decide(application, "return", actor=reviewers["unit_a"], remark="再改")
    second = ReturnSnapshot.objects.get(application=application, round=2)
    assert application.return_rounds == 2
    assert _record_entry(second)["files"][0]["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert record.image.name not in opened  # the same stored file: not read again


# --- the detail page ------------------------------------------------------------------------


def test_detail_opens_on_the_changes_after_the_resubmission(client, returned, reviewers):
    application, record = returned
    client = _client(client, reviewers)
    url = reverse("admin:review_reviewapplication_change", args=[application.pk])
    page = client.get(url)
    assert page.context["changes"].open_first is False  # returned: the candidate is at it
    assert page.context["changes"].rounds == []
    assert "考生尚未重新提交" in page.content.decode()

    application = _replace_and_resubmit(application, record)
    page = client.get(url)
    html = page.content.decode()
    changes = page.context["changes"]
    assert changes.open_first is True
    assert "'#changes'" in html  # the tab the page opens on
    [round1] = changes.rounds
    [section] = round1.changed
    assert section.label == "学历信息"
    [changed] = section.records_changed
    assert [(c.label, c.old, c.new) for c in changed.fields] == [
        ("毕业学校", "湖北中医药大学", "武汉大学")
    ]
    [file] = changed.files
    assert file.action == "更换"
    assert '<del class="rv-old">湖北中医药大学</del>' in html
    assert '<ins class="rv-new">武汉大学</ins>' in html
    assert "基础信息" in round1.unchanged
    # Both files through the permission-checked view: the old one from the kept copy.
    old = client.get(file.old["url"])
    assert old.status_code == 200 and b"".join(old.streaming_content) == PNG
    new = client.get(file.new["url"])
    assert new.status_code == 200 and b"".join(new.streaming_content) == PNG2


def test_two_rounds_are_shown_newest_first(client, returned, reviewers):
    application, record = returned
    application = _replace_and_resubmit(application, record)
    application = decide(application, "return", actor=reviewers["unit_a"], remark="再改")
    record.refresh_from_db()
    record.major = "临床医学"
    record.save()
    exam_services.application_resubmit(actor=application.candidate.user, application=application)
    page = _client(client, reviewers).get(
        reverse("admin:review_reviewapplication_change", args=[application.pk])
    )
    rounds = page.context["changes"].rounds
    assert [r.snapshot.round for r in rounds] == [2, 1]
    latest = rounds[0].changed[0].records_changed[0]
    assert [(c.label, c.new) for c in latest.fields] == [("所学专业", "临床医学")]
    assert latest.files == []  # the file replaced in round 1 is not news in round 2
    first = rounds[1].changed[0].records_changed[0]
    assert [(c.label, c.new) for c in first.fields] == [("毕业学校", "武汉大学")]


def test_never_returned_has_no_changes_tab(client, media, tree, reviewers, health_project):
    application = submitted(health_project, tree[UNIT_A])
    page = _client(client, reviewers).get(
        reverse("admin:review_reviewapplication_change", args=[application.pk])
    )
    assert page.context["changes"] is None
    assert "修改内容" not in page.content.decode()


def test_snapshot_files_only_in_scope_and_only_listed(client, returned, reviewers):
    application, _ = returned
    snapshot = ReturnSnapshot.objects.get(application=application)
    sha = _record_entry(snapshot)["files"][0]["sha256"]
    url = reverse(
        "admin:review_reviewapplication_file", args=[application.pk, "snapshot", snapshot.pk]
    )
    assert _client(client, reviewers).get(f"{url}?f={sha}").status_code == 200
    assert client.get(f"{url}?f={'0' * 64}").status_code == 404
    assert client.get(url).status_code == 404
    assert _client(client, reviewers, "unit_b").get(f"{url}?f={sha}").status_code == 404


# --- the list -------------------------------------------------------------------------------


def test_list_marks_and_filters_revised(client, returned, reviewers, health_project, tree):
    application, record = returned
    plain = submitted(health_project, tree[UNIT_A])
    client = _client(client, reviewers)
    client.get(reverse("admin:index"))
    url = reverse(CHANGELIST)

    def shown(value):
        rows = client.get(url, {"all": "", "revised": value}).context["cl"].result_list
        return {a.pk for a in rows}

    # Returned, not resubmitted yet: not 已修改.
    assert shown("yes") == set() and {application.pk, plain.pk} <= shown("no")
    _replace_and_resubmit(application, record)
    assert shown("yes") == {application.pk}
    assert application.pk not in shown("no") and plain.pk in shown("no")
    html = client.get(url, {"all": ""}).content.decode()
    assert html.count("review-flag--revised") == 1
    assert "修改情况" in html and "已修改" in html


def test_revised_filter_adds_no_query(client, returned, reviewers, health_project, tree):
    # Every choice lists rows (an empty page skips the 对比库 query: fewer, not more).
    application, record = returned
    _replace_and_resubmit(application, record)
    submitted(health_project, tree[UNIT_A])
    client = _client(client, reviewers)
    client.get(reverse("admin:index"))
    url = reverse(CHANGELIST)

    def queries(query: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(url + query)
        return len(captured.captured_queries)

    client.get(url, {"all": ""})
    plain = queries("?all=")
    assert queries("?all=&revised=yes") == plain
    assert queries("?all=&revised=no") == plain


# --- TCM: attachments replaced through the candidate's services, 病案, 学习经历 ---------------


def test_tcm_attachment_replaced_case_record_and_study_items(
    client, media, tree, reviewers, tcm_project, django_capture_on_commit_callbacks
):
    application = submitted(tcm_project, tree["420102"], track="apprenticeship")
    candidate = application.candidate
    Section.objects.filter(application=application, code="study").update(
        data={"has_study": True, "records": [{"school": "湖北中医药大学", "major": "中医学"}]}
    )
    case = CaseRecord.objects.create(
        application=application,
        number=1,
        patient_name="李四",
        patient_gender="male",
        patient_age=40,
        address="武汉市",
        phone="13800000001",
        chief_complaint="头痛三天",
        history="无",
        syndrome_analysis="风寒",
        diagnosis="头痛",
        treatment="川芎茶调散",
        analysis="好转",
    )

    def upload(content: bytes):
        file = SimpleUploadedFile("证书.png", content, content_type="image/png")
        return stage_upload(candidate=candidate, upload=file, content_type="image/png")

    old = attachment_add(
        actor=candidate.user,
        application=application,
        section_code="credentials",
        kind="certificate",
        label="资格证书",
        upload=upload(PNG),
    )
    application = decide(application, "return", actor=reviewers["county_jiangan"], remark="改")

    # The candidate replaces the certificate (the old file is deleted once that commits) …
    with django_capture_on_commit_callbacks(execute=True):
        attachments_remove(actor=candidate.user, application=application, attachments=[old])
    assert not default_storage.exists(old.file.name)
    attachment_add(
        actor=candidate.user,
        application=application,
        section_code="credentials",
        kind="certificate",
        label="资格证书",
        upload=upload(PNG2),
    )
    # … corrects a 病案 and adds a 学习经历.
    CaseRecord.objects.filter(pk=case.pk).update(diagnosis="偏头痛")
    Section.objects.filter(application=application, code="study").update(
        data={
            "has_study": True,
            "records": [
                {"school": "湖北中医药大学", "major": "中医学"},
                {"school": "武汉市中医医院", "major": "进修"},
            ],
        }
    )
    exam_services.application_resubmit(actor=candidate.user, application=application)

    client.force_login(work_in(reviewers["county_jiangan"], tcm_project))
    page = client.get(reverse("admin:review_reviewapplication_change", args=[application.pk]))
    [round1] = page.context["changes"].rounds
    changed = {s.code: s for s in round1.changed}
    assert set(changed) == {"study", "expertise", "credentials"}
    [item] = changed["study"].items_added
    assert "武汉市中医医院" in item[1] and changed["study"].items_removed == []
    [record] = changed["expertise"].records_changed
    assert (record.title, [(c.old, c.new) for c in record.fields]) == (
        "病案1",
        [("头痛", "偏头痛")],
    )
    [file] = changed["credentials"].files
    assert (file.action, file.label) == ("更换", "资格证书")
    served = client.get(file.old["url"])  # deleted from its place, kept by the snapshot
    assert served.status_code == 200 and b"".join(served.streaming_content) == PNG
    assert Attachment.objects.filter(application=application).count() == 1
