"""The candidate cannot sign for a teacher alone: with everything the candidate knows (the
teacher's name and ID number, which the candidate typed to add them, the QR link, the pages
themselves) the teacher's identity cannot be confirmed. Only HTTP is used, as a candidate
would."""

import re

import pytest
from django.urls import reverse

from exam import recommender_services as rs
from exam.models import Recommender
from tests.builders import new_application, teacher_proofs
from tests.factories import PhysicianFactory

pytestmark = pytest.mark.django_db


def test_the_candidate_cannot_confirm_the_teachers_identity(client, tree, tcm_project):
    application = new_application(tcm_project, tree["420102"], track="apprenticeship")
    physician = PhysicianFactory(name="李时明", id_number="420102197001011236")
    teacher = rs.recommender_add(
        actor=application.candidate.user,
        application=application,
        role="recommender",
        name=physician.name,
        id_number=physician.id_number,
    )
    teacher_proofs(teacher)
    token = rs.recommender_invite(actor=application.candidate.user, recommender=teacher)
    client.force_login(application.candidate.user)
    identity = reverse("recommend:identity", args=[token])
    sign = reverse("recommend:sign", args=[token])

    pages = client.get(reverse("recommend:start", args=[token])).content.decode()
    # The candidate may ask for the code: it goes to the phone on the registry record.
    client.post(identity, {"action": "send"})
    pages += client.get(identity).content.decode()
    assert physician.phone not in pages
    # What the candidate can try: the ID number (the old check), parts of it, and any six
    # digits shown on the pages.
    guesses = [physician.id_number, physician.id_number[-6:], physician.id_number[6:12]]
    guesses += re.findall(r"(?<!\d)\d{6}(?!\d)", pages)
    for guess in guesses:
        for data in ({"id_number": guess}, {"action": "verify", "code": guess}):
            response = client.post(identity, data)
            assert response.status_code != 302, f"{data} confirmed the identity"

    assert Recommender.objects.get(pk=teacher.pk).status == Recommender.Status.INVITED
    assert client.get(sign)["Location"] == identity
    response = client.post(sign, {"pledge": "on", "evaluation": "好", "opinion": "同意"})
    assert response.status_code == 302 and response["Location"] == identity
    assert Recommender.objects.get(pk=teacher.pk).status == Recommender.Status.INVITED
