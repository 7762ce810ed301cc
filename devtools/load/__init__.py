"""`manage.py loadtest`: N logged-in reviewer sessions against a running server.

accounts.py  the bench reviewer accounts per tier (Django)
plan.py      what each session may ask for: ids in its scope, filter values (Django)
mix.py       the request mix and the URLs it draws (pure: the locustfile imports it)
stats.py     requests/s and percentiles from the recorded samples and locust's CSV (pure)
runner.py    runs locust headless as a subprocess
locustfile.py  the sessions themselves (locust imports it; nothing else may: locust patches
               the standard library with gevent on import)
"""
