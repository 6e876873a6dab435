"""gunicorn in production (issue 14): threads, so that slow clients cannot occupy every worker.

gunicorn reads this file from the directory it starts in (the repository root: `make
serve-production`, `.ci/production-check`, deploy/aqb-web.service); command-line options win.

With gunicorn's default "sync" workers each process serves one connection at a time, from its
first byte to its last: four visitors sending a form at one byte per second stopped the site.
"gthread" workers serve each connection on one of `WEB_THREADS` threads, and wait for a
connection's next request in a shared loop without a thread; a slow client holds one thread, not
the process. Behind the TLS proxy (README, "Betrieb") the proxy buffers request bodies as well
(deploy/nginx-aqb.conf), so slow clients never reach gunicorn there at all.

Each thread may keep its own database connection for DB_CONN_MAX_AGE seconds:
WEB_WORKERS x WEB_THREADS must stay below PostgreSQL's `max_connections` (100 by default) minus
the task workers and the administrators' share.
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", "3"))
threads = int(os.environ.get("WEB_THREADS", "16"))
# A worker that stops answering its master for this long (a request stuck in Python) is replaced.
timeout = int(os.environ.get("WEB_TIMEOUT", "120"))
graceful_timeout = 30
# Idle keep-alive connections wait in the worker's loop, not on a thread; closed after this many seconds.
keepalive = 5
# Request line and headers stay small (gunicorn's defaults, named here so that nobody raises them unknowingly).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-"
errorlog = "-"
