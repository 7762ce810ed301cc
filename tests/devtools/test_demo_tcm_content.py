"""The TCM content of the demo data (devtools.demo.tcm.build_tcm_content) on the candidate
site: every section page renders it, saving a page unchanged keeps the demo's keys, and the
submitted application's detail page shows it."""

import pytest
from django.urls import reverse

from exam import services as exam_services
from exam.models import Attachment, CaseRecord, Section
from tests.builders import new_application
from tests.tree import JIANGAN

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": "/private-media-not-served/"},
        },
    }
    return tmp_path


def section_url(application, code, query=""):
    return reverse("apply:section", args=[application.pk, code]) + query


def section(application, code) -> Section:
    return application.sections.get(code=code)


def _demo_world(n_physicians: int = 4):
    from types import SimpleNamespace

    from people.models import Division
    from tests.factories import PhysicianFactory

    return SimpleNamespace(
        division_names=dict(
            Division.objects.filter(code__startswith="42").values_list("code", "name")
        ),
        physicians=[PhysicianFactory() for _ in range(n_physicians)],
        physician_county={},
    )


def _add_signed_teachers_with_proofs(application) -> None:
    """The teachers the section needs, signed, with the proofs the candidate uploads."""
    from devtools.demo import media as demo_media
    from devtools.demo.content import store_file
    from exam.recommender_services import TEACHER_UPLOADS
    from tests.builders import add_signed_teachers

    content = demo_media.certificate_png("tcm", 0)
    for teacher in add_signed_teachers(application):
        for kind, label in TEACHER_UPLOADS[teacher.role]:
            attachment = Attachment(
                application=application,
                section_code="recommendation",
                recommender=teacher,
                kind=kind,
                label=label,
                content_type=demo_media.PNG,
                size=len(content),
            )
            store_file(attachment.file, f"{teacher.pk}_{kind}.png", content)
            attachment.save()


def _fill_from_demo(application, seed: int):
    """Every section as the demo seeder saves it: its rows written in the save, so the
    completeness rules (not the test) decide that it is complete."""
    import random

    from devtools.demo.content import store_file
    from devtools.demo.tcm import build_tcm_content

    content = build_tcm_content(
        random.Random(seed), _demo_world(), application.candidate, application
    )

    def write_rows(code: str) -> None:
        for planned in content.attachments.get(code, []):
            attachment = Attachment(
                application=application,
                section_code=code,
                kind=planned.kind,
                label=planned.label,
                content_type=planned.content_type,
                size=len(planned.content),
            )
            store_file(attachment.file, planned.filename, planned.content)
            attachment.save()
        if code == "expertise":
            CaseRecord.objects.bulk_create(
                CaseRecord(application=application, **record) for record in content.case_records
            )
        elif code == "recommendation":
            _add_signed_teachers_with_proofs(application)

    for code, data in content.sections.items():
        saved = exam_services.section_save(
            actor=application.candidate.user,
            section=section(application, code),
            data=data,
            write=lambda code=code: write_rows(code),
        )
        assert saved.status == Section.Status.COMPLETE, code
    return content


@pytest.mark.parametrize("track", ["apprenticeship", "practice"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_demo_content_renders_and_keeps_its_keys(client, tree, tcm_project, track, seed):
    """Sections as the demo data fills them (candidate5 is a 多年实践 one at 江岸区): every page
    renders, shows the demo's files, and saving it unchanged keeps the same keys."""
    application = new_application(tcm_project, tree[JIANGAN], track=track)
    content = _fill_from_demo(application, seed)
    client.force_login(application.candidate.user)
    for code in content.sections:
        if code == "recommendation":
            continue
        response = client.get(section_url(application, code))
        assert response.status_code == 200, code
        for planned in content.attachments.get(code, []):
            assert planned.label in response.content.decode(), (code, planned.label)
    assert client.get(section_url(application, "expertise", "?record=5")).status_code == 200
    # The place section re-saved as it is keeps the demo's keys and values.
    code = track
    before = dict(section(application, code).data)
    form_data = {k: ("" if v is None else v) for k, v in before.items() if k != "division_name"}
    if track == "apprenticeship":
        form_data["has_certificate"] = "yes" if before["has_certificate"] else "no"
    form_data |= {"division_province": "420000", "division_city": "420100", "action": "save"}
    response = client.post(section_url(application, code), form_data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert section(application, code).data == before
    assert section(application, code).status == Section.Status.COMPLETE
    # Submitted: the detail page shows it all, the section pages send there.
    exam_services.application_submit(actor=application.candidate.user, application=application)
    detail = client.get(reverse("apply:detail", args=[application.pk]))
    assert detail.status_code == 200
    assert "回顾性中医医术实践资料" in detail.content.decode() or "病案1" in detail.content.decode()
