"""Imports every exam kind's eligibility module so that each registers itself."""

from exam.eligibility import health, tcm  # noqa: F401
