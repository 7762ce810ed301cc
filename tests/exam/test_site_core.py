"""The candidate site's shared parts: uploads recognised by content and kept across errors,
我的报名, the overview's cards and actions, 查看详情, the progress page, owner-only files."""

import io

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exam.models import Application, Attachment, Section, StagedUpload
from exam.uploads import (
    JPG,
    PNG,
    StagedUploadsMixin,
    UploadField,
    attach_upload,
    staged_token,
)
from people.uploaded_files import check_upload
from review import services as review_services
from tests.builders import complete_sections, decide, new_application, submitted
from tests.factories import CandidateFactory
from tests.hostile_files import image_bytes, pdf_bytes
from tests.storage import is_stored, use_test_storage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    return use_test_storage(settings, tmp_path)  # the disk, or the bucket (tests/storage.py)


PDF = pdf_bytes()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


# --- recognising files ---------------------------------------------------------------------


class TestCheckUpload:
    def test_real_files_are_recognised_whatever_their_names(self):
        assert check_upload(upload("photo.pdf", image_bytes("PNG"))) == "image/png"
        assert check_upload(upload("scan", image_bytes("JPEG"))) == "image/jpeg"
        assert check_upload(upload("a.jpg", PDF)) == "application/pdf"

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"MZ\x90\x00 not an image at all", "无法识别该文件"),
            (b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, "图片已损坏"),
            (b"%PDF-1.4\n1 0 obj<<>>endobj\n", "PDF文件已损坏"),
            (b"", "文件是空的"),
        ],
    )
    def test_disguised_broken_and_empty_files_are_refused(self, content, message):
        with pytest.raises(forms.ValidationError) as exc:
            check_upload(upload("certificate.jpg", content))
        assert message in exc.value.messages[0]

    def test_size_limits_differ_for_images_and_pdf(self):
        big_image = upload("big.png", image_bytes("PNG"))
        with pytest.raises(forms.ValidationError, match="图片不能超过"):
            check_upload(big_image, max_image_bytes=50)
        assert check_upload(upload("a.pdf", PDF), max_image_bytes=50) == "application/pdf"
        with pytest.raises(forms.ValidationError, match="PDF文件不能超过"):
            check_upload(upload("a.pdf", PDF), max_pdf_bytes=10)

    def test_allowed_kinds_are_enforced(self):
        with pytest.raises(forms.ValidationError, match="只接受JPG、PNG格式"):
            check_upload(upload("a.pdf", PDF), kinds=(JPG, PNG))


# --- keeping uploads across errors ---------------------------------------------------------


class CertificateForm(StagedUploadsMixin, forms.Form):
    number = forms.CharField(label="证书编号", error_messages={"required": "请填写证书编号。"})
    image = UploadField(label="证书图片")


class TestStagedUploads:
    def test_a_valid_file_survives_an_error_in_another_field(self):
        candidate = CandidateFactory()
        form = CertificateForm(
            data={}, files={"image": upload("cert.png", image_bytes())}, candidate=candidate
        )
        assert not form.is_valid()
        assert form.errors["number"] == ["请填写证书编号。"]
        staged = StagedUpload.objects.get(candidate=candidate)
        assert staged.content_type == "image/png"
        assert staged.original_name == "cert.png"
        html = str(form["image"])
        assert f'value="{staged_token(staged)}"' in html
        assert "已上传" in html and "cert.png" in html

        # The page comes back with only the hidden reference; the file is not sent again.
        again = CertificateForm(
            data={"number": "A123", "image__staged": staged_token(staged)},
            candidate=candidate,
        )
        assert again.is_valid(), again.errors
        assert again.cleaned_data["image"] == staged

    def test_someone_elses_or_forged_reference_is_refused(self):
        owner, other = CandidateFactory(), CandidateFactory()
        form = CertificateForm(
            data={}, files={"image": upload("c.png", image_bytes())}, candidate=owner
        )
        form.is_valid()
        token = staged_token(StagedUpload.objects.get(candidate=owner))
        for candidate, value in ((other, token), (owner, token + "x")):
            form = CertificateForm(
                data={"number": "A1", "image__staged": value}, candidate=candidate
            )
            assert not form.is_valid()
            assert form.errors["image"] == ["之前上传的文件已失效，请重新选择。"]

    def test_attach_moves_the_file_and_removes_the_staged_copy(
        self, media, django_capture_on_commit_callbacks
    ):
        candidate = CandidateFactory()
        form = CertificateForm(
            data={"number": "A1"},
            files={"image": upload("c.pdf", PDF)},
            candidate=candidate,
        )
        assert form.is_valid()
        staged = form.cleaned_data["image"]
        staged_name = staged.file.name
        assert is_stored(staged_name)
        target = Attachment(section_code="basic", kind="photo", label="证件照")
        with django_capture_on_commit_callbacks(execute=True):  # the copy goes on commit
            assert attach_upload(target.file, staged, stem="photo")
        assert target.file.name.endswith(".pdf")
        assert target.file.read() == PDF
        assert not StagedUpload.objects.filter(pk=staged.pk).exists()
        assert not is_stored(staged_name)


# --- pages ---------------------------------------------------------------------------------


def login(client, application: Application):
    client.force_login(application.candidate.user)


class TestPages:
    def test_home_lists_own_applications_and_open_projects(
        self, client, tree, health_project, tcm_project
    ):
        application = new_application(health_project, tree["U420102001"])
        login(client, application)
        response = client.get(reverse("apply:home"))
        assert [a.pk for a in response.context["applications"]] == [application.pk]
        assert [p.pk for p in response.context["projects"]] == [tcm_project.pk]
        assert "我要报名中医医术确有专长" in response.content.decode()

    def test_unverified_candidates_are_sent_to_identity(self, client, tree):
        candidate = CandidateFactory(identity_status="unverified", id_number="", name="")
        client.force_login(candidate.user)
        response = client.get(reverse("apply:home"))
        assert response.status_code == 302
        assert response["Location"] == reverse("account:identity")

    def test_another_candidates_application_is_a_404(self, client, tree, health_project):
        application = new_application(health_project, tree["U420102001"])
        client.force_login(CandidateFactory().user)
        for name in ("apply:overview", "apply:detail", "apply:progress"):
            assert client.get(reverse(name, args=[application.pk])).status_code == 404
        url = reverse("apply:section", args=[application.pk, "basic"])
        assert client.get(url).status_code == 404
        assert client.post(reverse("apply:submit", args=[application.pk])).status_code == 404

    def test_overview_cards_and_submit(self, client, tree, health_project):
        application = new_application(health_project, tree["U420102001"])
        login(client, application)
        response = client.get(reverse("apply:overview", args=[application.pk]))
        cards = {c.code: c.status for c in response.context["cards"]}
        assert cards["basic"] == "incomplete"
        assert response.context["can_submit"] is False
        assert "尚未完成：基础信息、学历信息" in response.content.decode()

        # Submitting early is refused with the list of what is missing.
        response = client.post(reverse("apply:submit", args=[application.pk]), follow=True)
        assert "以下内容尚未填写完成：基础信息、学历信息。" in response.content.decode()

        complete_sections(application)
        response = client.get(reverse("apply:overview", args=[application.pk]))
        assert response.context["can_submit"] is True
        client.post(reverse("apply:submit", args=[application.pk]))
        application.refresh_from_db()
        assert application.status == Application.Status.SUBMITTED

        # While the unit has not decided, 撤回 is offered and works.
        response = client.get(reverse("apply:overview", args=[application.pk]))
        assert response.context["can_withdraw"] is True
        client.post(reverse("apply:withdraw", args=[application.pk]))
        application.refresh_from_db()
        assert application.status == Application.Status.WITHDRAWN

    def test_tcm_cannot_be_submitted_before_the_teachers_sign(self, client, tree, tcm_project):
        application = new_application(tcm_project, tree["420102"], track="apprenticeship")
        for section in application.sections.all():
            section.mark_complete()
            section.save()
        login(client, application)
        response = client.get(reverse("apply:overview", args=[application.pk]))
        assert response.context["can_submit"] is False
        assert response.context["teacher_problems"] == [
            "还需添加2名推荐医师",
            "还需添加1名指导老师",
        ]

    def test_returned_application_locked_sections_and_resubmit(
        self, client, tree, health_project, reviewers
    ):
        application = submitted(health_project, tree["U420102001"])
        review_services.tier_review_decide(
            actor=reviewers["unit_a"],
            tier_review=application.tier_reviews.get(tier="unit"),
            decision="return",
            remark="学历证书照片不清晰，请重新上传。",
            locked_sections=["basic"],
        )
        login(client, application)
        overview = client.get(reverse("apply:overview", args=[application.pk]))
        html = overview.content.decode()
        assert "审核意见：学历证书照片不清晰，请重新上传。" in html
        cards = {c.code: c for c in overview.context["cards"]}
        assert cards["basic"].is_locked and not cards["education"].is_locked
        assert overview.context["can_resubmit"] is True

        # The locked section's page is not offered: the dispatcher sends it to 查看详情.
        response = client.get(reverse("apply:section", args=[application.pk, "basic"]))
        assert response.status_code == 302
        assert response["Location"] == reverse("apply:detail", args=[application.pk])

        progress = client.get(reverse("apply:progress", args=[application.pk]))
        steps = progress.context["steps"]
        assert [s.tier for s in steps] == ["unit", "county", "city", "province"]
        assert steps[0].status_label == "允许修改"
        assert steps[0].remark == "学历证书照片不清晰，请重新上传。"
        assert steps[0].is_current
        assert [s.status_label for s in steps[1:]] == ["未到达"] * 3

        client.post(reverse("apply:resubmit", args=[application.pk]))
        application.refresh_from_db()
        assert application.status == Application.Status.IN_REVIEW
        assert application.sections.get(code="basic").status == Section.Status.LOCKED
        progress = client.get(reverse("apply:progress", args=[application.pk]))
        assert progress.context["steps"][0].status_label == "待审核"

    def test_submitted_application_sections_are_read_only(self, client, tree, health_project):
        application = submitted(health_project, tree["U420102001"])
        login(client, application)
        response = client.get(reverse("apply:section", args=[application.pk, "education"]))
        assert response["Location"] == reverse("apply:detail", args=[application.pk])
        overview = client.get(reverse("apply:overview", args=[application.pk]))
        assert "去完善" not in overview.content.decode()

    def test_decided_application_can_no_longer_be_withdrawn(self, client, tree, health_project):
        application = submitted(health_project, tree["U420102001"])
        decide(application, "approve")
        login(client, application)
        response = client.post(reverse("apply:withdraw", args=[application.pk]), follow=True)
        assert "审核机构已开始审核，不能撤回。" in response.content.decode()


class TestFiles:
    def test_only_the_owner_gets_their_files(self, client, tree, tcm_project):
        application = new_application(tcm_project, tree["420102"], track="practice")
        attachment = Attachment(
            application=application,
            section_code="basic",
            kind="photo",
            label="证件照",
            content_type="image/png",
        )
        attachment.file.save("photo.png", io.BytesIO(image_bytes()), save=False)
        attachment.save()
        url = reverse("apply:file", args=[application.pk, "attachment", attachment.pk])
        login(client, application)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content) == image_bytes()
        detail = client.get(reverse("apply:detail", args=[application.pk]))
        assert url in detail.content.decode()

        client.force_login(CandidateFactory().user)
        assert client.get(url).status_code == 404
        client.logout()
        assert client.get(url).status_code == 302

    def test_staged_files_only_to_their_uploader(self, client):
        candidate = CandidateFactory()
        form = CertificateForm(
            data={}, files={"image": upload("c.png", image_bytes())}, candidate=candidate
        )
        form.is_valid()
        url = reverse("apply:staged_file", args=[staged_token(StagedUpload.objects.get())])
        client.force_login(candidate.user)
        assert client.get(url).status_code == 200
        client.force_login(CandidateFactory().user)
        assert client.get(url).status_code == 404


def test_purge_removes_only_expired_staged_uploads(media):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    candidate = CandidateFactory()
    for name in ("old.png", "new.png"):
        CertificateForm(
            data={}, files={"image": upload(name, image_bytes())}, candidate=candidate
        ).is_valid()
    old = StagedUpload.objects.get(original_name="old.png")
    StagedUpload.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    old_name, new_name = old.file.name, StagedUpload.objects.get(original_name="new.png").file.name
    assert is_stored(old_name) and is_stored(new_name)
    out = io.StringIO()
    call_command("purge_staged_uploads", stdout=out)
    assert "已删除 1 个" in out.getvalue()
    assert list(StagedUpload.objects.values_list("original_name", flat=True)) == ["new.png"]
    assert not is_stored(old_name) and is_stored(new_name)
