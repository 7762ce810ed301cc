"""Imports every exam kind's eligibility module so that each registers itself."""
