"""Candidate-side material writes: a material's file is removed only once its deletion
commits."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import transaction

from exam import material_writes
from exam.models import EducationRecord
from tests.builders import new_application
from tests.storage import is_stored, use_test_storage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    return use_test_storage(settings, tmp_path)  # the disk, or the bucket (tests/storage.py)


@pytest.fixture
def app(health_project, tree):
    return new_application(health_project, tree["U420102001"])


class TestFilesGoOnlyAfterCommit:
    """A material's file is removed when its deletion commits: a rollback after the delete
    (an error later in the same save) brings the row back, and its file is still there."""

    def test_rolled_back_delete_keeps_the_file(self, app, media):
        record = _record_with_image(app)
        pk, name = record.pk, record.image.name
        with pytest.raises(RuntimeError), transaction.atomic():
            material_writes.material_delete_from_candidate(
                actor=app.candidate.user, application=app, material=record
            )
            raise RuntimeError("a later step of the save fails")
        assert EducationRecord.objects.filter(pk=pk).exists()
        assert is_stored(name)

    def test_committed_delete_removes_the_file(
        self, app, media, django_capture_on_commit_callbacks
    ):
        record = _record_with_image(app)
        name = record.image.name
        assert is_stored(name)
        with django_capture_on_commit_callbacks(execute=True):
            material_writes.material_delete_from_candidate(
                actor=app.candidate.user, application=app, material=record
            )
        assert not is_stored(name)


def _record_with_image(app) -> EducationRecord:
    record = EducationRecord(
        application=app,
        level_id="20",
        graduation_date=datetime.date(2014, 6, 30),
        school="湖北中医药大学",
        study_form="full_time",
        major_type="medical",
        duration_years=4,
        enrollment_date=datetime.date(2010, 9, 1),
        major="护理学",
        diploma_no="1001",
    )
    record.image.save("diploma.png", ContentFile(b"png"), save=False)
    record.save()
    assert record.image.storage.exists(record.image.name)
    return record
