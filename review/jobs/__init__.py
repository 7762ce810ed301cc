"""Background jobs (后台任务): large exports and imports run outside the request through
Django's Tasks API (the django-tasks backport, database backend django-tasks-db), with a
progress bar, a private result file and the errors of a failed import.

A sub-app of review with its own label (`jobs`) and migrations folder: it builds on the
review admin's exports and imports, but its table and migrations stay apart from the
review models.
"""
