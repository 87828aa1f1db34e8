"""gunicorn's settings for the Dockerfile and docker compose (gunicorn reads ./gunicorn.conf.py by default; the
command line overrides any of these)."""

import os

from gunicorn.http import wsgi

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Threaded workers: the worker's main thread keeps telling the arbiter it is alive while a request thread streams a
# long export, so a download of a million rows is not killed by the 30 s worker timeout (a sync worker is: its one
# thread is busy sending). Each thread holds its own database connection.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
accesslog = "-"

# No `Server: gunicorn` banner: it tells a scanner what to try and a visitor nothing. gunicorn has no setting for it
# (it writes the line itself in Response.default_headers), so that line is dropped here.
_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self) -> list[str]:
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _default_headers_without_server
