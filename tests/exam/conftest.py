"""Fixtures shared by the exam tests."""

from tests.exam.eligibility_helpers import stand_in_kind  # noqa: F401
