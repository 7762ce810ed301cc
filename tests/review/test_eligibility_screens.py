"""报考条件 on the review screens: the detail page's block, override form and 撤销人工认定,
the list's column and filter, and what they cost in queries."""

import re

import pytest
from django.contrib.admin.utils import label_for_field
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from unfold.templatetags.unfold_list import items_for_result

from core.fast_list import row_html
from core.masking import mask_id_number
from core.models import AuditLogEntry
from exam.eligibility.outcomes import Outcome
from exam.eligibility.services import eligibility_outcome_copy
from exam.models import Application, EligibilityResult
from review.eligibility import LOG_ELIGIBILITY_OVERRIDDEN, eligibility_override
from tests.builders import advance_to, in_health_business, new_application, submitted
from tests.exports import export_post
from tests.review.scenario import UNIT_A

CHANGELIST = "admin:review_reviewapplication_changelist"
RULES = [
    {
        "code": "education_years",
        "title": "学历与年限",
        "outcome": Outcome.INELIGIBLE,
        "explanation": "本科，任师职满 3 年（2023-07 至 2026-12-31），中级要求 4 年：不符合",
    },
    {
        "code": "major_type",
        "title": "专业类型",
        "outcome": Outcome.ELIGIBLE,
        "explanation": "临床医学属医学类专业：符合",
    },
]


def _result(application, outcome=Outcome.INELIGIBLE, rules=RULES) -> EligibilityResult:
    """A stored result, copied onto the application as exam.eligibility.services does."""
    eligibility_outcome_copy(outcomes={application.pk: outcome})
    return EligibilityResult.objects.create(
        application=application,
        outcome=outcome,
        computed_outcome=outcome,
        results=rules,
        rule_set_version=3,
        evaluated_at=timezone.now(),
    )


def _url(name, *args):
    return reverse(f"admin:review_reviewapplication_{name}", args=args)


def _as(client, reviewers, username):
    client.force_login(in_health_business(reviewers[username]))
    return client


def _messages(response) -> str:
    return " ".join(str(m) for m in response.wsgi_request._messages)


def _stored(application) -> tuple:
    result = EligibilityResult.objects.get(application=application)
    logged = AuditLogEntry.objects.filter(action=LOG_ELIGIBILITY_OVERRIDDEN).count()
    return result.outcome, result.override_outcome, result.override_remark, logged


OFFERED = 'name="remark" maxlength="255"'  # the override form's remark box


@pytest.fixture
def at_unit(health_project, tree):
    application = submitted(health_project, tree[UNIT_A])
    _result(application)
    return application


# --- the detail page --------------------------------------------------------------------------


def test_block_is_first_on_the_basic_tab_with_each_rules_explanation(client, reviewers, at_unit):
    html = _as(client, reviewers, "unit_a").get(_url("change", at_unit.pk)).content.decode()
    basic = html[html.index('id="tab-basic"') :]
    assert basic.index('id="eligibility"') < basic.index("<h2>基础信息")
    block = basic[: basic.index("<h2>基础信息")]
    assert '<span class="rv-badge rv-badge--danger">不符合</span>' in block
    for rule in RULES:
        assert rule["title"] in block and rule["explanation"] in block
    assert '<span class="rv-badge rv-badge--success">符合</span>' in block  # 专业类型
    assert "第 3 版规则" in block
    assert "人工认定：" not in block and "系统判断" not in block  # not overridden
    assert OFFERED in block  # the tier where it is: unit_a may override


def test_without_a_result_the_block_says_so(client, reviewers, health_project, tree):
    application = submitted(health_project, tree[UNIT_A])
    response = _as(client, reviewers, "unit_a").get(_url("change", application.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "尚未判断报考条件" in html and OFFERED not in html


def test_override_through_the_page_is_shown_to_every_tier_that_can_open_it(
    client, reviewers, at_unit
):
    response = _as(client, reviewers, "unit_a").post(
        _url("eligibility", at_unit.pk),
        {"outcome": Outcome.ELIGIBLE, "remark": "单位人事证明 2022-06 已任师职"},
        follow=True,
    )
    assert "已人工认定报考条件为“符合”。" in _messages(response)
    assert response.redirect_chain[-1][0] == _url("change", at_unit.pk)
    result = EligibilityResult.objects.get(application=at_unit)
    unit_a = reviewers["unit_a"]
    when = timezone.localtime(result.overridden_at).strftime("%Y-%m-%d %H:%M")
    who = unit_a.get_full_name() or unit_a.username
    line = f"人工认定：符合（{who}，单位·江岸区演示第一医院，{when}）"

    advance_to(at_unit, "province")
    for username in ("unit_a", "county_jiangan", "city_wuhan", "province"):
        html = _as(client, reviewers, username).get(_url("change", at_unit.pk)).content.decode()
        block = html[html.index('id="eligibility"') : html.index("<h2>基础信息")]
        assert line in block, username
        assert "认定说明：单位人事证明 2022-06 已任师职" in block
        assert '系统判断：<span class="rv-badge rv-badge--danger">不符合</span>' in block
        assert '<span class="rv-badge rv-badge--success">符合</span>' in block  # what counts
        assert 'review-flag--override">人工认定</span>' in block
        # Only the province, where the application now is, may override again.
        assert (OFFERED in block) == (username == "province"), username
        assert ("不能认定报考条件" in block) == (username != "province"), username


def test_form_is_offered_only_to_the_reviewer_of_the_tier_where_it_is(
    client, reviewers, health_project, tree
):
    at_county = advance_to(submitted(health_project, tree[UNIT_A]), "county")
    _result(at_county)
    draft = new_application(health_project, tree[UNIT_A])
    _result(draft)

    html = _as(client, reviewers, "county_jiangan").get(_url("change", at_county.pk))
    assert OFFERED in html.content.decode()
    html = _as(client, reviewers, "unit_a").get(_url("change", at_county.pk)).content.decode()
    assert OFFERED not in html
    assert '<p class="rv-none">您没有“江岸区卫生健康局”的审核权限，不能认定报考条件。</p>' in html
    html = client.get(_url("change", draft.pk)).content.decode()
    assert OFFERED not in html and "考生尚未提交" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"outcome": Outcome.ELIGIBLE, "remark": "   "}, "人工认定报考条件时必须填写认定说明。"),
        ({"outcome": "", "remark": "说明"}, "请选择认定结果：符合、不符合或需人工核实。"),
    ],
)
def test_bad_input_shows_the_chinese_message_and_changes_nothing(
    client, reviewers, at_unit, data, message
):
    before = _stored(at_unit)
    client = _as(client, reviewers, "unit_a")
    response = client.post(_url("eligibility", at_unit.pk), data, follow=True)
    assert response.status_code == 200 and message in _messages(response)
    assert _stored(at_unit) == before == (Outcome.INELIGIBLE, "", "", 0)


def test_a_tier_above_or_below_is_refused_with_a_message(client, reviewers, health_project, tree):
    at_county = advance_to(submitted(health_project, tree[UNIT_A]), "county")
    _result(at_county)
    before = _stored(at_county)
    response = _as(client, reviewers, "unit_a").post(
        _url("eligibility", at_county.pk),
        {"outcome": Outcome.ELIGIBLE, "remark": "说明"},
        follow=True,
    )
    assert "您没有“江岸区卫生健康局”的审核权限" in _messages(response)
    assert _stored(at_county) == before


@pytest.mark.parametrize("username", ["unit_b", "county_wuchang", "city_wuhan", "province"])
def test_out_of_scope_is_404_and_changes_nothing(client, reviewers, at_unit, username):
    before = _stored(at_unit)
    client = _as(client, reviewers, username)
    data = {"outcome": Outcome.ELIGIBLE, "remark": "说明"}
    assert client.post(_url("eligibility", at_unit.pk), data).status_code == 404
    assert client.post(_url("eligibility", 987654), data).status_code == 404
    assert _stored(at_unit) == before


def test_the_override_needs_post_and_the_csrf_token(reviewers, at_unit):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(in_health_business(reviewers["unit_a"]))
    url = _url("eligibility", at_unit.pk)
    assert strict.get(url).status_code == 405
    data = {"outcome": Outcome.ELIGIBLE, "remark": "说明"}
    assert strict.post(url, data).status_code == 403
    assert _stored(at_unit) == (Outcome.INELIGIBLE, "", "", 0)


# --- 撤销人工认定 ------------------------------------------------------------------------------

REVOKE_BUTTON = ">撤销人工认定</button>"


def _overridden_at_unit(client, reviewers, application) -> Client:
    client = _as(client, reviewers, "unit_a")
    client.post(_url("eligibility", application.pk), {"outcome": "eligible", "remark": "核实"})
    assert _stored(application)[:2] == (Outcome.ELIGIBLE, Outcome.ELIGIBLE)
    return client


def _copy(application) -> str:
    """The application's copy of what counts, which the list's filter reads."""
    return Application.objects.values_list("eligibility_outcome", flat=True).get(pk=application.pk)


def test_revoke_button_only_with_an_override_and_to_whom_may_override(client, reviewers, at_unit):
    client = _as(client, reviewers, "unit_a")
    html = client.get(_url("change", at_unit.pk)).content.decode()
    assert OFFERED in html and REVOKE_BUTTON not in html  # nothing to revoke yet
    _overridden_at_unit(client, reviewers, at_unit)
    html = client.get(_url("change", at_unit.pk)).content.decode()
    block = html[html.index('id="eligibility"') : html.index("<h2>基础信息")]
    assert REVOKE_BUTTON in block
    assert _url("eligibility_revoke", at_unit.pk) in block
    assert "报考条件恢复为系统判断“不符合”" in block

    advance_to(at_unit, "county")  # now the county's: unit_a may no longer, the county may
    html = client.get(_url("change", at_unit.pk)).content.decode()
    assert REVOKE_BUTTON not in html and "不能认定报考条件" in html
    html = _as(client, reviewers, "county_jiangan").get(_url("change", at_unit.pk))
    assert REVOKE_BUTTON in html.content.decode()


def test_revoke_through_the_page_puts_the_engines_result_back(client, reviewers, at_unit):
    client = _overridden_at_unit(client, reviewers, at_unit)
    assert _copy(at_unit) == Outcome.ELIGIBLE
    response = client.post(_url("eligibility_revoke", at_unit.pk), follow=True)
    assert response.redirect_chain[-1][0] == _url("change", at_unit.pk)
    assert "已撤销人工认定，报考条件恢复为系统判断“不符合”。" in _messages(response)
    assert _stored(at_unit) == (Outcome.INELIGIBLE, "", "", 1)
    assert _copy(at_unit) == Outcome.INELIGIBLE
    html = response.content.decode()
    block = html[html.index('id="eligibility"') : html.index("<h2>基础信息")]
    assert '<span class="rv-badge rv-badge--danger">不符合</span>' in block
    assert "人工认定：" not in block and REVOKE_BUTTON not in block
    assert "撤销人工认定报考条件" in html  # 审核进度

    # Nothing left to revoke: said in Chinese, nothing changes.
    response = client.post(_url("eligibility_revoke", at_unit.pk), follow=True)
    assert "该申报的报考条件没有人工认定，无需撤销。" in _messages(response)


def test_revoke_by_a_tier_that_may_not_is_refused_with_a_message(client, reviewers, at_unit):
    _overridden_at_unit(client, reviewers, at_unit)
    advance_to(at_unit, "county")
    response = _as(client, reviewers, "unit_a").post(
        _url("eligibility_revoke", at_unit.pk), follow=True
    )
    assert "您没有“江岸区卫生健康局”的审核权限" in _messages(response)
    assert _stored(at_unit)[:2] == (Outcome.ELIGIBLE, Outcome.ELIGIBLE)
    assert _copy(at_unit) == Outcome.ELIGIBLE


@pytest.mark.parametrize("username", ["unit_b", "county_wuchang", "city_wuhan", "province"])
def test_revoke_out_of_scope_is_404_and_changes_nothing(client, reviewers, at_unit, username):
    _overridden_at_unit(client, reviewers, at_unit)
    client = _as(client, reviewers, username)
    assert client.post(_url("eligibility_revoke", at_unit.pk)).status_code == 404
    assert client.post(_url("eligibility_revoke", 987654)).status_code == 404
    assert _stored(at_unit)[:2] == (Outcome.ELIGIBLE, Outcome.ELIGIBLE)


def test_revoke_needs_post_and_the_csrf_token(client, reviewers, at_unit):
    _overridden_at_unit(client, reviewers, at_unit)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(in_health_business(reviewers["unit_a"]))
    url = _url("eligibility_revoke", at_unit.pk)
    assert strict.get(url).status_code == 405
    assert strict.post(url).status_code == 403
    assert _stored(at_unit)[:2] == (Outcome.ELIGIBLE, Outcome.ELIGIBLE)
    assert _copy(at_unit) == Outcome.ELIGIBLE


def _queries(client, url, *, logged: int = 0) -> int:
    """The page's own queries: without the access log's INSERT (个人信息访问记录, written at
    the end of the request; a detail page writes exactly one), counted apart as in
    test_exporting.py."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    log = [q for q in captured.captured_queries if "core_personaldataaccess" in q["sql"]]
    assert len(log) == logged and all(q["sql"].startswith("INSERT") for q in log)
    return len(captured.captured_queries) - len(log)


def test_the_block_costs_one_query_at_most(client, reviewers, health_project, tree):
    """The result comes with the application's own query; asking whether the viewer may
    override is the one query more (an EXISTS on the 审核 permission)."""
    without = submitted(health_project, tree[UNIT_A])
    plain, overridden = (submitted(health_project, tree[UNIT_A]) for _ in range(2))
    _result(plain)
    _result(overridden, rules=RULES * 5)
    client = _as(client, reviewers, "unit_a")
    client.post(_url("eligibility", overridden.pk), {"outcome": "manual", "remark": "待核实"})
    client.get(_url("change", without.pk))  # the session's first look-ups
    base = _queries(client, _url("change", without.pk), logged=1)
    assert _queries(client, _url("change", plain.pk), logged=1) == base + 1
    assert _queries(client, _url("change", overridden.pk), logged=1) == base + 1
    assert base + 1 <= 25  # tests/review/test_exporting.py's ceiling for the page


# --- the list ---------------------------------------------------------------------------------


@pytest.fixture
def four(health_project, tree, reviewers):
    """One application per 报考条件: 符合, 不符合 overridden to 需人工核实, 需人工核实, none."""
    apps = {key: submitted(health_project, tree[UNIT_A]) for key in ("yes", "no", "manual", "none")}
    _result(apps["yes"], Outcome.ELIGIBLE)
    _result(apps["no"], Outcome.INELIGIBLE)
    eligibility_override(
        actor=reviewers["unit_a"], application=apps["no"], outcome=Outcome.MANUAL, remark="说明"
    )
    _result(apps["manual"], Outcome.MANUAL)
    return apps


def _cells(response) -> dict[int, str]:
    """The 报考条件 cell of each row, by application id."""
    cl = response.context["cl"]
    cells = {}
    for row, obj in zip(row_html(cl), cl.result_list, strict=True):
        cell = re.search(r'<td class="field-eligibility_badge[^"]*">(.*?)</td>', row, re.S)
        cells[obj.pk] = re.sub(r"\s+", " ", cell.group(1)).strip()
    return cells


def test_list_column_shows_the_badge_and_the_override_mark(client, reviewers, four):
    response = _as(client, reviewers, "unit_a").get(reverse(CHANGELIST))
    cl = response.context["cl"]
    headers = [str(label_for_field(name, cl.model, cl.model_admin)) for name in cl.list_display]
    assert headers[-1] == "报考条件"
    cells = _cells(response)
    assert "> 符合 <" in cells[four["yes"].pk] and "人工认定" not in cells[four["yes"].pk]
    assert "> 需人工核实 <" in cells[four["no"].pk] and "人工认定" in cells[four["no"].pk]
    assert (
        "> 需人工核实 <" in cells[four["manual"].pk] and "人工认定" not in cells[four["manual"].pk]
    )
    assert cells[four["none"].pk] == ""
    # unfold's badge colours, from review.workflow's map
    assert "bg-green" in cells[four["yes"].pk] and "bg-orange" in cells[four["manual"].pk]


def test_fast_rows_with_results_are_unfolds_rows(client, reviewers, four):
    response = _as(client, reviewers, "unit_a").get(reverse(CHANGELIST))
    cl = response.context["cl"]
    normalised = lambda html: re.sub(r">\s+", ">", re.sub(r"\s+<", "<", html))  # noqa: E731
    for row, obj in zip(row_html(cl), cl.result_list, strict=True):
        cells = re.search(r'<tr class="data-row relative">(.*)</tr></tbody>$', row, re.S)
        assert normalised(cells.group(1)) == normalised("".join(items_for_result(cl, obj, None)))


def test_filter_offers_the_four_choices_and_filters_on_what_counts(client, reviewers, four):
    client = _as(client, reviewers, "unit_a")
    response = client.get(reverse(CHANGELIST))
    spec = next(f for f in response.context["cl"].filter_specs if f.parameter_name == "eligibility")
    assert spec.title == "报考条件"
    assert list(spec.lookup_choices) == [
        ("eligible", "符合"),
        ("ineligible", "不符合"),
        ("manual", "需人工核实"),
        ("none", "未判断"),
    ]

    def shown(value):
        response = client.get(reverse(CHANGELIST), {"eligibility": value})
        return {a.pk for a in response.context["cl"].result_list}

    assert shown("eligible") == {four["yes"].pk}
    assert shown("ineligible") == set()  # overridden to 需人工核实: the override counts
    assert shown("manual") == {four["no"].pk, four["manual"].pk}
    assert shown("none") == {four["none"].pk}
    assert shown("nonsense") == shown("") == {a.pk for a in four.values()}


def test_filter_adds_no_query_and_rows_add_none(client, reviewers, health_project, tree, four):
    # Every choice lists rows (an empty page skips the 对比库 query: fewer, not more).
    _result(submitted(health_project, tree[UNIT_A]), Outcome.INELIGIBLE)
    client = _as(client, reviewers, "unit_a")
    client.get(reverse("admin:index"))  # the session's first request resolves 当前业务
    url = reverse(CHANGELIST)
    client.get(url, {"all": ""})
    plain = _queries(client, url + "?all=")
    for value in ("eligible", "ineligible", "manual", "none"):
        assert _queries(client, f"{url}?all=&eligibility={value}") == plain, value
    for _ in range(10):
        _result(submitted(health_project, tree[UNIT_A]), Outcome.MANUAL)
    assert _queries(client, url + "?all=&eligibility=manual") == plain
    assert _queries(client, url + "?all=") == plain


def test_the_export_follows_the_filter(client, reviewers, four):
    import io

    import openpyxl

    client = _as(client, reviewers, "unit_a")
    response = export_post(client, _url("export"), {"eligibility": "none"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    numbers = {str(c) for row in sheet.iter_rows(min_row=2, values_only=True) for c in row}
    assert mask_id_number(four["none"].candidate.id_number) in numbers
    assert sheet.max_row == 3  # the header, the one row, the 导出人 footer


def test_another_units_reviewer_sees_none_of_it(client, reviewers, four):
    response = _as(client, reviewers, "unit_b").get(reverse(CHANGELIST), {"eligibility": "manual"})
    assert list(response.context["cl"].result_list) == []
