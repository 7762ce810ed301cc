"""推荐信息 (seed 000 §4.3.8), the candidate's side: 获取老师 in the physician registry, the
teachers' proofs, the section page, submitting, and what the reviewers see. The QR link and the
teacher's phone pages are in test_site_recommendation_teacher.py; the code's own rules in
test_teacher_identity.py."""

import pytest
from django.urls import reverse

from core.audit import log_action_label
from core.errors import ServiceError
from core.models import AuditLogEntry
from exam import recommender_services as rs
from exam import services as exam_services
from exam.audit_actions import LOG_RECOMMENDER_ADDED, LOG_RECOMMENDER_REMOVED
from exam.models import Application, Attachment, Recommender, Section
from tests.builders import complete_sections, new_application
from tests.exam.recommendation_helpers import (
    R,
    S,
    Status,
    actions,
    actor,
    add,
    app_fixture,  # noqa: F401 (a fixture)
    fresh,
    image_bytes,
    invite,
    media_fixture,  # noqa: F401 (a fixture)
    nonce_of,
    sign_through_services,
    signature_png,
    staged,
    upload,
    upload_all,
)
from tests.factories import CandidateFactory, PhysicianFactory
from tests.teacher_codes import confirm_identity

pytestmark = pytest.mark.django_db


def section(application) -> Section:
    return application.sections.get(code="recommendation")


# --- 获取老师 ---------------------------------------------------------------------------


class TestLookup:
    def test_success_adds_the_teacher_and_keeps_section_data_in_step(self, app):
        doctor = PhysicianFactory(name="王建国", institution_name="武汉市中医医院")
        teacher = add(app, doctor)
        assert teacher.status == Status.LOOKED_UP
        assert (teacher.name, teacher.id_number, teacher.physician) == (
            "王建国",
            doctor.id_number,
            doctor,
        )
        data = section(app).data
        assert data == {
            "recommenders": "王建国（武汉市中医医院，副主任中医师）",
            "supervisor_required": True,
            "supervisor": "",
        }
        assert section(app).status == Section.Status.INCOMPLETE
        assert actions(app) == [LOG_RECOMMENDER_ADDED]
        log = AuditLogEntry.objects.about(app).get(action=LOG_RECOMMENDER_ADDED)
        assert log.actor == app.candidate.user and log.remark == "推荐医师王建国"
        assert log_action_label(LOG_RECOMMENDER_ADDED) == "添加推荐医师/指导老师"

    def test_id_number_is_normalised(self, app):
        doctor = PhysicianFactory(id_number="42010219700101123X")
        teacher = add(app, doctor, id_number=" 42010219700101123x ")
        assert teacher.physician == doctor

    @pytest.mark.parametrize("what", ["name", "id", "tag", "unknown"])
    def test_failure_gives_the_guides_instruction_and_changes_nothing(self, app, what):
        doctor = PhysicianFactory(is_recommender=what != "tag")
        kwargs = {
            "name": {"name": doctor.name + "甲"},
            "id": {"id_number": "420102197001011234"},
            "tag": {},
            "unknown": {"name": "查无此人", "id_number": "110101199003070000"},
        }[what]
        with pytest.raises(ServiceError) as exc:
            add(app, doctor, **kwargs)
        assert exc.value.message == rs.LOOKUP_FAILED
        assert exc.value.message.startswith("获取失败：需推荐医师（指导老师）所在医疗机构前往")
        assert "湖北省卫生健康基础资源综合管理系统" in exc.value.message
        assert not app.recommenders.exists() and actions(app) == []

    def test_supervisor_needs_the_supervisor_tag(self, app):
        doctor = PhysicianFactory(is_supervisor=False)
        with pytest.raises(ServiceError, match="获取失败"):
            add(app, doctor, role=S)
        add(app, doctor, role=R)  # the same physician may still recommend

    def test_the_same_physician_only_once_in_any_role(self, app):
        doctor = PhysicianFactory()
        add(app, doctor, role=R)
        for role in (R, S):
            with pytest.raises(ServiceError, match="同一位医师不能重复添加"):
                add(app, doctor, role=role)
        assert app.recommenders.count() == 1

    def test_no_more_than_required_per_role(self, app):
        add(app, PhysicianFactory())
        add(app, PhysicianFactory())
        with pytest.raises(ServiceError, match="推荐医师只需2名，已添加2名"):
            add(app, PhysicianFactory())
        add(app, PhysicianFactory(), role=S)
        with pytest.raises(ServiceError, match="指导老师只需1名"):
            add(app, PhysicianFactory(), role=S)
        assert app.recommenders.count() == 3

    def test_not_the_candidate_themself(self, app):
        me = PhysicianFactory(name=app.candidate.name, id_number=app.candidate.id_number)
        with pytest.raises(ServiceError, match="不能添加本人作为推荐医师"):
            add(app, me)

    def test_empty_input_and_bad_role(self, app):
        doctor = PhysicianFactory()
        with pytest.raises(ServiceError, match="请填写老师的姓名和身份证号码"):
            add(app, doctor, name=" ")
        with pytest.raises(ServiceError, match="请选择医师的类型"):
            add(app, doctor, role="boss")

    def test_practice_needs_a_supervisor_only_after_the_tcm_law(self, tree, tcm_project):
        application = new_application(tcm_project, tree["420102"], track="practice")
        practice = application.sections.get(code="practice")
        exam_services.section_save(
            actor=actor(application),
            section=practice,
            data={"started_on": "2005-03-01", "ended_on": "2016-12-31"},
        )
        with pytest.raises(ServiceError, match="无需添加指导老师"):
            add(application, PhysicianFactory(), role=S)
        practice.refresh_from_db()
        exam_services.section_save(
            actor=actor(application),
            section=practice,
            data={"started_on": "2005-03-01", "ended_on": ""},
        )
        add(application, PhysicianFactory(), role=S)
        assert section(application).data["supervisor_required"] is True

    def test_only_the_owner(self, app):
        other = CandidateFactory()
        with pytest.raises(ServiceError, match="只能操作本人的申报"):
            rs.recommender_add(
                actor=other.user,
                application=app,
                role=R,
                name="x",
                id_number="420102197001011234",
            )

    def test_locked_section_or_submitted_application_refuses_every_change(self, app):
        teacher = add(app, PhysicianFactory())
        sec = section(app)
        sec.mark_complete()
        sec.save()
        sec.lock()
        sec.save()
        message = "已被审核机构锁定"
        with pytest.raises(ServiceError, match=message):
            add(app, PhysicianFactory())
        with pytest.raises(ServiceError, match=message):
            rs.recommender_remove(actor=actor(app), recommender=teacher)
        with pytest.raises(ServiceError, match=message):
            invite(teacher)
        with pytest.raises(ServiceError, match=message):
            rs.recommender_attachments_save(
                actor=actor(app), recommender=teacher, files={"work_proof": staged(app)}
            )
        assert app.recommenders.count() == 1 and not Attachment.objects.exists()

        Application.objects.filter(pk=app.pk).update(status=Application.Status.SUBMITTED)
        app.refresh_from_db()
        with pytest.raises(ServiceError, match="申报已提交"):
            add(app, PhysicianFactory())


# --- uploads, remove, section completeness -----------------------------------------------


class TestUploadsAndRemove:
    def test_uploads_per_role_complete_the_section(self, app):
        teachers = [add(app, PhysicianFactory()) for _ in range(2)]
        teachers.append(add(app, PhysicianFactory(), role=S))
        problems = rs.section_problems(app, teachers)
        # Both roles upload all four proofs (seed 000 §4.3.8.3).
        missing = "未上传工作证明、医师资格证书、执业医师证书、副高职称证书或工作年限证明"
        assert sum(missing in p for p in problems) == 3
        for teacher in teachers:
            upload_all(teacher)
        kinds = set(
            Attachment.objects.filter(recommender=teachers[2]).values_list("kind", flat=True)
        )
        assert kinds == {
            "work_proof",
            "qualification_certificate",
            "practice_certificate",
            "senior_title_or_years",
        }
        assert (
            "work_proof",
            "工作证明",
            "recommendation",
        ) in Attachment.objects.filter(recommender=teachers[0]).values_list(
            "kind", "label", "section_code"
        )
        assert section(app).status == Section.Status.COMPLETE

    def test_a_new_file_replaces_the_old_one_and_unknown_kinds_are_ignored(self, app):
        teacher = add(app, PhysicianFactory())
        upload_all(teacher)
        first = Attachment.objects.get(recommender=teacher, kind="work_proof")
        stored = rs.recommender_attachments_save(
            actor=actor(app),
            recommender=teacher,
            files={"work_proof": staged(app), "unknown_kind": staged(app)},
        )
        assert stored == 1
        assert Attachment.objects.filter(recommender=teacher).count() == 4
        assert Attachment.objects.get(recommender=teacher, kind="work_proof").pk != first.pk

    def test_removing_a_signed_teacher_is_allowed_and_logged(
        self, app, django_capture_on_commit_callbacks, media
    ):
        teacher = sign_through_services(add(app, PhysicianFactory()))
        upload_all(teacher)
        teacher = fresh(teacher)
        paths = [teacher.signature.name] + [a.file.name for a in teacher.attachments.all()]
        assert all((media / p).exists() for p in paths)
        with django_capture_on_commit_callbacks(execute=True):
            rs.recommender_remove(actor=actor(app), recommender=teacher)
        assert not app.recommenders.exists() and not Attachment.objects.exists()
        assert not any((media / p).exists() for p in paths)
        log = AuditLogEntry.objects.about(app).get(action=LOG_RECOMMENDER_REMOVED)
        assert log.from_state == Status.SIGNED
        assert section(app).data["recommenders"] == ""


# --- the candidate's section page ---------------------------------------------------------


def page_url(application):
    return reverse("apply:section", args=[application.pk, "recommendation"])


class TestSectionPage:
    def test_lookup_success_and_failure_on_the_page(self, client, app):
        client.force_login(actor(app))
        page = client.get(page_url(app))
        html = page.content.decode()
        assert page.status_code == 200
        assert "2名推荐医师" in html and "1名指导老师" in html and "获取老师" in html

        doctor = PhysicianFactory(name="赵一")
        response = client.post(
            page_url(app),
            {"action": "lookup", "role": R, "name": "赵一", "id_number": "110101199003070000"},
        )
        assert response.status_code == 400
        assert rs.LOOKUP_FAILED in response.content.decode()
        assert "110101199003070000" in response.content.decode()  # what was typed is kept

        response = client.post(
            page_url(app),
            {"action": "lookup", "role": R, "name": "赵一", "id_number": doctor.id_number},
            follow=True,
        )
        assert "获取成功：已添加推荐医师赵一" in response.content.decode()
        assert app.recommenders.get().physician == doctor

        response = client.post(
            page_url(app), {"action": "lookup", "role": R, "name": "", "id_number": ""}
        )
        assert "请填写老师的姓名。" in response.content.decode()

    def test_practice_page_explains_the_supervisor_rule(self, client, tree, tcm_project):
        application = new_application(tcm_project, tree["420102"], track="practice")
        client.force_login(actor(application))
        html = client.get(page_url(application)).content.decode()
        assert "2017年7月1日" in html and "您尚未填写实践经历" in html
        practice = application.sections.get(code="practice")
        exam_services.section_save(
            actor=actor(application),
            section=practice,
            data={"started_on": "2001-01-01", "ended_on": "2015-06-30"},
        )
        page = client.get(page_url(application))
        assert "因此无需添加指导老师" in page.content.decode()
        roles = [value for value, _ in page.context["lookup"].fields["role"].choices]
        assert roles == [R]

    def test_uploads_statuses_qr_and_remove(self, client, app):
        client.force_login(actor(app))
        rec = add(app, PhysicianFactory(name="钱二"))
        sup = add(app, PhysicianFactory(name="孙三"), role=S)

        # Upload for the recommender; a bad file for the supervisor re-renders with an error.
        response = client.post(
            page_url(app),
            {
                "action": "upload",
                "teacher": rec.pk,
                f"t{rec.pk}-work_proof": upload("w.png", image_bytes()),
            },
        )
        assert response.status_code == 302
        assert Attachment.objects.get(recommender=rec).kind == "work_proof"
        response = client.post(
            page_url(app),
            {
                "action": "upload",
                "teacher": sup.pk,
                f"t{sup.pk}-qualification_certificate": upload("q.png", image_bytes()),
                f"t{sup.pk}-practice_certificate": upload("p.png", b"not an image"),
            },
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert "无法识别该文件" in html and "q.png" in html  # the good file is staged, not lost
        assert not Attachment.objects.filter(recommender=sup).exists()
        response = client.post(page_url(app), {"action": "upload", "teacher": sup.pk})
        assert "请选择要上传的文件。" in response.content.decode()

        # Statuses as the candidate sees them.
        signed = add(app, PhysicianFactory(name="周四"))
        sign_through_services(signed)
        invite(sup)
        page = client.get(page_url(app))
        labels = {row["obj"].name: row["status_label"] for row in page.context["teachers"]}
        assert labels == {"钱二": "获取成功", "孙三": "待核验", "周四": "已签名"}
        confirm_identity(sup)
        page = client.get(page_url(app))
        labels = {row["obj"].name: row["status_label"] for row in page.context["teachers"]}
        assert labels["孙三"] == "已核验身份"
        html = page.content.decode()
        assert reverse("apply:file", args=[app.pk, "signature", signed.pk]) in html
        Recommender.objects.filter(pk=sup.pk).update(invitation_nonce="")
        page = client.get(page_url(app))
        labels = {row["obj"].name: row["status_label"] for row in page.context["teachers"]}
        assert labels["孙三"] == "二维码已失效"

        # 生成二维码 (all four proofs first) → the QR page with an inline SVG and the link.
        upload_all(rec)
        response = client.post(page_url(app), {"action": "invite", "teacher": rec.pk})
        qr_url = reverse("apply:teacher_qr", args=[app.pk, rec.pk])
        assert response["Location"] == qr_url
        page = client.get(qr_url)
        html = page.content.decode()
        assert "<svg" in html and page.context["link"].startswith("http://testserver/recommend/")
        token = page.context["link"].split("/recommend/")[1].rstrip("/")
        assert rs.recommender_from_token(token).is_valid
        client.post(qr_url)  # 重新生成二维码
        assert rs.recommender_from_token(token).state == "revoked"

        # 删除.
        response = client.post(page_url(app), {"action": "remove", "teacher": rec.pk}, follow=True)
        assert "已删除推荐医师钱二" in response.content.decode()
        assert not Recommender.objects.filter(pk=rec.pk).exists()

    def test_a_refusal_on_the_page_is_a_message(self, client, app):
        client.force_login(actor(app))
        teacher = sign_through_services(add(app, PhysicianFactory()))
        response = client.post(
            page_url(app), {"action": "invite", "teacher": teacher.pk}, follow=True
        )
        assert "已完成评价和签名" in response.content.decode()

    def test_owner_sees_the_teacher_files_others_get_404(self, client, app):
        teacher = sign_through_services(add(app, PhysicianFactory()))
        upload_all(teacher)
        attachment = Attachment.objects.get(recommender=teacher, kind="work_proof")
        urls = [
            reverse("apply:file", args=[app.pk, "attachment", attachment.pk]),
            reverse("apply:file", args=[app.pk, "signature", teacher.pk]),
        ]
        client.force_login(actor(app))
        for url in urls:
            assert client.get(url).status_code == 200
        client.force_login(CandidateFactory().user)
        for url in urls:
            assert client.get(url).status_code == 404
        assert client.get(page_url(app)).status_code == 404
        assert client.get(reverse("apply:teacher_qr", args=[app.pk, teacher.pk])).status_code == 404
        assert (
            client.post(reverse("apply:teacher_qr", args=[app.pk, teacher.pk])).status_code == 404
        )

    def test_another_applications_teacher_is_a_404(self, client, app, tree, tcm_project):
        other = new_application(tcm_project, tree["420102"], track="apprenticeship")
        stranger = add(other, PhysicianFactory())
        client.force_login(actor(app))
        assert (
            client.post(page_url(app), {"action": "remove", "teacher": stranger.pk}).status_code
            == 404
        )
        assert (
            client.get(reverse("apply:teacher_qr", args=[app.pk, stranger.pk])).status_code == 404
        )
        assert Recommender.objects.filter(pk=stranger.pk).exists()

    def test_locked_section_page_redirects_and_qr_cannot_be_reissued(self, client, app):
        teacher = add(app, PhysicianFactory())
        invite(teacher)
        sec = section(app)
        sec.mark_complete()
        sec.save()
        sec.lock()
        sec.save()
        client.force_login(actor(app))
        assert client.get(page_url(app))["Location"] == reverse("apply:detail", args=[app.pk])
        nonce = nonce_of(teacher)
        response = client.post(reverse("apply:teacher_qr", args=[app.pk, teacher.pk]), follow=True)
        assert "已被审核机构锁定" in response.content.decode()
        assert nonce_of(teacher) == nonce

    def test_save_button(self, client, app):
        client.force_login(actor(app))
        response = client.post(page_url(app), {"action": "save"}, follow=True)
        assert "“推荐信息”已暂存" in response.content.decode()
        assert section(app).status == Section.Status.INCOMPLETE


# --- submitting ---------------------------------------------------------------------------


class TestSubmit:
    def test_blocked_until_every_teacher_signed(self, client, app):
        complete_sections(app)  # every section complete, the teachers signed (builder)
        for teacher in app.recommenders.all():
            upload_all(teacher)
        assert section(app).status == Section.Status.COMPLETE
        # The candidate changes one 推荐医师 after signing.
        old = app.recommenders.filter(role=R).first()
        rs.recommender_remove(actor=actor(app), recommender=old)
        assert section(app).status == Section.Status.INCOMPLETE
        new = add(app, PhysicianFactory(name="吴五"))
        upload_all(new)
        assert section(app).status == Section.Status.COMPLETE

        client.force_login(actor(app))
        response = client.post(reverse("apply:submit", args=[app.pk]), follow=True)
        assert "推荐医师吴五尚未完成签名" in response.content.decode()
        app.refresh_from_db()
        assert app.status == Application.Status.DRAFT

        invite(new)
        response = client.post(reverse("apply:submit", args=[app.pk]), follow=True)
        assert "推荐医师吴五尚未完成签名" in response.content.decode()

        nonce = nonce_of(new)
        confirm_identity(new, nonce)
        rs.recommender_sign(
            recommender=new,
            nonce=nonce,
            pledge_accepted=True,
            evaluation="医术精湛。",
            opinion="同意推荐。",
            signature_png_bytes=signature_png(),
        )
        client.post(reverse("apply:submit", args=[app.pk]))
        app.refresh_from_db()
        assert app.status == Application.Status.SUBMITTED

        # Once submitted, nothing about the teachers changes.
        with pytest.raises(ServiceError, match="申报已提交"):
            rs.recommender_remove(actor=actor(app), recommender=new)


# --- the reviewers' admin -----------------------------------------------------------------


def test_reviewers_see_the_teachers_files_and_signature(client, app, reviewers):
    teacher = sign_through_services(add(app, PhysicianFactory(name="郑六")))
    upload_all(teacher)
    complete_sections(app)
    exam_services.application_submit(actor=actor(app), application=app)
    client.force_login(reviewers["county_jiangan"])
    detail = client.get(reverse("admin:review_reviewapplication_change", args=[app.pk]))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "郑六：工作证明" in html
    signature = reverse(
        "admin:review_reviewapplication_file", args=[app.pk, "signature", teacher.pk]
    )
    assert signature in html
    response = client.get(signature)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == signature_png()
