"""Admin screens of the review app, one module per model."""

from . import (  # noqa: F401  (registers the ModelAdmins)
    applications,
    duplicates,
    jobs,
    logs,
    materials,
    payments,
    reference_libraries,
)
