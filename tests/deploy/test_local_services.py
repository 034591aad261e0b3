"""deploy/local_services.py: real PostgreSQL and Redis servers, started and stopped cleanly."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psycopg
import pytest
import redis

from deploy import local_services

pytestmark = pytest.mark.services

SCRIPT = Path(local_services.__file__)


def _postgres_missing() -> str | None:
    try:
        local_services.find_pg_bin()
    except local_services.ServiceError as exc:
        return str(exc)
    return None


needs_postgres = pytest.mark.skipif(
    bool(_postgres_missing()), reason=f"no PostgreSQL server: {_postgres_missing()}"
)
needs_redis = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="no redis-server: apt-get install redis-server"
)


def port_is_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@needs_postgres
def test_postgres_cluster_runs_queries_and_cleans_up() -> None:
    with local_services.PostgresCluster(fast=True) as pg:
        port, data_dir = pg.port, pg.data_dir
        assert pg.url == f"postgres://gazette@127.0.0.1:{port}/gazette"
        with psycopg.connect(pg.url, autocommit=True) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
            conn.execute("create table note (id int primary key, body text)")
            conn.execute("insert into note values (1, 'héllo')")
            assert conn.execute("select body from note").fetchall() == [("héllo",)]
            assert conn.execute("show server_encoding").fetchone() == ("UTF8",)
            assert conn.execute("show fsync").fetchone() == ("off",)

    assert data_dir is not None and data_dir.name.startswith("gazette-pg-")
    assert not port_is_open(port)
    assert not data_dir.exists()


@needs_redis
def test_redis_server_sets_and_gets_and_cleans_up() -> None:
    with local_services.RedisServer() as server:
        port, directory = server.port, server.dir
        assert server.url == f"redis://127.0.0.1:{port}/0"
        client = redis.Redis.from_url(server.url)
        try:
            client.set("greeting", "hello")
            assert client.get("greeting") == b"hello"
        finally:
            client.close()

    assert directory is not None
    assert not port_is_open(port)
    assert not directory.exists()


def test_missing_postgres_binaries_say_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PG_BIN", str(tmp_path))
    with pytest.raises(local_services.ServiceError, match="apt-get install postgresql"):
        local_services.PostgresCluster()


def _cli(*command: str) -> list[str]:
    return [sys.executable, str(SCRIPT), "run", "--fast", "--", *command]


@needs_postgres
@needs_redis
def test_cli_passes_urls_and_exit_status() -> None:
    code = "import os; print(os.environ['DATABASE_URL']); print(os.environ['REDIS_URL']); exit(3)"
    result = subprocess.run(
        _cli(sys.executable, "-c", code), capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 3, result.stderr
    database_url, redis_url = result.stdout.split()
    assert database_url.startswith("postgres://gazette@127.0.0.1:")
    assert redis_url.startswith("redis://127.0.0.1:")
    assert database_url in result.stderr and redis_url in result.stderr
    for url in (database_url, redis_url):
        assert not port_is_open(int(url.rsplit(":", 1)[1].split("/")[0]))


@needs_postgres
@needs_redis
def test_cli_stops_servers_on_sigterm() -> None:
    code = "import os, time; print(os.environ['DATABASE_URL'], flush=True); time.sleep(60)"
    proc = subprocess.Popen(_cli(sys.executable, "-c", code), stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        database_url = proc.stdout.readline().strip()
        port = int(database_url.rsplit(":", 1)[1].split("/")[0])
        assert port_is_open(port)
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=60) == 128 + signal.SIGTERM
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()

    time.sleep(0.1)  # the postmaster's last children may still be closing
    assert not port_is_open(port)


@needs_redis
def test_redis_with_a_data_dir_keeps_its_data_across_restarts(tmp_path: Path) -> None:
    for attempt in range(2):
        with local_services.RedisServer(tmp_path / "redis") as server:
            client = redis.Redis.from_url(server.url)
            try:
                if attempt == 0:
                    client.set("counter", 41)
                else:
                    assert client.incr("counter") == 42
            finally:
                client.close()
    assert (tmp_path / "redis").is_dir()  # kept, unlike a throwaway server's


@needs_postgres
@pytest.mark.skipif(os.geteuid() != 0, reason="only root runs PostgreSQL as another user")
def test_a_cluster_where_postgres_cannot_reach_lives_beside_it_and_is_found_again(
    tmp_path: Path,
) -> None:
    # pytest's temporary directories are root's alone (mode 700): like a checkout in /root.
    data_dir = tmp_path / "cluster"
    try:
        for attempt in range(2):
            with (
                local_services.PostgresCluster(data_dir, fast=True) as pg,
                psycopg.connect(pg.url, autocommit=True) as conn,
            ):
                if attempt == 0:
                    conn.execute("create table kept (id int)")
                else:
                    assert conn.execute("select count(*) from kept").fetchone() == (0,)
        assert data_dir.is_symlink()
        assert (data_dir / "PG_VERSION").exists()
    finally:
        if data_dir.is_symlink():
            shutil.rmtree(data_dir.resolve(), ignore_errors=True)


@needs_postgres
@needs_redis
def test_cli_for_tests_gives_unix_socket_urls_to_a_cluster_tuned_for_throwaway_data() -> None:
    """`make test-postgres`'s servers: the URLs name Unix sockets (no TCP round trips), the
    cluster writes the least WAL (nothing replicates from it) and never JIT-compiles."""
    code = textwrap.dedent(
        """
        import os, psycopg, redis
        with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
            print(conn.info.host, conn.execute("select inet_server_addr()").fetchone()[0])
            for name in ("fsync", "wal_level", "max_wal_senders", "full_page_writes", "jit"):
                print(name, conn.execute(f"show {name}").fetchone()[0])
        client = redis.Redis.from_url(os.environ["REDIS_URL"])
        print(client.connection_pool.connection_kwargs["path"], client.ping())
        client.close()
        """
    )
    command = [sys.executable, str(SCRIPT), "run", "--for-tests", "--", sys.executable, "-c", code]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    host, address = lines[0].split()
    assert host.startswith("/") and address == "None"  # a socket directory; no TCP peer
    assert dict(line.split() for line in lines[1:6]) == {
        "fsync": "off",
        "wal_level": "minimal",
        "max_wal_senders": "0",
        "full_page_writes": "off",
        "jit": "off",
    }
    socket_path, pong = lines[6].split()
    assert socket_path.endswith("/redis.sock") and pong == "True"
    assert not Path(host).exists() and not Path(socket_path).exists()  # both cleaned up
