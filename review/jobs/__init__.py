"""Where the review admin's exports and imports turn into background jobs (offload.py).
The job machinery itself (model, services, worker, 我的任务) is core/jobs/; the task bodies
that know the review exports and imports are review/job_tasks.py."""
