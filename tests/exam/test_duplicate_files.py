"""查重 of certificate files: hashes of real near-duplicates, the matches they give, the
hook on the candidate's save, the cleanup when a file goes, and the rebuild."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from PIL import Image

from devtools.demo.diplomas import cropped, diploma, jpeg_bytes, resaved, sideways_with_exif
from exam import attachment_writes, material_writes
from exam.duplicates import files
from exam.duplicates.models import FileFingerprint, Match, MatchKind
from exam.models import Attachment
from exam.uploads import stage_upload
from tests.builders import new_application
from tests.storage import use_test_storage

pytestmark = pytest.mark.django_db

ORIGINAL = diploma("张三", "10486120180512")
# The same diploma photographed again: re-saved at a lower JPEG quality, framed tighter.
COPIES = {
    "3 % off two edges": cropped(resaved(ORIGINAL, quality=60), left=0.03, bottom=0.03),
    "2 % off every edge": cropped(
        resaved(ORIGINAL, quality=50), left=0.02, top=0.02, right=0.02, bottom=0.02
    ),
    "5 % off one edge": cropped(resaved(ORIGINAL, quality=70), right=0.05),
}
OTHER = diploma("王五", "20001120190001", school="江汉演示医学院", portrait=True)
# Another graduate of the same school: the same layout, another name and number. The
# perceptual hash cannot tell them apart; the picture-to-picture check must.
CLASSMATE = diploma("李四", "10486120180513")


def _phash(data: bytes) -> str:
    return files.image_phash(Image.open(io.BytesIO(data)))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    return use_test_storage(settings, tmp_path)


@pytest.fixture
def apps(tcm_project, tree):
    return [new_application(tcm_project, tree["420102"], track="practice") for _ in range(3)]


def _attach(application, data: bytes, *, name="diploma.jpg", recommender=None) -> Attachment:
    """An attachment written as the services do, then fingerprinted as the hook does."""
    attachment = Attachment(
        application=application,
        section_code="basic",
        kind="diploma",
        label="毕业证书",
        content_type="image/jpeg",
        size=len(data),
        recommender=recommender,
    )
    attachment.file.save(name, ContentFile(data), save=False)
    attachment.save()
    files.fingerprint_now_or_later(files.item_ref(attachment), size=len(data))
    return attachment


class TestHashes:
    @pytest.mark.parametrize("copy", COPIES.values(), ids=COPIES.keys())
    def test_resaved_and_cropped_copy_is_near(self, copy):
        distance = files.hamming(_phash(jpeg_bytes(ORIGINAL)), _phash(jpeg_bytes(copy, quality=75)))
        assert distance <= files.NEAR_MAX_DISTANCE

    def test_different_diplomas_are_far(self):
        distance = files.hamming(_phash(jpeg_bytes(ORIGINAL)), _phash(jpeg_bytes(OTHER)))
        assert distance > files.NEAR_MAX_DISTANCE + 2

    def test_exif_orientation_is_applied_before_hashing(self):
        sideways = sideways_with_exif(ORIGINAL)
        assert files.hamming(_phash(jpeg_bytes(ORIGINAL)), _phash(sideways)) <= 2
        # without the turn the hash is another image's: the transpose is what makes it match
        raw = str(files.imagehash.phash(Image.open(io.BytesIO(sideways))))
        assert files.hamming(_phash(jpeg_bytes(ORIGINAL)), raw) > files.NEAR_MAX_DISTANCE

    def test_pdf_has_a_content_hash_only(self, apps):
        pdf = b"%PDF-1.4\n%test\n" + b"0" * 100
        attachment = _attach(apps[0], pdf, name="proof.pdf")
        fingerprint = FileFingerprint.objects.get(ref=f"attachment:{attachment.pk}")
        assert fingerprint.phash == "" and fingerprint.band0 is None
        assert len(fingerprint.sha256) == 64

    def test_bands_find_every_hash_within_the_radius(self):
        """Pigeonhole: any hash up to 4·(r+1)−1 bits away shares a band within r bits."""
        base = "f0e1d2c3b4a59687"
        value = int(base, 16)
        flipped = value ^ sum(
            1 << bit for bit in (0, 5, 17, 18, 33, 34, 35, 49, 50, 51, 60, 61, 62, 63, 40)
        )
        far = f"{flipped:016x}"
        assert files.hamming(base, far) == 15
        bands, far_bands = files.phash_bands(base), files.phash_bands(far)
        assert any(
            (a ^ b).bit_count() <= files.BAND_RADIUS for a, b in zip(bands, far_bands, strict=True)
        )


class TestMatching:
    def test_same_file_on_two_candidates(self, apps):
        data = jpeg_bytes(ORIGINAL)
        first, second = _attach(apps[0], data), _attach(apps[1], data)
        match = Match.objects.get()
        assert match.kind == MatchKind.FILE_SAME and match.similarity == 100
        assert {match.ref, match.other_ref} == {f"attachment:{first.pk}", f"attachment:{second.pk}"}
        assert match.application_id < match.other_application_id

    @pytest.mark.parametrize("copy", COPIES.values(), ids=COPIES.keys())
    def test_near_copy_on_another_candidate(self, apps, copy):
        _attach(apps[0], jpeg_bytes(ORIGINAL))
        _attach(apps[1], jpeg_bytes(copy, quality=75))
        match = Match.objects.get()
        assert match.kind == MatchKind.FILE_NEAR
        distance = match.detail["distance"]
        assert 0 < distance <= files.NEAR_MAX_DISTANCE
        assert match.similarity == round(100 * (1 - distance / 64))

    def test_exif_rotated_copy_matches(self, apps):
        _attach(apps[0], jpeg_bytes(ORIGINAL))
        _attach(apps[1], sideways_with_exif(ORIGINAL))
        assert Match.objects.get().kind == MatchKind.FILE_NEAR

    def test_different_diplomas_do_not_match(self, apps):
        _attach(apps[0], jpeg_bytes(ORIGINAL))
        _attach(apps[1], jpeg_bytes(OTHER))
        assert FileFingerprint.objects.count() == 2
        assert not Match.objects.exists()

    def test_classmates_diplomas_do_not_match(self, apps):
        """One school's layout hashes alike whoever the diploma belongs to (≤ 2 bits)."""
        near = files.hamming(_phash(jpeg_bytes(ORIGINAL)), _phash(jpeg_bytes(CLASSMATE)))
        assert near <= files.NEAR_MAX_DISTANCE
        _attach(apps[0], jpeg_bytes(ORIGINAL))
        _attach(apps[1], jpeg_bytes(CLASSMATE))
        assert not Match.objects.exists()

    def test_a_copy_still_matches_among_classmates(self, apps):
        _attach(apps[0], jpeg_bytes(CLASSMATE))
        _attach(apps[1], jpeg_bytes(ORIGINAL))
        _attach(apps[2], jpeg_bytes(COPIES["2 % off every edge"], quality=75))
        match = Match.objects.get()
        assert {match.application_id, match.other_application_id} == {apps[1].pk, apps[2].pk}

    def test_same_candidate_never_matches_themselves(self, apps, tcm_project, health_project, tree):
        data = jpeg_bytes(ORIGINAL)
        _attach(apps[0], data)
        _attach(apps[0], data, name="again.jpg")
        later = new_application(health_project, tree["U420102001"], candidate=apps[0].candidate)
        _attach(later, data)
        assert FileFingerprint.objects.count() == 3
        assert not Match.objects.exists()

    def test_teachers_proofs_are_not_fingerprinted(self, apps):
        from tests.builders import add_signed_teachers

        teacher = add_signed_teachers(apps[0])[0]
        data = jpeg_bytes(ORIGINAL)
        _attach(apps[0], data, recommender=teacher)
        _attach(apps[1], data)
        assert FileFingerprint.objects.count() == 1 and not Match.objects.exists()

    def test_removed_file_drops_fingerprint_and_matches(self, apps):
        data = jpeg_bytes(ORIGINAL)
        first = _attach(apps[0], data)
        _attach(apps[1], data)
        _attach(apps[2], data)
        assert Match.objects.count() == 3
        attachment_writes.attachments_remove(
            actor=apps[0].candidate.user, application=apps[0], attachments=[first]
        )
        assert not FileFingerprint.objects.filter(ref=f"attachment:{first.pk}").exists()
        assert Match.objects.count() == 1  # the other two still match each other


class TestHookOnSave:
    def _staged(self, application, data: bytes):
        upload = SimpleUploadedFile("diploma.jpg", data, content_type="image/jpeg")
        return stage_upload(
            candidate=application.candidate, upload=upload, content_type="image/jpeg"
        )

    def test_attachment_add_fingerprints_after_commit(
        self, apps, django_capture_on_commit_callbacks
    ):
        data = jpeg_bytes(ORIGINAL)
        _attach(apps[0], data)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            attachment = attachment_writes.attachment_add(
                actor=apps[1].candidate.user,
                application=apps[1],
                section_code="basic",
                kind="diploma",
                label="毕业证书",
                upload=self._staged(apps[1], data),
            )
        ref = f"attachment:{attachment.pk}"
        assert not FileFingerprint.objects.filter(ref=ref).exists()  # not before the commit
        for callback in callbacks:
            callback()
        assert FileFingerprint.objects.filter(ref=ref).exists()
        assert Match.objects.get().kind == MatchKind.FILE_SAME

    def test_replaced_material_image_is_fingerprinted_again(
        self, health_project, tree, django_capture_on_commit_callbacks
    ):
        from tests.exam.test_material_writes import _record_with_image

        apps = [new_application(health_project, tree["U420102001"]) for _ in range(2)]
        record = _record_with_image(apps[0])
        data = jpeg_bytes(ORIGINAL)
        _attach(apps[1], data)
        with django_capture_on_commit_callbacks(execute=True):
            material_writes.material_save_from_candidate(
                actor=apps[0].candidate.user,
                application=apps[0],
                material=record,
                values={},
                image=self._staged(apps[0], data),
            )
        fingerprint = FileFingerprint.objects.get(ref=f"educationrecord:{record.pk}")
        assert fingerprint.label == "学历信息" and fingerprint.phash
        assert Match.objects.get().kind == MatchKind.FILE_SAME

    def test_large_file_or_failure_goes_to_the_worker(self, apps, monkeypatch):
        big = files.INLINE_MAX_BYTES + 1
        files.fingerprint_now_or_later("attachment:1", size=big)

        def broken(item):
            raise OSError("storage unavailable")

        monkeypatch.setattr(files, "fingerprint_store", broken)
        attachment = _attach(apps[0], jpeg_bytes(ORIGINAL))  # must not raise
        queued = [
            row.args_kwargs["args"]
            for row in DBTaskResult.objects.filter(task_path__endswith="fingerprint_file_task")
        ]
        assert queued == [["attachment:1"], [f"attachment:{attachment.pk}"]]

    def test_the_task_fingerprints(self, apps, monkeypatch):
        monkeypatch.setattr(files, "INLINE_MAX_BYTES", 10)
        attachment = _attach(apps[0], jpeg_bytes(ORIGINAL))
        ref = f"attachment:{attachment.pk}"
        assert not FileFingerprint.objects.filter(ref=ref).exists()  # queued, not done inline
        files.fingerprint_file_task.call(ref)
        assert FileFingerprint.objects.filter(ref=ref).exists()


def test_rebuild_refinds_matches_and_drops_stale_rows(apps):
    data = jpeg_bytes(ORIGINAL)
    _attach(apps[0], data)
    _attach(apps[1], jpeg_bytes(COPIES["3 % off two edges"], quality=75))
    Match.objects.all().delete()
    FileFingerprint.objects.create(
        application=apps[2],
        candidate_id=apps[2].candidate_id,
        ref="attachment:999999",
        label="x",
        file_name="gone.jpg",
        sha256="0" * 64,
    )
    counts = files.files_rebuild(batch_size=1)
    assert counts == {"files": 2, "failed": 0, "dropped": 1, "matches": 1}
    assert Match.objects.get().kind == MatchKind.FILE_NEAR
    assert FileFingerprint.objects.count() == 2


def test_rebuild_command_runs_the_files(apps):
    """`manage.py duplicates_rebuild --only files` is the files' rebuild, with its counts."""
    data = jpeg_bytes(ORIGINAL)
    _attach(apps[0], data)
    _attach(apps[1], data)
    FileFingerprint.objects.all().delete()
    Match.objects.all().delete()
    out = io.StringIO()
    call_command("duplicates_rebuild", "--only", "files", stdout=out)
    assert FileFingerprint.objects.count() == 2
    assert Match.objects.get().kind == MatchKind.FILE_SAME
    assert "files 重建完成：文件 2，无法读取 0，删除 0，相似对 1" in out.getvalue()
