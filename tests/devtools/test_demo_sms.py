"""`make demo` end to end for the teacher's SMS code: the demo physicians have phone numbers
(also in a demo database seeded before they had), and a teacher confirms their identity with
the code that provincial staff read in 短信发送记录."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.test import Client, override_settings
from django.urls import reverse

from devtools.demo.registry import PHYSICIAN_COUNT
from devtools.demo.seed import seed_demo
from devtools.demo.tree import DEMO_PASSWORD
from exam import recommender_services as rs
from exam.models import ExamKind, ExamProject, Recommender
from people.models import Candidate, Institution, Physician
from people.phones import normalize_mobile
from tests.builders import in_health_business, new_application, teacher_proofs

User = get_user_model()

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        seed_demo()


def test_demo_teacher_confirms_with_the_code_from_the_outbox(demo):
    physicians = Physician.objects.all()
    assert physicians.count() == PHYSICIAN_COUNT
    assert all(normalize_mobile(p.phone) == p.phone for p in physicians)
    # A demo database from before the phones gets them on the next seed_demo.
    Physician.objects.update(phone="")
    seed_demo()
    assert not Physician.objects.filter(phone="").exists()

    candidate = Candidate.objects.get(user__username="candidate4")
    project = ExamProject.objects.get(kind=ExamKind.TCM_EXPERTISE)
    county = Institution.objects.get(code="420102")
    application = new_application(project, county, candidate=candidate, track="apprenticeship")
    physician = physicians.filter(is_recommender=True).first()
    teacher = rs.recommender_add(
        actor=candidate.user,
        application=application,
        role=Recommender.Role.RECOMMENDER,
        name=physician.name,
        id_number=physician.id_number,
    )
    teacher_proofs(teacher)
    token = rs.recommender_invite(actor=candidate.user, recommender=teacher)
    phone_client = Client()
    identity = reverse("recommend:identity", args=[token])
    assert phone_client.post(identity, {"action": "send"}).status_code == 302

    staff = Client()
    assert staff.login(request=HttpRequest(), username="province", password=DEMO_PASSWORD)
    in_health_business(User.objects.get(username="province"))  # the demo has two businesses
    outbox = staff.get(reverse("admin:people_smsmessage_changelist")).content.decode()
    code = re.search(r"身份核验码为(\d{6})", outbox).group(1)
    response = phone_client.post(identity, {"action": "verify", "code": code})
    assert response.status_code == 302
    assert Recommender.objects.get(pk=teacher.pk).status == Recommender.Status.CONFIRMED
