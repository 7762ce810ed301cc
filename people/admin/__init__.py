"""Admin screens of the people app, one module per model."""

from . import auth, identity, institutions, reference, registry, reviewers, sms  # noqa: F401  (registers the ModelAdmins)
