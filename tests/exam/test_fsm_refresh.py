"""Reloading rows with a protected status field from several threads at once.

django-fsm's own refresh_from_db flips the field's shared `protected` flag, so two threads
reloading at the same time made one fail ("Direct status modification is not allowed"):
the HTTP 500s on the threaded server. people.fsm.FSMModel reloads per instance."""

import threading

import pytest
from django.db import connection

from exam.models import Application, Section, TierReview
from tests.builders import new_application, submitted

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
ROUNDS = 150


def _reload_in_threads(model, pk) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def work() -> None:
        try:
            row = model.objects.get(pk=pk)
            barrier.wait()
            for _ in range(ROUNDS):
                row.refresh_from_db()
        except BaseException as exc:  # noqa: BLE001 - every failure counts
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_simultaneous_reloads_of_sections_never_fail(tcm_project, tree):
    application = new_application(tcm_project, tree["420102"])
    section = application.sections.first()
    assert _reload_in_threads(Section, section.pk) == []


def test_simultaneous_reloads_of_applications_and_reviews_never_fail(tcm_project, tree):
    application = submitted(tcm_project, tree["420102"])
    assert _reload_in_threads(Application, application.pk) == []
    review = TierReview.objects.filter(application=application).first()
    assert _reload_in_threads(TierReview, review.pk) == []


def test_a_reload_still_brings_the_new_status_and_keeps_it_protected(tcm_project, tree):
    application = new_application(tcm_project, tree["420102"])
    section = application.sections.first()
    Section.objects.filter(pk=section.pk).update(status=Section.Status.LOCKED)
    section.refresh_from_db()
    assert section.status == Section.Status.LOCKED
    with pytest.raises(AttributeError, match="modification is not allowed"):
        section.status = Section.Status.COMPLETE
    # A partial reload works too (and, as with django-fsm's own, brings the status along).
    Section.objects.filter(pk=section.pk).update(status=Section.Status.INCOMPLETE, data={"a": 1})
    section.refresh_from_db(fields=["data"])
    assert section.data == {"a": 1}
    # Loading a deferred status (Django calls refresh_from_db itself) works too.
    deferred = Section.objects.defer("status").get(pk=section.pk)
    assert deferred.status == Section.Status.INCOMPLETE


def test_a_partial_reload_of_a_model_with_two_status_fields_does_not_recurse(tcm_project, tree):
    """Application has two (status, payment_status): a fresh copy holding one of them loaded
    the other by a query holding only that one, and so on (RecursionError)."""
    application = new_application(tcm_project, tree["420102"])
    Application.objects.filter(pk=application.pk).update(eligibility_outcome="eligible")
    application.refresh_from_db(fields=["eligibility_outcome"])
    assert application.eligibility_outcome == "eligible"
    # Django's own loading of a deferred field goes the same way
    loaded = Application.objects.only("id").get(pk=application.pk)
    assert (loaded.eligibility_outcome, loaded.status) == ("eligible", application.status)
