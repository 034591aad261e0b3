"""deploy/gunicorn.conf.py leaves out the headers of gunicorn's own that nginx drops again
(Server, Date, and "Connection: keep-alive" to HTTP/1.1): nginx stores whatever the app
server sends with each cached page and parses it again on every hit. What the app sets, and a
"Connection" that says something, still go out."""

import os
import socket
import subprocess
import sys
import time

import pytest

from deploy import local_services, stack

APP = """
def app(environ, start_response):
    start_response(
        "200 OK",
        [("Content-Type", "text/plain"), ("Content-Length", "5"), ("X-Request-ID", "abcdefgh12")],
    )
    return [b"hello"]
"""


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("gunicorn")
    (directory / "hello.py").write_text(APP)
    port = local_services.free_port()
    env = os.environ | {"WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "2"}
    env.pop("GUNICORN_PIDFILE", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(stack.GUNICORN_CONF),
            "--bind",
            f"127.0.0.1:{port}",
            "--pythonpath",
            str(directory),
            "--chdir",
            str(directory),
            "hello:app",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("gunicorn did not start")
            time.sleep(0.1)
    yield port
    server.terminate()
    server.wait(timeout=30)


def head_of(port: int, request: str) -> list[str]:
    """The status line and header lines of gunicorn's answer to ``request``."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request.encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n\r\n")[0].decode().split("\r\n")


def names(head: list[str]) -> set[str]:
    return {line.split(":")[0].lower() for line in head[1:]}


def test_http_1_1_keep_alive_answers_without_server_date_or_connection(app_server):
    head = head_of(app_server, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert head[0] == "HTTP/1.1 200 OK"
    assert names(head) == {"content-type", "x-request-id", "content-length"}


def test_a_closing_connection_and_http_1_0_keep_alive_are_still_said(app_server):
    closing = head_of(app_server, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert "Connection: close" in closing
    assert "server" not in names(closing) and "date" not in names(closing)
    old = head_of(app_server, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    assert "Connection: keep-alive" in old
    assert "Connection: close" in head_of(app_server, "GET / HTTP/1.0\r\n\r\n")
