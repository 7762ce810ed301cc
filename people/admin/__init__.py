"""Admin screens of the people app, one module per model."""

from . import (  # noqa: F401  (registers the ModelAdmins)
    access_log,
    auth,
    identity,
    import_logs,
    institutions,
    logins,
    notifications,
    reference,
    registry,
    reviewers,
    sms,
)
