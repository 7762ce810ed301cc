"""查重设置 and the rebuild: provincial staff set a project's text threshold (range checked,
logged, re-matched in the background); `manage.py duplicates_rebuild --only texts` indexes
every text again and finds the same matches."""

import io
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.urls import reverse

from core.errors import ServiceError
from core.models import AuditLogEntry
from exam.audit_actions import LOG_DUPLICATE_SETTINGS_CHANGED
from exam.duplicates import text_hooks, texts
from exam.duplicates.models import DuplicateSettings, Match, TextBand, TextFingerprint
from exam.duplicates.settings_services import duplicate_settings_update
from tests.builders import new_application
from tests.exam.test_duplicate_texts import CASE_A, CASE_B, near_copy, save_case

pytestmark = pytest.mark.django_db


def test_province_sets_the_threshold_logged_and_rematched(
    reviewers, tcm_project, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(text_hooks, "texts_rematch_task", SimpleNamespace(enqueue=queued.append))
    with django_capture_on_commit_callbacks(execute=True):
        duplicate_settings_update(
            actor=reviewers["province"], project=tcm_project, text_threshold=70
        )
    assert DuplicateSettings.objects.get(project=tcm_project).text_threshold == 70
    entry = AuditLogEntry.objects.get(action=LOG_DUPLICATE_SETTINGS_CHANGED)
    assert entry.data["changes"] == {"text_threshold": {"from": 80, "to": 70}}
    assert "80% → 70%" in entry.data["remark"]
    assert queued == [tcm_project.pk]
    # The same value again: no row, no re-matching.
    with django_capture_on_commit_callbacks(execute=True):
        duplicate_settings_update(
            actor=reviewers["province"], project=tcm_project, text_threshold=70
        )
    assert AuditLogEntry.objects.filter(action=LOG_DUPLICATE_SETTINGS_CHANGED).count() == 1
    assert queued == [tcm_project.pk]


@pytest.mark.parametrize("value", [49, 101, -1, "80", True])
def test_threshold_out_of_range_refused(reviewers, tcm_project, value):
    with pytest.raises(ServiceError, match="50至100"):
        duplicate_settings_update(
            actor=reviewers["province"], project=tcm_project, text_threshold=value
        )
    assert not DuplicateSettings.objects.exists()


@pytest.mark.parametrize("who", ["city_wuhan", "county_jiangan", "unit_a"])
def test_only_the_province_sets_it(reviewers, tcm_project, who):
    with pytest.raises(ServiceError, match="省级"):
        duplicate_settings_update(actor=reviewers[who], project=tcm_project, text_threshold=70)


def test_admin_page_province_only_and_validated(client, reviewers, tcm_project):
    url = reverse("admin:duplicates_duplicatesettings_add")
    client.force_login(reviewers["county_jiangan"])
    assert client.get(url).status_code == 403
    client.force_login(reviewers["province"])
    response = client.post(url, {"project": tcm_project.pk, "text_threshold": 30})
    assert response.status_code == 200 and "50至100" in response.content.decode()
    assert not DuplicateSettings.objects.exists()
    response = client.post(url, {"project": tcm_project.pk, "text_threshold": 75})
    assert response.status_code == 302
    assert DuplicateSettings.objects.get(project=tcm_project).text_threshold == 75
    assert AuditLogEntry.objects.filter(action=LOG_DUPLICATE_SETTINGS_CHANGED).exists()


def test_rebuild_command_indexes_everything_again(tree, tcm_project):
    a, b, c = (new_application(tcm_project, tree["420102"], track="practice") for _ in range(3))
    records = [save_case(a, CASE_A), save_case(b, near_copy(CASE_A)), save_case(c, CASE_B)]
    # Saved without the hooks: nothing indexed yet.
    assert not TextFingerprint.objects.exists()
    out = io.StringIO()
    call_command("duplicates_rebuild", "--only", "texts", stdout=out)
    assert set(TextFingerprint.objects.values_list("ref", flat=True)) == {
        texts.case_ref(r.pk) for r in records
    }
    assert TextBand.objects.count() == 3 * texts.BANDS
    match = Match.objects.get()
    assert {match.ref, match.other_ref} == {
        texts.case_ref(records[0].pk),
        texts.case_ref(records[1].pk),
    }
    assert match.detail["passages"]
    output = out.getvalue()
    assert "texts 重建完成" in output and "建立索引 3" in output and "相似对 1" in output
    # Again: the same index and matches, nothing doubled.
    call_command("duplicates_rebuild", stdout=io.StringIO())
    assert TextBand.objects.count() == 3 * texts.BANDS and Match.objects.count() == 1
    # A text removed since: its fingerprint and match go at the next rebuild.
    records[1].delete()
    call_command("duplicates_rebuild", "--only", "texts", stdout=io.StringIO())
    assert TextFingerprint.objects.count() == 2 and not Match.objects.exists()
