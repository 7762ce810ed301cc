"""Admin screens of the people app, one module per model."""

from . import auth, identity, institutions, logins, reference, registry, reviewers  # noqa: F401  (registers the ModelAdmins)
