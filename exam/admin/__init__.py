"""Admin screens, one module per model (added with the reviewer admin)."""

from . import duplicates, eligibility, projects, reference  # noqa: F401  (registers the ModelAdmins)
