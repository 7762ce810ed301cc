"""Exports that expose only what is needed (people/exports.py, people/admin/export_form.py):
every export asks for 导出用途; ID numbers and phones are masked unless the user holds
导出完整证件号码 on their own institution AND ticks it; the file names who exported it, when
and why; every export (in the request or as a job) ends in one audit row."""

import io

import openpyxl
import pytest
from django.urls import reverse
from guardian.shortcuts import remove_perm

from core.jobs.models import Job
from core.masking import mask_id_number
from core.models import AuditLogEntry
from people.exports import PURPOSE_MAX_LENGTH, may_export_full_id
from people.permissions import Perm
from review.job_tasks import export_job_run
from tests.builders import in_health_business, submitted, superuser
from tests.exports import PURPOSE, export_post, export_url, grant_full_id, without_footer
from tests.review.private_media import use_private_media
from tests.review.scenario import UNIT_A

EXPORT = reverse("admin:review_reviewapplication_export")
ID_COLUMN = "证件号码"


@pytest.fixture
def two(health_project, tree):
    return [submitted(health_project, tree[UNIT_A]) for _ in range(2)]


def _login(client, user):
    client.force_login(in_health_business(user))
    return client


def _book(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _ids(response) -> set[str]:
    rows = without_footer(list(_book(response).active.iter_rows(values_only=True)))
    column = rows[0].index(ID_COLUMN)
    return {row[column] for row in rows[1:]}


def _full(apps) -> set[str]:
    return {a.candidate.id_number for a in apps}


def _masked(apps) -> set[str]:
    return {mask_id_number(a.candidate.id_number) for a in apps}


def _exported() -> list[AuditLogEntry]:
    return list(AuditLogEntry.objects.filter(action="data.exported").order_by("pk"))


# --- the form ---------------------------------------------------------------------------------


def test_the_export_asks_for_a_purpose_first_and_keeps_the_filters(client, reviewers, two):
    client = _login(client, reviewers["unit_a"])
    url = export_url(EXPORT, {"scope": "subtree", "review_status": "pending"})
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and 'id="export-form"' in html
    assert 'name="purpose"' in html and 'name="full_id"' not in html  # not a holder
    assert "脱敏导出" in html and not _exported()
    # The form posts back to the same URL: the filters stay in its query string.
    assert 'action="' not in html.split('id="export-form"')[0].rsplit("<form", 1)[-1]
    # The list's 导出 button carries the list's filters to this page.
    listing = client.get(reverse("admin:review_reviewapplication_changelist"), {"scope": "subtree"})
    assert f"{EXPORT}?scope=subtree" in listing.content.decode()


@pytest.mark.parametrize(
    ("purpose", "message"),
    [
        ("", "请填写导出用途。"),
        ("   \t  ", "请填写导出用途。"),
        ("很" * (PURPOSE_MAX_LENGTH + 1), f"导出用途最多 {PURPOSE_MAX_LENGTH} 个字。"),
    ],
)
def test_a_missing_or_too_long_purpose_gives_no_file(client, reviewers, two, purpose, message):
    client = _login(client, reviewers["unit_a"])
    response = export_post(client, EXPORT, {"scope": "subtree"}, purpose=purpose)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()
    assert not _exported() and not Job.objects.exists()


def test_the_purpose_is_trimmed_and_the_longest_allowed_is_accepted(client, reviewers, two):
    client = _login(client, reviewers["unit_a"])
    longest = "查" * PURPOSE_MAX_LENGTH
    assert export_post(client, EXPORT, purpose=f"  {longest}\n").status_code == 200
    assert _exported()[-1].data["purpose"] == longest
    # Control characters (an xlsx cannot hold them) and line breaks become one space.
    response = export_post(client, EXPORT, purpose="名单\x01核对\r\n第二行\u200b")
    assert _exported()[-1].data["purpose"] == "名单 核对 第二行"
    assert _book(response).properties.subject == "名单 核对 第二行"


# --- masking and the 导出完整证件号码 permission -------------------------------------------------


def test_masked_by_default_and_a_forged_full_id_field_is_ignored(client, reviewers, two):
    user = reviewers["unit_a"]
    assert not may_export_full_id(user)  # 导出 is not 导出完整证件号码
    client = _login(client, user)
    assert _ids(export_post(client, EXPORT, {"scope": "subtree"})) == _masked(two)
    forged = export_post(client, EXPORT, {"scope": "subtree"}, full_id=True)
    assert _ids(forged) == _masked(two)
    assert [e.data["full_id"] for e in _exported()] == [False, False]


def test_a_holder_gets_full_numbers_only_when_asking(client, reviewers, two):
    user = reviewers["unit_a"]
    grant_full_id(user)
    client = _login(client, user)
    page = client.get(EXPORT).content.decode()
    assert 'name="full_id"' in page and "导出完整证件号码" in page
    assert _ids(export_post(client, EXPORT, {"scope": "subtree"})) == _masked(two)
    assert _ids(export_post(client, EXPORT, {"scope": "subtree"}, full_id=True)) == _full(two)
    first, second = _exported()
    assert (first.data["full_id"], second.data["full_id"]) == (False, True)
    assert "完整证件号码" in second.remark and "脱敏" in first.remark


def test_the_permission_counts_only_on_the_own_institution(reviewers, tree):
    from guardian.shortcuts import assign_perm

    user = reviewers["county_jiangan"]
    assign_perm(Perm.EXPORT_FULL_ID.full, user, tree[UNIT_A])  # a unit below, not its own
    assert not may_export_full_id(user)
    grant_full_id(user)
    assert may_export_full_id(user)
    user.is_active = False
    assert not may_export_full_id(user)


def test_the_superuser_counts_as_a_holder(client, two):
    root = superuser()
    assert may_export_full_id(root)
    client = _login(client, root)
    page = client.get(EXPORT).content.decode()
    assert 'name="full_id"' in page
    assert _ids(export_post(client, EXPORT, {"scope": "subtree"})) == _masked(two)
    assert _ids(export_post(client, EXPORT, {"scope": "subtree"}, full_id=True)) == _full(two)
    assert _exported()[-1].data["full_id"] is True


def test_the_material_lists_mask_too(client, reviewers, health_project, tree, settings, tmp_path):
    from tests.review.materials import education

    use_private_media(settings, tmp_path)
    apps = [submitted(health_project, tree[UNIT_A])]
    education(apps[0])
    client = _login(client, reviewers["unit_a"])
    url = reverse("admin:review_verifyeducation_export")
    assert _ids(export_post(client, url)) == _masked(apps)
    grant_full_id(reviewers["unit_a"])
    assert _ids(export_post(client, url, full_id=True)) == _full(apps)


# --- the file and the record ----------------------------------------------------------------


def test_the_file_names_its_exporter_time_and_purpose(client, reviewers, tree, two):
    user = reviewers["unit_a"]
    client = _login(client, user)
    response = export_post(client, EXPORT, {"scope": "subtree", "review_status": "pending"})
    book = _book(response)
    rows = list(book.active.iter_rows(values_only=True))
    footer = rows[-1][0]
    institution = tree[UNIT_A].name
    assert footer.startswith(f"导出人：{user.username}")
    assert institution in footer and "导出时间：" in footer and footer.endswith(PURPOSE)
    assert all(cell is None for cell in rows[-1][1:])
    assert len(rows) == 1 + len(two) + 1
    props = book.properties
    assert props.creator.startswith(user.username) and props.subject == PURPOSE
    assert props.title == "Sheet1" and PURPOSE in props.keywords
    assert props.description == footer

    (entry,) = _exported()
    assert (entry.actor, entry.institution_id) == (user, tree[UNIT_A].pk)
    assert entry.data["export"] == "报名材料审核" and entry.data["purpose"] == PURPOSE
    assert entry.data["row_count"] == len(two) and entry.data["full_id"] is False
    assert entry.data["filters"] == {"scope": "subtree", "review_status": "pending"}
    assert entry.data["ip"] == "127.0.0.1"
    from core.audit import log_action_label

    assert log_action_label(entry.action) == "导出数据"


def test_no_export_permission_no_form_and_no_file(client, reviewers, tree, two):
    unit_b = tree["U420102002"]
    remove_perm("people.export_data", unit_b.reviewer_group, unit_b)
    client = _login(client, reviewers["unit_b"])
    assert client.get(EXPORT).status_code == 403
    assert export_post(client, EXPORT).status_code == 403
    assert not _exported()


# --- background jobs carry the purpose and the full-ID decision -----------------------------


@pytest.mark.parametrize("keep_permission", [True, False])
def test_a_job_export_carries_purpose_and_full_id(
    client, reviewers, two, settings, tmp_path, keep_permission
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": "/not-served/"},
        },
    }
    settings.JOB_THRESHOLD_ROWS = 0
    user = reviewers["unit_a"]
    grant_full_id(user)
    client = _login(client, user)
    response = export_post(client, EXPORT, {"scope": "subtree"}, purpose="年度复核", full_id=True)
    job = Job.objects.get()
    assert response.status_code == 302 and str(job.pk) in response["Location"]
    assert (job.params["purpose"], job.params["full_id"]) == ("年度复核", True)
    assert not _exported()  # recorded when the file is written
    if not keep_permission:  # taken away meanwhile: the job writes masked numbers
        remove_perm(Perm.EXPORT_FULL_ID.full, user, tree_institution(user))
    export_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    with job.result_file.open("rb") as handle:
        book = openpyxl.load_workbook(io.BytesIO(handle.read()))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[-1][0].endswith("导出用途：年度复核") and book.properties.subject == "年度复核"
    column = rows[0].index(ID_COLUMN)
    ids = {row[column] for row in without_footer(rows)[1:]}
    assert ids == (_full(two) if keep_permission else _masked(two))
    (entry,) = _exported()
    assert entry.data["purpose"] == "年度复核" and entry.data["row_count"] == len(two)
    assert entry.data["full_id"] is keep_permission and entry.actor == user


def tree_institution(user):
    return user.reviewer_membership.institution
