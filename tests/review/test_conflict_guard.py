"""`atomic_or_conflict`: the one transaction wrapper of every state-changing service (it
replaced 19 copies of try / atomic / except ConcurrentTransition)."""

import pytest
from django_fsm import ConcurrentTransition

from core.errors import CONFLICT_MESSAGE, ServiceError, atomic_or_conflict
from people.models import Ethnicity

pytestmark = pytest.mark.django_db


def test_a_concurrent_change_rolls_back_and_is_refused_in_chinese():
    with pytest.raises(ServiceError) as refused, atomic_or_conflict():
        Ethnicity.objects.create(code="Z1", name="测试民族")
        raise ConcurrentTransition("changed meanwhile")
    assert refused.value.message == CONFLICT_MESSAGE
    assert not Ethnicity.objects.filter(code="Z1").exists()


def test_a_service_can_name_its_own_conflict():
    guard = atomic_or_conflict("材料刚刚已被他人核验。")
    with pytest.raises(ServiceError, match="刚刚已被他人核验"), guard:
        raise ConcurrentTransition("changed meanwhile")


def test_other_errors_pass_through_and_roll_back():
    with pytest.raises(ServiceError, match="原样"), atomic_or_conflict():
        Ethnicity.objects.create(code="Z2", name="测试民族二")
        raise ServiceError("原样")
    assert not Ethnicity.objects.filter(code="Z2").exists()
    with atomic_or_conflict():
        Ethnicity.objects.create(code="Z3", name="测试民族三")
    assert Ethnicity.objects.filter(code="Z3").exists()
