"""The TCM sections' attachments and case records are written through services that check
the owner, and a removed attachment's file goes only when the removal commits."""

import pytest
from django.core.files.base import ContentFile
from django.db import transaction

from core.errors import ServiceError
from exam.attachment_writes import attachments_remove, case_record_save
from exam.models import Attachment, CaseRecord
from tests.builders import new_application
from tests.factories import CandidateFactory
from tests.storage import is_stored, use_test_storage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    return use_test_storage(settings, tmp_path)  # the disk, or the bucket (tests/storage.py)


@pytest.fixture
def application(tree, tcm_project):
    return new_application(tcm_project, tree["420102"], track="practice")


def _attachment(application) -> Attachment:
    attachment = Attachment(
        application=application, section_code="basic", kind="photo", label="证件照", size=3
    )
    attachment.file.save("photo.png", ContentFile(b"png"), save=False)
    attachment.save()
    return attachment


def test_removal_rolled_back_keeps_row_and_file(application, media):
    attachment = _attachment(application)
    name = attachment.file.name
    with pytest.raises(RuntimeError), transaction.atomic():
        attachments_remove(
            actor=application.candidate.user, application=application, attachments=[attachment]
        )
        raise RuntimeError("a later step of the save fails")
    assert Attachment.objects.filter(pk=attachment.pk).exists() and is_stored(name)
    attachments_remove(
        actor=application.candidate.user, application=application, attachments=[attachment]
    )
    assert not Attachment.objects.filter(pk=attachment.pk).exists()


def test_only_the_owner_writes(application):
    stranger = CandidateFactory().user
    with pytest.raises(ServiceError, match="本人"):
        attachments_remove(
            actor=stranger, application=application, attachments=[_attachment(application)]
        )
    record = CaseRecord(application=application, number=1)
    with pytest.raises(ServiceError, match="本人"):
        case_record_save(actor=stranger, application=application, record=record)
    assert not CaseRecord.objects.exists()


def test_case_record_number_within_the_project_count(application):
    needed = application.project.case_record_count
    record = CaseRecord(application=application, number=needed + 1)
    with pytest.raises(ServiceError, match=f"1至{needed}"):
        case_record_save(actor=application.candidate.user, application=application, record=record)
    record.number = needed
    case_record_save(actor=application.candidate.user, application=application, record=record)
    assert CaseRecord.objects.filter(application=application, number=needed).exists()
