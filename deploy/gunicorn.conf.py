"""gunicorn settings for the MGI Portal (read with `gunicorn -c deploy/gunicorn.conf.py`).

Every value can be overridden from the environment (GUNICORN_*), so the same file
serves the loopback stack (scripts/prod_up.sh) and a server (deploy/systemd).
Threads rather than more processes: requests mostly wait on PostgreSQL, Redis or
the disk, and each process holds one Django and one database connection per thread.
"""

import os

wsgi_app = "mgi_portal.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8101")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A request longer than this is killed; PDFs are rendered by Celery, never in a request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 75  # longer than nginx's upstream keepalive, so nginx closes first
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# nginx writes the access log; gunicorn logs errors (to stderr unless told otherwise).
accesslog = None
errorlog = os.environ.get("GUNICORN_ERRORLOG", "-")
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# Trust X-Forwarded-* only from nginx on this machine.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = os.environ.get("GUNICORN_PROC_NAME", "mgi-portal")
