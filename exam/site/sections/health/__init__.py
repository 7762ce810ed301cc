"""Section pages of the health exam: pages.py (the views), forms.py (their forms and how
cleaned values are kept in Section.data). Importing this package registers the pages."""

from exam.site.sections.health import pages  # noqa: F401
