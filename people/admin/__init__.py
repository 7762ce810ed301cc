"""Admin screens, one module per model (added with the reviewer admin)."""
