"""gunicorn settings for Gazette's app servers, the same on every host and in `make stack`.

    gunicorn -c deploy/gunicorn.conf.py gazette.wsgi

Environment: GUNICORN_BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (worker processes,
default: the number of cores), GUNICORN_THREADS (threads per worker, default 4),
GUNICORN_PIDFILE, GUNICORN_ACCESS_LOG ("-" for stderr; off by default: nginx logs access).

Threads (gthread): a page waits on PostgreSQL and Redis most of its time, so a few threads
per process serve more readers than more processes would, in less memory. Each process
keeps its own psycopg pool (DATABASE_POOL_MAX_SIZE must cover its threads). Measured sizing
belongs to bench/ (docs/benchmarks.md); this is the starting point for 2 cores.
"""

import multiprocessing
import os

from gunicorn.http import wsgi as gunicorn_wsgi

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
pidfile = os.environ.get("GUNICORN_PIDFILE") or None
# gunicorn's control socket (`gunicornc`): one per instance, beside its pid file; off without.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET") or (
    f"{pidfile}.ctl" if pidfile else "gunicorn.ctl"
)
control_socket_disable = not (pidfile or os.environ.get("GUNICORN_CONTROL_SOCKET"))
wsgi_app = "gazette.wsgi:application"

# A worker stuck longer than this is killed and replaced; nginx gives up a little later.
timeout = 30
graceful_timeout = 20
keepalive = 5  # nginx keeps upstream connections open
# Recycle workers now and then: a slow leak never becomes an outage. Not too often: a new
# worker imports the app (about 2 s of CPU), and beacons alone can bring thousands of requests
# a second in a spike (docs/benchmarks.md, "View beacon").
max_requests = 50000
max_requests_jitter = 5000
# Heartbeat files in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# nginx refuses requests that are too large (deploy/nginx.conf: a request line over 8 KB, a
# header over 8 KB, 32 KB of headers in all) before they reach us. Our own limits sit above
# its, so we never refuse, half-read, what it let by: that would reset its connection and
# count against this server. gunicorn's defaults (a 4 KB line, 100 headers) are below.
limit_request_line = 8190  # gunicorn's most; nginx's 8 KB line buffer holds no longer one
limit_request_field_size = 16384  # a header nginx passed, with its X-Forwarded-For added
limit_request_fields = 32768  # gunicorn's most; 32 KB of headers hold fewer

# Only nginx talks to us: trust its X-Forwarded-* from loopback (and the proxy hosts in
# FORWARDED_ALLOW_IPS on a multi-host deploy).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs as JSON lines on stderr, like the app's (gazette.core.json_logging).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "gazette.core.json_logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # nginx logs every request; gunicorn's access lines only when GUNICORN_ACCESS_LOG is set.
        "gunicorn.access": {
            "handlers": ["console"],
            "level": "INFO" if accesslog else "WARNING",
            "propagate": False,
        },
    },
}


# gunicorn's own headers on every answer: Server, Date and Connection. nginx drops the first
# two (it sends its own), needs no "Connection: keep-alive" from an HTTP/1.1 server (that is
# HTTP/1.1's default), and a reader never sees any of them; yet nginx stores them with every
# cached page and parses them again on every cache hit (about 1,900 of a hit's 48,000
# instructions; docs/benchmarks.md, issue 17, branch nginx9). So they are not sent: nginx
# adds Date itself to what it forwards, as HTTP asks of a proxy whose upstream sent none. A
# "Connection: close", and keep-alive to an HTTP/1.0 client, are still said.
# (Read again on a reload: wrap gunicorn's own method, not this one.)
_gunicorn_default_headers = getattr(
    gunicorn_wsgi.Response.default_headers,
    "gunicorn_own",
    gunicorn_wsgi.Response.default_headers,
)


def _headers_nginx_reads(response) -> list[str]:
    keep_alive_is_implied = tuple(response.req.version) >= (1, 1)
    return [
        line
        for line in _gunicorn_default_headers(response)
        if not line.startswith(("Server:", "Date:"))
        and not (keep_alive_is_implied and line == "Connection: keep-alive\r\n")
    ]


_headers_nginx_reads.gunicorn_own = _gunicorn_default_headers
gunicorn_wsgi.Response.default_headers = _headers_nginx_reads
