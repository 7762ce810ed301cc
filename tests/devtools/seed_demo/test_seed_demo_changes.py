"""`seed_demo` has applications returned (允许修改) and resubmitted with changes, so the
reviewers' 修改内容 tab and the list's 已修改 mark show something (issue 16 §1)."""

import pytest

from exam.models import Application, ExamKind
from review.list_selectors import REVISED, filter_revised
from review.models import ReturnSnapshot
from review.snapshots import application_changes
from tests.devtools.seed_demo.seeded import Seeded

pytestmark = pytest.mark.django_db


def test_returned_applications_have_their_snapshots(seeded: Seeded) -> None:
    returned = Application.objects.filter(return_rounds__gt=0)
    assert returned.exists()
    for application in returned:
        rounds = ReturnSnapshot.objects.filter(application=application).count()
        assert rounds == application.return_rounds, application.pk


def test_some_resubmissions_show_changes_of_both_exams(seeded: Seeded) -> None:
    revised = filter_revised(Application.objects.select_related("project"), REVISED)
    changed = {}
    for application in revised:
        view = application_changes(application=application)
        assert view is not None and view.open_first
        newest = view.rounds[0]
        if newest.changed:
            changed.setdefault(application.project.kind, []).append(newest)
    assert set(changed) == {ExamKind.HEALTH_QUALIFICATION, ExamKind.TCM_EXPERTISE}
    # A replaced photo among them: old and new side by side.
    files = [
        change
        for rounds in changed.values()
        for round_ in rounds
        for section in round_.changed
        for change in section.files + [f for r in section.records_changed for f in r.files]
    ]
    assert any(f.action == "更换" and f.old["url"] and f.new["url"] for f in files)
