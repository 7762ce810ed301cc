"""Admin screens of the review app, one module per model."""

from . import applications, logs, reference_libraries  # noqa: F401  (registers the ModelAdmins)
