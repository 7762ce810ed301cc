"""TCM-expertise candidate pages: the start page (考生类型 + county), 基本信息, moving the
application to another county, and who may open or change what. The other section pages are in
test_site_tcm_experience.py and test_site_tcm_records.py; 推荐信息 in test_site_recommendation.py."""

import datetime

import pytest
from django.urls import reverse

from core.audit import log_action_label
from core.errors import ServiceError
from core.models import AuditLogEntry
from exam import services as exam_services
from exam.audit_actions import LOG_APPLICATION_ENTRY_CHANGED
from exam.models import Application, Attachment, Section
from people.models import Institution
from tests.builders import complete_sections, new_application, submitted
from tests.exam.tcm_helpers import (
    BASIC,
    JIANGAN,
    WUCHANG,
    app_a_fixture,  # noqa: F401 (a fixture)
    media,  # noqa: F401 (a fixture)
    pdf,
    place,
    png,
    section,
    section_url,
)
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db


# --- start page ----------------------------------------------------------------------------


class TestStart:
    def url(self, project):
        return reverse("apply:tcm_start") + f"?project={project.pk}"

    def test_get_lists_cities_and_counties_with_their_city(self, client, tree, tcm_project):
        client.force_login(CandidateFactory().user)
        response = client.get(self.url(tcm_project))
        html = response.content.decode()
        assert response.status_code == 200
        assert "以师承方式学习中医" in html and "经多年中医医术实践" in html
        assert "武汉市卫生健康委员会" in html
        jiangan = tree[JIANGAN]
        assert f'<option value="{jiangan.pk}" data-parent="{jiangan.parent_id}">' in html
        assert "chained-select.js" in html

    @pytest.mark.parametrize("track", ["apprenticeship", "practice"])
    def test_each_track_creates_the_application_at_the_county(
        self, client, tree, tcm_project, track
    ):
        candidate = CandidateFactory()
        client.force_login(candidate.user)
        county = tree[WUCHANG]
        response = client.post(
            self.url(tcm_project),
            {"track": track, "city": county.parent_id, "county": county.pk},
        )
        application = Application.objects.get(candidate=candidate)
        assert response.status_code == 302
        assert response["Location"] == reverse("apply:overview", args=[application.pk])
        assert application.track == track
        assert application.entry_institution == county
        codes = set(application.sections.values_list("code", flat=True))
        assert ("apprenticeship" in codes) == (track == "apprenticeship")
        assert ("practice" in codes) == (track == "practice")

    def test_invalid_choices_are_refused_with_messages(self, client, tree, tcm_project):
        candidate = CandidateFactory()
        client.force_login(candidate.user)
        unit = tree["U420102001"]
        wuhan, yichang = tree["420100"], tree["420500"]
        cases = [
            ({}, ["请选择考生类型。", "请选择市州。", "请选择区县。"]),
            ({"track": "x", "city": wuhan.pk, "county": tree[JIANGAN].pk}, ["请选择考生类型。"]),
            ({"track": "practice", "city": wuhan.pk, "county": unit.pk}, ["请选择有效的区县。"]),
            (
                {"track": "practice", "city": yichang.pk, "county": tree[JIANGAN].pk},
                ["所选区县不属于所选市州"],
            ),
        ]
        for data, expected in cases:
            response = client.post(self.url(tcm_project), data)
            assert response.status_code == 200
            for text in expected:
                assert text in response.content.decode()
        assert not Application.objects.filter(candidate=candidate).exists()

    def test_inactive_county_is_not_offered(self, client, tree, tcm_project):
        county = tree[WUCHANG]
        Institution.objects.filter(pk=county.pk).update(is_active=False)
        client.force_login(CandidateFactory().user)
        response = client.post(
            self.url(tcm_project),
            {"track": "practice", "city": county.parent_id, "county": county.pk},
        )
        assert "请选择有效的区县。" in response.content.decode()

    def test_closed_project(self, client, tree, tcm_project):
        tcm_project.registration_closes_at = tcm_project.registration_opens_at + datetime.timedelta(
            days=1
        )
        tcm_project.save()
        candidate = CandidateFactory()
        client.force_login(candidate.user)
        response = client.get(self.url(tcm_project), follow=True)
        assert "不在报名时间内" in response.content.decode()
        response = client.post(
            self.url(tcm_project),
            {"track": "practice", "city": tree["420100"].pk, "county": tree[JIANGAN].pk},
        )
        assert response.status_code == 302
        assert not Application.objects.filter(candidate=candidate).exists()

    def test_applied_twice_goes_to_the_existing_application(self, client, app_a, tcm_project):
        response = client.post(
            self.url(tcm_project),
            {"track": "practice", "city": app_a.city_id, "county": app_a.county_id},
            follow=True,
        )
        assert response.redirect_chain[-1][0] == reverse("apply:overview", args=[app_a.pk])
        assert "每个项目只能申报一次" in response.content.decode()
        assert Application.objects.filter(candidate=app_a.candidate).count() == 1

    def test_unknown_or_health_project_is_404(self, client, health_project, tcm_project):
        client.force_login(CandidateFactory().user)
        assert client.get(self.url(health_project)).status_code == 404
        assert client.get(reverse("apply:tcm_start") + "?project=abc").status_code == 404


# --- 基本信息 -------------------------------------------------------------------------------


class TestBasic:
    def test_get_shows_identity_read_only(self, client, app_a):
        response = client.get(section_url(app_a, "basic"))
        html = response.content.decode()
        assert response.status_code == 200
        assert app_a.candidate.name in html and "以上信息来自实名认证" in html
        assert 'name="name"' not in html

    def test_save_complete_with_photo(self, client, app_a):
        response = client.post(
            section_url(app_a, "basic"), {**BASIC, "action": "save", "file_photo": png()}
        )
        assert response.status_code == 302
        s = section(app_a, "basic")
        assert s.status == Section.Status.COMPLETE
        assert s.data["name"] == app_a.candidate.name
        assert s.data["gender"] == app_a.candidate.get_gender_display()
        assert s.data["postal_code"] == "430010" and s.data["work_unit"] == "江岸区某村卫生室"
        photo = Attachment.objects.get(application=app_a, section_code="basic")
        assert (photo.kind, photo.label, photo.content_type) == ("photo", "证件照", "image/png")
        # The owner can open it.
        url = reverse("apply:file", args=[app_a.pk, "attachment", photo.pk])
        assert client.get(url).status_code == 200

    def test_no_work_unit_is_stored_as_wu(self, client, app_a):
        data = {**BASIC, "work_unit": "", "no_work_unit": "on", "action": "save"}
        client.post(section_url(app_a, "basic"), {**data, "file_photo": png()})
        assert section(app_a, "basic").data["work_unit"] == "无"

    def test_invalid_changes_nothing(self, client, app_a):
        data = {**BASIC, "postal_code": "43001", "work_unit": "", "action": "save"}
        response = client.post(section_url(app_a, "basic"), {**data, "file_photo": pdf()})
        html = response.content.decode()
        assert response.status_code == 200
        assert "邮编应为6位数字。" in html
        assert "请填写工作单位；没有工作单位请勾选“无”。" in html
        assert "不接受PDF文件，只接受JPG、PNG格式。" in html  # 证件照 is an image
        assert section(app_a, "basic").data == {}
        assert not Attachment.objects.filter(application=app_a).exists()

    def test_draft_keeps_what_was_typed_and_drops_malformed(self, client, app_a):
        response = client.post(
            section_url(app_a, "basic"),
            {"occupation": "农民", "postal_code": "12", "action": "draft"},
            follow=True,
        )
        s = section(app_a, "basic")
        assert s.status == Section.Status.INCOMPLETE
        assert s.data["occupation"] == "农民"
        assert s.data["postal_code"] == ""
        assert "以下内容有误，未暂存（保留原内容），请改正：邮编" in response.content.decode()


# --- county change service ----------------------------------------------------------------


class TestChangeEntryCounty:
    def test_draft_is_moved_with_a_log_row(self, app_a, tree):
        wuchang = tree[WUCHANG]
        exam_services.application_change_entry_county(
            actor=app_a.candidate.user, application=app_a, county=wuchang
        )
        app_a.refresh_from_db()
        assert (app_a.entry_institution, app_a.county, app_a.current_institution) == (
            wuchang,
            wuchang,
            wuchang,
        )
        assert app_a.city == tree["420100"]
        log = AuditLogEntry.objects.about(app_a).get(action=LOG_APPLICATION_ENTRY_CHANGED)
        assert log.institution_id == wuchang.pk and "江岸区" in log.remark
        assert log_action_label(LOG_APPLICATION_ENTRY_CHANGED) == "变更初审机构"

    def test_other_city_county(self, app_a, tree):
        xiling = tree["420502"]
        exam_services.application_change_entry_county(
            actor=app_a.candidate.user, application=app_a, county=xiling
        )
        app_a.refresh_from_db()
        assert app_a.city == tree["420500"]

    def test_submitted_is_refused(self, tree, tcm_project):
        application = submitted(tcm_project, tree[JIANGAN], track="practice")
        with pytest.raises(ServiceError, match="申报已提交，不能变更现场确认和初审机构"):
            exam_services.application_change_entry_county(
                actor=application.candidate.user, application=application, county=tree[WUCHANG]
            )
        application.refresh_from_db()
        assert application.entry_institution == tree[JIANGAN]

    def test_others_and_non_counties_are_refused(self, app_a, tree):
        with pytest.raises(ServiceError, match="只能操作本人的申报"):
            exam_services.application_change_entry_county(
                actor=CandidateFactory().user, application=app_a, county=tree[WUCHANG]
            )
        with pytest.raises(ServiceError, match="请选择一个启用中的区县卫生健康局"):
            exam_services.application_change_entry_county(
                actor=app_a.candidate.user, application=app_a, county=tree["U420102001"]
            )

    def test_page_refuses_county_change_after_return(self, client, tree, tcm_project, reviewers):
        from tests.builders import decide

        application = submitted(tcm_project, tree[JIANGAN], track="apprenticeship")
        decide(application, "return")
        client.force_login(application.candidate.user)
        url = section_url(application, "apprenticeship")
        response = client.post(url, {**place(county=WUCHANG), "action": "save"})
        assert response.status_code == 200
        assert "申报已提交，不能变更区县（现场确认和初审机构为江岸区卫生健康局）" in (
            response.content.decode()
        )
        # A 暂存 keeps the rest and drops the county, with a warning.
        response = client.post(url, {**place(county=WUCHANG), "action": "draft"}, follow=True)
        assert "以下内容有误，未暂存（保留原内容），请改正：医术实践地点所在区县" not in (
            response.content.decode()
        )
        assert "跟师学习地点所在区县" in response.content.decode()
        assert section(application, "apprenticeship").data["address"] == "解放大道100号"
        application.refresh_from_db()
        assert application.entry_institution == tree[JIANGAN]


# --- permissions, locks, demo data --------------------------------------------------------


class TestAccess:
    def test_another_candidate_gets_404(self, client, app_a):
        client.force_login(CandidateFactory().user)
        for code in ("basic", "apprenticeship", "technique", "study", "expertise", "credentials"):
            assert client.get(section_url(app_a, code)).status_code == 404
            assert client.post(section_url(app_a, code), {"action": "draft"}).status_code == 404
        assert section(app_a, "basic").data == {}

    def test_locked_section_is_read_only(self, client, app_a):
        s = section(app_a, "technique")
        s.mark_complete()
        s.lock()
        s.save()
        response = client.post(
            section_url(app_a, "technique"), {"disease_category": "咳嗽", "action": "draft"}
        )
        assert response["Location"] == reverse("apply:detail", args=[app_a.pk])
        s.refresh_from_db()
        assert s.status == Section.Status.LOCKED and s.data == {}

    def test_submitted_application_pages_redirect_to_detail(self, client, tree, tcm_project):
        application = submitted(tcm_project, tree[JIANGAN], track="practice")
        client.force_login(application.candidate.user)
        response = client.get(section_url(application, "practice"))
        assert response["Location"] == reverse("apply:detail", args=[application.pk])
        assert client.get(reverse("apply:detail", args=[application.pk])).status_code == 200

    def test_pages_render_with_filler_data(self, client, tree, tcm_project):
        """Sections saved by other writers (builders, partial drafts) still render."""
        application = new_application(tcm_project, tree[JIANGAN], track="practice")
        complete_sections(application)
        client.force_login(application.candidate.user)
        for code in ("basic", "practice", "technique", "study", "expertise", "credentials"):
            response = client.get(section_url(application, code))
            assert response.status_code == 200, code
            response = client.get(section_url(application, "expertise") + "?record=1")
            assert response.status_code == 200
