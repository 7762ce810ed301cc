"""查重 of texts: a 医案 copied with a few characters changed and its sentences reordered is
flagged on the pair, two honest 医案 written to the same template are not, the project's
threshold decides, and saving a text (re)indexes it once the save commits."""

import pytest

from core.errors import ServiceError
from exam import services as exam_services
from exam.attachment_writes import case_record_save
from exam.duplicates import passages as passage_rules
from exam.duplicates import texts
from exam.duplicates.models import DuplicateSettings, Match, MatchKind, TextBand, TextFingerprint
from exam.models import CaseRecord, Section
from tests.builders import new_application

pytestmark = pytest.mark.django_db

# One 医案 as a candidate writes it: six fields.
CASE_A = {
    "chief_complaint": "反复胃脘胀痛三年，加重一周。",
    "history": (
        "患者三年前因饮食不节出现胃脘胀痛，饭后尤甚，嗳气频作，曾服用西药治疗，症状时轻时重。"
        "一周前因情志不畅，胀痛加重，伴口苦咽干，纳差，大便黏滞不爽，夜寐欠安。"
    ),
    "syndrome_analysis": (
        "肝气郁结，横逆犯胃，胃失和降，故胃脘胀痛、嗳气；气郁化热，故口苦咽干；"
        "舌红苔黄腻，脉弦滑，为肝胃郁热夹湿之象。"
    ),
    "diagnosis": "中医诊断：胃脘痛，肝胃郁热证。西医诊断：慢性胃炎。",
    "treatment": (
        "疏肝泄热，和胃止痛。方用化肝煎合左金丸加减：青皮十克，陈皮十克，白芍十五克，"
        "牡丹皮十克，栀子十克，黄连六克，吴茱萸二克，浙贝母十克，延胡索十克，甘草六克。"
        "七剂，水煎服，日一剂。"
    ),
    "analysis": (
        "本例情志不遂，肝失疏泄，郁而化热，犯胃作痛。方中化肝煎清肝泄热，左金丸辛开苦降，"
        "延胡索行气止痛。二诊胀痛明显减轻，守方调理一月而愈。"
    ),
}

# Another candidate's 医案 on the same template (same headings, same phrasing habits) about
# another patient: honest, must not be flagged.
CASE_B = {
    "chief_complaint": "腰膝酸软疼痛两年，遇冷加重一月。",
    "history": (
        "患者两年前劳累后出现腰部酸痛，休息后可缓解，未予系统治疗。"
        "一月前受寒后疼痛加重，屈伸不利，畏寒肢冷，小便清长，夜尿频多，精神倦怠。"
    ),
    "syndrome_analysis": (
        "年老肾气渐衰，复感寒湿，痹阻经络，故腰膝酸软疼痛；肾阳不足，温煦失职，"
        "故畏寒肢冷、夜尿频多；舌淡胖苔白，脉沉细，为肾阳虚寒湿痹阻之象。"
    ),
    "diagnosis": "中医诊断：腰痛，肾阳亏虚、寒湿痹阻证。西医诊断：腰椎退行性变。",
    "treatment": (
        "温补肾阳，散寒除湿。方用独活寄生汤加减：独活十克，桑寄生十五克，杜仲十五克，"
        "牛膝十克，细辛三克，桂枝十克，当归十克，熟地黄十五克，淫羊藿十克，甘草六克。"
        "十剂，水煎服，日一剂。"
    ),
    "analysis": (
        "本例肾虚为本，寒湿为标。方中独活、桑寄生祛风湿止痹痛，杜仲、牛膝补肝肾强筋骨，"
        "桂枝、细辛温经散寒。二诊疼痛减轻，续服半月，诸症缓解。"
    ),
}


def near_copy(case: dict[str, str]) -> dict[str, str]:
    """What a copier does: a few characters changed, sentences of two fields swapped."""
    copy = dict(case)
    first, second = case["history"].split("。")[:2]
    copy["history"] = f"{second}。{first}。"
    copy["chief_complaint"] = case["chief_complaint"].replace("三年", "四年")
    copy["treatment"] = case["treatment"].replace("七剂", "五剂").replace("十五克", "十二克")
    analysis = case["analysis"].split("。")
    copy["analysis"] = "。".join([analysis[1], analysis[0], *analysis[2:]])
    return copy


@pytest.fixture
def applications(tree, tcm_project):
    return [new_application(tcm_project, tree["420102"], track="practice") for _ in range(3)]


def save_case(application, fields, number=1) -> CaseRecord:
    record = application.case_records.filter(number=number).first() or CaseRecord(
        application=application, number=number
    )
    for name, value in fields.items():
        setattr(record, name, value)
    record.patient_name, record.patient_gender, record.patient_age = "张某", "male", 52
    record.address, record.phone = "武汉市江岸区", "13800000000"
    record.save()
    return record


def check(record) -> int:
    return texts.text_check(ref=texts.case_ref(record.pk))


def test_near_copy_matches_above_80_and_shows_passages(applications):
    a, b, _ = applications
    original = save_case(a, CASE_A)
    copied = save_case(b, near_copy(CASE_A))
    assert check(original) == 0  # nothing to compare with yet
    assert check(copied) == 1
    match = Match.objects.get(kind=MatchKind.TEXT)
    assert match.similarity >= 80
    # Stored with the lower application first, whichever was saved last.
    assert (match.application_id, match.ref) == (a.pk, texts.case_ref(original.pk))
    assert (match.other_application_id, match.other_ref) == (b.pk, texts.case_ref(copied.pk))
    assert match.label == match.other_label == "病案1"
    passages = match.detail["passages"]
    assert 1 <= len(passages) <= passage_rules.PASSAGES
    assert all(len(this) <= passage_rules.PASSAGE_CHARS + 1 for this, _ in passages)
    # The sides differ where the copier changed characters, and both come from the texts.
    joined_a = "\n".join(CASE_A.values())
    joined_b = "\n".join(near_copy(CASE_A).values())
    assert all(this in joined_a and other in joined_b for this, other in passages)
    assert any(this != other for this, other in passages)


def test_two_honest_cases_of_one_template_do_not_match(applications):
    a, b, _ = applications
    check(save_case(a, CASE_A))
    record = save_case(b, CASE_B)
    assert check(record) == 0
    assert not Match.objects.exists()
    grams_a = texts.shingles(texts.normalise("\n".join(CASE_A.values())))
    grams_b = texts.shingles(texts.normalise("\n".join(CASE_B.values())))
    assert texts.jaccard(grams_a, grams_b) < 0.2


def test_copy_within_one_application_is_not_a_match(applications):
    a = applications[0]
    check(save_case(a, CASE_A, number=1))
    assert check(save_case(a, near_copy(CASE_A), number=2)) == 0


def _pair_similarity() -> int:
    grams_a = texts.shingles(texts.normalise("\n".join(CASE_A.values())))
    grams_c = texts.shingles(texts.normalise("\n".join(near_copy(CASE_A).values())))
    return round(texts.jaccard(grams_a, grams_c) * 100)


@pytest.mark.parametrize("threshold, flagged", [(70, True), (95, False)])
def test_project_threshold_decides(applications, tcm_project, threshold, flagged):
    assert 70 < _pair_similarity() < 95  # the pair lies between the two thresholds
    DuplicateSettings.objects.create(project=tcm_project, text_threshold=threshold)
    a, b, _ = applications
    check(save_case(a, CASE_A))
    check(save_case(b, near_copy(CASE_A)))
    assert Match.objects.filter(kind=MatchKind.TEXT).exists() is flagged


def test_threshold_change_rematches_without_reindexing(applications, tcm_project):
    settings = DuplicateSettings.objects.create(project=tcm_project, text_threshold=95)
    a, b, _ = applications
    check(save_case(a, CASE_A))
    check(save_case(b, near_copy(CASE_A)))
    assert not Match.objects.exists()
    fingerprints = dict(TextFingerprint.objects.values_list("ref", "updated_at"))
    settings.text_threshold = 70
    settings.save()
    assert texts.texts_rematch_project(project_id=tcm_project.pk) == 1
    assert Match.objects.get().similarity == _pair_similarity()
    assert dict(TextFingerprint.objects.values_list("ref", "updated_at")) == fingerprints


def test_other_projects_are_not_compared(applications, tree, tcm_project):
    from exam.models import ExamProject

    other = ExamProject.objects.create(
        kind=tcm_project.kind,
        year=2025,
        name="2025年考核",
        registration_opens_at=tcm_project.registration_opens_at,
        registration_closes_at=tcm_project.registration_closes_at,
    )
    elsewhere = new_application(other, tree["420102"], track="practice")
    check(save_case(applications[0], CASE_A))
    assert check(save_case(elsewhere, near_copy(CASE_A))) == 0


def test_edited_text_replaces_its_fingerprint_and_matches(applications):
    a, b, _ = applications
    check(save_case(a, CASE_A))
    copied = save_case(b, near_copy(CASE_A))
    check(copied)
    assert Match.objects.count() == 1
    bands = set(
        TextBand.objects.filter(fingerprint__ref=texts.case_ref(copied.pk)).values_list(
            "key", flat=True
        )
    )
    save_case(b, CASE_B)
    assert check(copied) == 0
    assert not Match.objects.exists()
    assert (
        TextBand.objects.filter(fingerprint__ref=texts.case_ref(copied.pk)).count() == texts.BANDS
    )
    assert bands != set(
        TextBand.objects.filter(fingerprint__ref=texts.case_ref(copied.pk)).values_list(
            "key", flat=True
        )
    )


def test_short_texts_are_not_indexed(applications):
    record = save_case(applications[0], dict.fromkeys(CASE_A, "无"))
    assert check(record) == 0
    assert not TextFingerprint.objects.exists()


def test_narratives_match_across_apprenticeship_and_practice(tree, tcm_project):
    experience = CASE_A["history"] + CASE_A["analysis"]
    first = new_application(tcm_project, tree["420102"], track="practice")
    second = new_application(tcm_project, tree["420106"], track="apprenticeship")
    practice = Section.objects.get(application=first, code="practice")
    apprenticeship = Section.objects.get(application=second, code="apprenticeship")
    Section.objects.filter(pk=practice.pk).update(data={"experience": experience})
    Section.objects.filter(pk=apprenticeship.pk).update(
        data={"experience": experience.replace("三年", "五年"), "address": "不读"}
    )
    texts.text_check(ref=texts.section_ref(practice.pk))
    assert texts.text_check(ref=texts.section_ref(apprenticeship.pk)) == 1
    match = Match.objects.get()
    assert {match.label, match.other_label} == {"医术实践经历", "跟师学习医术及实践经历"}


# --- the hooks: after commit, never failing the save ----------------------------------------


def test_case_record_save_indexes_after_commit(applications, django_capture_on_commit_callbacks):
    a, b, _ = applications
    for application, fields in ((a, CASE_A), (b, near_copy(CASE_A))):
        record = CaseRecord(application=application, number=1)
        save_fields = dict(fields)
        for name, value in save_fields.items():
            setattr(record, name, value)
        record.patient_name, record.patient_gender, record.patient_age = "张某", "male", 52
        record.address, record.phone = "武汉市江岸区", "13800000000"
        section = Section.objects.get(application=application, code="expertise")
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            exam_services.section_save(
                actor=application.candidate.user,
                section=section,
                data=section.data,
                write=lambda a=application, r=record: case_record_save(
                    actor=a.candidate.user, application=a, record=r
                ),
                draft=True,
            )
        assert not TextFingerprint.objects.filter(ref=texts.case_ref(record.pk)).exists()
        for callback in callbacks:
            callback()
        assert TextFingerprint.objects.filter(ref=texts.case_ref(record.pk)).exists()
    assert Match.objects.filter(kind=MatchKind.TEXT).count() == 1


def test_a_failing_check_never_fails_the_save(
    applications, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*, ref):
        raise RuntimeError("index down")

    monkeypatch.setattr(texts, "text_check", broken)
    application = applications[0]
    section = Section.objects.get(application=application, code="expertise")
    data = {"content": CASE_A["history"] + CASE_A["analysis"]}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        saved = exam_services.section_save(
            actor=application.candidate.user, section=section, data=data, draft=True
        )
    assert callbacks  # the check was due, and failed quietly
    assert Section.objects.get(pk=saved.pk).data == data
    assert not TextFingerprint.objects.exists()


def test_a_refused_save_indexes_nothing(applications, django_capture_on_commit_callbacks):
    application, stranger_app, _ = applications
    record = CaseRecord(application=application, number=1, **CASE_A)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ServiceError),
    ):
        case_record_save(actor=stranger_app.candidate.user, application=application, record=record)
    assert not callbacks


def test_a_long_text_goes_to_the_worker(
    applications, monkeypatch, django_capture_on_commit_callbacks
):
    from exam.duplicates import text_hooks

    queued = []
    monkeypatch.setattr(text_hooks, "_enqueue", queued.append)
    application = applications[0]
    section = Section.objects.get(application=application, code="expertise")
    data = {"content": "医" * (text_hooks.BACKGROUND_CHARS + 1)}
    with django_capture_on_commit_callbacks(execute=True):
        exam_services.section_save(
            actor=application.candidate.user, section=section, data=data, draft=True
        )
    assert queued == [texts.section_ref(section.pk)]
    assert not TextFingerprint.objects.exists()


def test_a_copy_ring_larger_than_a_bucket_is_still_found(tree, tcm_project, monkeypatch):
    """Buckets above MAX_BUCKET count as boilerplate; texts sharing MIN_SHARED bands still
    pair, so many candidates with one bought 医案 are all flagged, by the check and by the
    re-matching alike."""
    monkeypatch.setattr(texts, "MAX_BUCKET", 2)
    ring = [new_application(tcm_project, tree["420102"], track="practice") for _ in range(4)]
    records = [save_case(application, near_copy(CASE_A)) for application in ring]
    found = [check(record) for record in records]
    assert found == [0, 1, 2, 3]
    assert Match.objects.count() == 6  # every pair of the four
    assert TextBand.objects.values("key").distinct().count() == texts.BANDS  # all buckets big
    assert texts.texts_rematch_project(project_id=tcm_project.pk) == 6
    # One honest text beside them: in none of their buckets, matched with none.
    assert check(save_case(new_application(tcm_project, tree["420102"]), CASE_B)) == 0


def test_signatures_are_fixed_across_processes_and_versions():
    """Stored signatures and band keys are compared with new ones for years: the hashing
    must not depend on the process (Python's hash()) or on a drawn random stream."""
    signature = texts.signature_of(texts.normalise("".join(CASE_A.values())))
    assert signature[:4].tolist() == [6476065, 24811888, 1998288, 4813916]
    assert texts.band_keys(signature)[:2] == [-9199433385252568304, -982451168280850626]
    assert len(signature) == texts.NUM_PERM and texts.BANDS * texts.ROWS <= texts.NUM_PERM


def test_a_removed_text_loses_its_fingerprint_and_matches(applications):
    a, b, _ = applications
    check(save_case(a, CASE_A))
    copied = save_case(b, near_copy(CASE_A))
    check(copied)
    assert Match.objects.count() == 1
    ref = texts.case_ref(copied.pk)
    copied.delete()
    assert texts.text_check(ref=ref) == 0
    assert not Match.objects.exists()
    assert not TextFingerprint.objects.filter(ref=ref).exists()
    assert not TextBand.objects.filter(fingerprint__ref=ref).exists()
