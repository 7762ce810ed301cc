"""The section pages of the candidate site, one module per exam kind (and one for 推荐信息).
Importing this package registers them with exam.site.registry."""

from exam.site.sections import health, recommendation, tcm  # noqa: F401
