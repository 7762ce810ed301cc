"""报考条件 in the admin (exam/admin/eligibility.py): provincial staff open the list and the
form, 预览 shows the counts and the moved applications, 确认保存 saves through the service and
opens the job; malformed input comes back with its Chinese error and nothing saved; nobody
else opens it, and nobody adds or deletes a rule set."""

import json
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from core.jobs.models import Job
from exam.models import EligibilityRuleSet
from tests.exam.eligibility_helpers import UNIT_A, applications

LIST = "admin:exam_eligibilityruleset_changelist"


def _change_url(rule_set) -> str:
    return reverse("admin:exam_eligibilityruleset_change", args=[rule_set.pk])


def _post(client, rule_set, button: str, *, rules='{"max": 2}', cutoff="2027-06-30", **extra):
    data = {
        "cutoff_date": cutoff,
        "rules": rules,
        "base_version": rule_set.version,
        button: "1",
        **extra,
    }
    return client.post(_change_url(rule_set), data)


@pytest.fixture
def province_client(client, reviewers):
    client.force_login(reviewers["province"])
    return client


@pytest.mark.django_db
def test_the_list_and_the_form_for_provincial_staff(stand_in_kind, province_client, health_project):
    page = province_client.get(reverse(LIST))
    assert page.status_code == 200
    assert health_project.name in page.content.decode()

    form = province_client.get(_change_url(stand_in_kind)).content.decode()
    assert "截止日期" in form and "不符合时禁止提交" in form
    assert 'value="2026-12-31"' in form
    assert "{\n  &quot;max&quot;: 3\n}" in form  # the rules, indented, in the textarea
    assert 'name="_preview"' in form and 'name="_save"' not in form  # a preview first
    assert "键名（英文）是系统识别规则用的，请保持原样" in form


@pytest.mark.django_db
def test_preview_shows_the_counts_and_the_moved_and_saves_nothing(
    stand_in_kind, province_client, health_project, tree
):
    moved = applications(health_project, tree[UNIT_A], ["王芳", "李小明"])[1]
    page = _post(province_client, stand_in_kind, "_preview", blocks_submission="on")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="preview-counts"' in html
    assert 'id="preview-total">2<' in html
    assert "结果会改变的申报：1 份。" in html
    assert f'<td class="border-b border-base-200 p-2 dark:border-base-800">{moved.pk}</td>' in html
    assert "李小明" in html and tree[UNIT_A].name in html
    assert "截止日期：2026-12-31 → 2027-06-30" in html and "不符合时：仅提示 → 禁止提交" in html
    # 确认保存 carries the same input, hidden.
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    assert hidden["rules"] == json.dumps({"max": 2}).replace('"', "&quot;")
    assert (hidden["cutoff_date"], hidden["blocks_submission"]) == ("2027-06-30", "true")
    assert hidden["base_version"] == "1"
    assert 'name="_save"' in html
    stand_in_kind.refresh_from_db()
    assert (stand_in_kind.version, stand_in_kind.rules) == (1, {"max": 3})


@pytest.mark.django_db
@pytest.mark.parametrize(
    "rules, message",
    [
        ('{"max": 2,}', "规则不是有效的 JSON：第 1 行第 10 列附近有错误"),
        ('{"max": "二"}', "max（姓名最多字数）必须是不小于 0 的整数。"),
        ("[2]", "规则必须是一个 JSON 对象"),
    ],
)
@pytest.mark.parametrize("button", ["_preview", "_save"])
def test_malformed_rules_come_back_with_the_error_and_nothing_saved(
    stand_in_kind, province_client, rules, message, button
):
    page = _post(province_client, stand_in_kind, button, rules=rules)
    assert page.status_code == 200
    html = page.content.decode()
    assert message in html
    assert 'id="rule_set_form"' in html
    stand_in_kind.refresh_from_db()
    assert (stand_in_kind.version, stand_in_kind.rules) == (1, {"max": 3})
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_confirm_saves_and_opens_the_job(stand_in_kind, province_client, reviewers):
    response = _post(province_client, stand_in_kind, "_save", blocks_submission="true")
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:jobs_job_change", args=[job.pk])
    stand_in_kind.refresh_from_db()
    assert (stand_in_kind.version, stand_in_kind.rules) == (2, {"max": 2})
    assert stand_in_kind.blocks_submission is True
    assert stand_in_kind.updated_by == reviewers["province"]
    assert (job.kind, job.owner) == ("eligibility", reviewers["province"])
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("已保存") and "第 2 版" in message

    # The same input again: no new version, said so, the form again.
    again = _post(province_client, stand_in_kind, "_save", blocks_submission="true")
    assert again.status_code == 200
    assert "没有保存新版本" in again.content.decode()
    assert EligibilityRuleSet.objects.get().version == 2 and Job.objects.count() == 1


@pytest.mark.django_db
def test_a_stale_preview_is_refused(stand_in_kind, province_client):
    EligibilityRuleSet.objects.filter(pk=stand_in_kind.pk).update(version=3)
    page = _post(province_client, stand_in_kind, "_save")  # base_version 1
    assert "刚刚已被他人修改（现为第 3 版）" in page.content.decode()
    assert EligibilityRuleSet.objects.get().rules == {"max": 3}


@pytest.mark.django_db
def test_back_to_edit_keeps_the_input(stand_in_kind, province_client):
    page = _post(province_client, stand_in_kind, "_edit", rules='{"max":2}')
    html = page.content.decode()
    assert "{\n  &quot;max&quot;: 2\n}" in html and 'value="2027-06-30"' in html
    assert EligibilityRuleSet.objects.get().version == 1


@pytest.mark.django_db
@pytest.mark.parametrize("account", ["unit_a", "county_jiangan", "city_wuhan"])
def test_others_are_refused(stand_in_kind, client, reviewers, account):
    client.force_login(reviewers[account])
    assert client.get(reverse(LIST)).status_code == 403
    assert client.get(_change_url(stand_in_kind)).status_code == 403
    assert _post(client, stand_in_kind, "_save").status_code == 403
    assert _post(client, stand_in_kind, "_preview").status_code == 403
    assert EligibilityRuleSet.objects.get().version == 1 and not Job.objects.exists()


@pytest.mark.django_db
def test_nobody_adds_or_deletes_by_hand(stand_in_kind, province_client):
    assert province_client.get(reverse("admin:exam_eligibilityruleset_add")).status_code == 403
    delete = reverse("admin:exam_eligibilityruleset_delete", args=[stand_in_kind.pk])
    assert province_client.post(delete, {"post": "yes"}).status_code == 403
    assert EligibilityRuleSet.objects.exists()


@pytest.mark.django_db
def test_the_sidebar_shows_it_to_provincial_staff_only(client, reviewers):
    client.force_login(reviewers["province"])
    link = reverse(LIST)
    assert link in client.get(reverse("admin:index")).content.decode()
    client.force_login(reviewers["unit_a"])
    assert link not in client.get(reverse("admin:index")).content.decode()
