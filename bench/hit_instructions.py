"""User-space instructions nginx spends per cached hit, counted by valgrind's callgrind: a
figure that does not depend on the machine's load, where rates and CPU times on shared cores
scatter by more than the differences between two configurations (docs/benchmarks.md, "Where
a hit's work goes").

    .venv/bin/python bench/hit_instructions.py [--configs ceiling,main,worktree] [--seconds 6]

For each configuration (a git revision's deploy/nginx.conf, or ``worktree`` for this
checkout's), renders it as `make bench` starts the stack (one worker, no edge limits) but
with a 1 h microcache so that every request is a hit, in front of a stub app that answers
with the app's headers (those gunicorn and Django send for an article) and a 24 KB page;
runs that nginx under callgrind (``master_process off``), warms it, zeroes the counts, loads
it with wrk (1 thread, 4 connections) and divides the instructions by the requests answered.
``ceiling`` is make bench's static ceiling (stack_bench.Ceiling) serving the same page as
/article.html, whatever the path.
Each URL of ``--paths`` is counted in its own run. A configuration named with
``+gunicorn-headers`` (``main+gunicorn-headers``) has the stub app also send the Server, Date
and "Connection: keep-alive" headers gunicorn sent before deploy/gunicorn.conf.py left them
out (branch nginx9): main's nginx behind main's app server.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from email.utils import formatdate
from pathlib import Path
from socketserver import StreamRequestHandler, ThreadingTCPServer

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from bench import stack_bench  # noqa: E402
from bench.loadtest import run_wrk  # noqa: E402
from deploy import local_services, stack  # noqa: E402

PAGE = b"<!doctype html><p>" + b"x" * 24_000 + b"</p>\n"
# What gunicorn put on every answer before deploy/gunicorn.conf.py left it out.
GUNICORN_HEADERS = "Server: gunicorn\r\nDate: {date}\r\nConnection: keep-alive\r\n"
# What Django's middleware puts on an article's answer.
APP_HEADERS = (
    "Content-Type: text/html; charset=utf-8\r\n"
    f"Content-Length: {len(PAGE)}\r\n"
    "Vary: Cookie\r\n"
    "X-Frame-Options: DENY\r\n"
    "Content-Security-Policy: script-src 'self'; connect-src 'self'; base-uri 'self'; "
    "img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; object-src 'none'; "
    "default-src 'self'; form-action 'self'; font-src 'self'\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: strict-origin-when-cross-origin\r\n"
    "Cross-Origin-Opener-Policy: same-origin\r\n"
    "X-Request-ID: 2b7f0c1e9d8a4f6b8c3e5a7d9f1b3c5e\r\n"
)


class StubApp(StreamRequestHandler):
    """Answers every request with the article's headers and page, keeping the connection."""

    gunicorn_headers = False

    def handle(self) -> None:
        while True:
            line = self.rfile.readline()
            if not line:
                return
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            head = "HTTP/1.1 200 OK\r\n"
            if self.gunicorn_headers:
                head += GUNICORN_HEADERS.format(date=formatdate(usegmt=True))
            head += APP_HEADERS
            self.wfile.write(head.encode() + b"\r\n" + PAGE)


def render(template: str, directory: Path, app_port: int, port: int) -> Path:
    """``template`` rendered as `make bench` runs it, with every request a hit."""
    (directory / "tmp").mkdir(parents=True, exist_ok=True)
    original = stack.TEMPLATE
    source = directory / "nginx.conf.in"
    source.write_text(template)
    stack.TEMPLATE = source
    try:
        text = stack.render_nginx_conf(
            upstreams=[f"127.0.0.1:{app_port}"],
            listen=f"127.0.0.1:{port}",
            static_root=directory / "static",
            media_root=directory / "media",
            state_dir=directory,
            log_dir=directory,
            purge_from=["127.0.0.1"],
            user="root" if os.geteuid() == 0 else None,
            worker_processes="1",
            microcache="1h",
            edge_limits={name: None for name in stack.EDGE_LIMITS},
        )
    finally:
        stack.TEMPLATE = original
    conf = directory / "nginx.conf"
    conf.write_text(text)
    return conf


def ceiling_conf(directory: Path, port: int) -> Path:
    """make bench's ceiling (stack_bench.Ceiling): the same page as a static file, with the
    stack's JSON log line and X-Request-ID."""
    (directory / "pages").mkdir()
    (directory / "scratch").mkdir()
    (directory / "pages" / "article.html").write_bytes(PAGE)
    conf = directory / "nginx.conf"
    conf.write_text(stack_bench.ceiling_conf(directory, port))
    return conf


def template_of(config: str) -> str:
    if config == "worktree":
        return stack.TEMPLATE.read_text()
    return subprocess.run(  # noqa: S603
        ["git", "-C", str(REPOSITORY), "show", f"{config}:deploy/nginx.conf"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done = subprocess.run(  # noqa: S603
            ["curl", "-sf", "-o", "/dev/null", url],  # noqa: S607
            check=False,
        )
        if done.returncode == 0:
            return
        time.sleep(0.5)
    raise SystemExit(f"{url} did not answer")


def control(command: str, pid: int) -> None:
    subprocess.run(  # noqa: S603
        ["callgrind_control", command, str(pid)],  # noqa: S607
        check=True,
        capture_output=True,
    )


def count(
    config: str, path: str, seconds: float, app_port: int, keep: Path | None
) -> tuple[int, int]:
    """(instructions, requests) of one loaded run of ``config`` on ``path``."""
    with tempfile.TemporaryDirectory(prefix="gazette-callgrind-") as name:
        directory = Path(name)
        port = local_services.free_port()
        revision, _, extra = config.partition("+")
        StubApp.gunicorn_headers = extra == "gunicorn-headers"
        if config == "ceiling":
            conf = ceiling_conf(directory, port)
            path = "/article.html"
        else:
            conf = render(template_of(revision), directory, app_port, port)
        out = directory / "callgrind.out"
        nginx = subprocess.Popen(  # noqa: S603
            [  # noqa: S607 - valgrind from the PATH
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                stack.nginx_binary(),
                "-c",
                str(conf),
                "-p",
                str(directory),
                "-g",
                "daemon off; master_process off;",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}{path}"
            wait_for(url)
            run_wrk(url, duration=2, connections=4, threads=1)
            control("-z", nginx.pid)
            load = run_wrk(url, duration=seconds, connections=4, threads=1)
            control("-d", nginx.pid)
        finally:
            nginx.terminate()
            nginx.wait(timeout=60)
        dump = sorted(directory.glob("callgrind.out.*"))[0]
        if keep:
            keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(dump, keep / f"{config.replace('/', '_').replace('+', '_')}.callgrind")
        totals = re.search(r"^(?:totals|summary): (\d+)", dump.read_text(), re.M)
        return int(totals[1]), load.requests


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", default="main+gunicorn-headers,worktree")
    parser.add_argument("--paths", default="/world/story/")
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--keep", type=Path, help="a directory for the callgrind files")
    args = parser.parse_args(argv)
    app = ThreadingTCPServer(("127.0.0.1", 0), StubApp)
    app.daemon_threads = True
    threading.Thread(target=app.serve_forever, daemon=True).start()
    print("| config | path | requests | instructions per request |")
    print("|---|---|---|---|")
    for path in args.paths.split(","):
        for config in args.configs.split(","):
            instructions, requests = count(
                config, path, args.seconds, app.server_address[1], args.keep
            )
            print(f"| {config} | `{path}` | {requests:,} | {instructions / requests:,.0f} |")
    app.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
