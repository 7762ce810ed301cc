"""Background jobs (后台任务): large exports and imports run outside the request through
Django's Tasks API (the django-tasks backport, database backend django-tasks-db), with a
progress bar, a private result file and the errors of a failed import.

The machinery only: the job row, its services and selectors, the heartbeat, progress, the
worker and 我的任务. What a job does is the task settings.JOB_TASKS names for its kind (the
review exports and imports: review/job_tasks.py). The app label stays `jobs`, so its table
and migrations are those it had under review/.
"""
