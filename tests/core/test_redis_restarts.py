"""A Redis restarted with its data is noticed by every process's next new connection to it
(gazette.core.redis_restarts), whether or not that process saw the outage: its next
generational read then retires what Redis kept (tests/core/test_generational.py)."""

import pytest
from django.core.cache import cache

from gazette.core import redis_restarts
from gazette.core.generational import cache_away


class _Server:
    """A Redis as the hook sees it: its run id (a restart makes a new one) and the run the last
    connection recorded, which the restart keeps (appendonly)."""

    def __init__(self, run: str) -> None:
        self.run = run
        self.recorded: str | None = None
        self.refuses_info = False

    def restart(self, run: str) -> None:
        self.run = run


class _Connection:
    def __init__(self, server: _Server) -> None:
        self.server = server
        self.handshake = False
        self.sent: list[tuple] = []

    def on_connect(self) -> None:
        self.handshake = True

    def send_command(self, *args) -> None:
        self.sent.append(args)

    def read_response(self):
        command = self.sent[-1]
        if command[0] == "INFO":
            if self.server.refuses_info:
                raise redis_restarts.ResponseError("unknown command 'INFO'")
            return f"# Server\r\nredis_version:7.0.15\r\nrun_id:{self.server.run}\r\n".encode()
        assert command[0] == "GETSET" and command[1] == cache.make_key("generational:redis-run")
        recorded, self.server.recorded = self.server.recorded, command[2]
        return None if recorded is None else recorded.encode()


@pytest.fixture(autouse=True)
def fresh_process(monkeypatch):
    monkeypatch.setattr(redis_restarts, "_last_run", None)
    cache_away.over()
    yield
    cache_away.over()  # nothing noticed here is left to the next test


def connect(server: _Server) -> _Connection:
    connection = _Connection(server)
    redis_restarts.connected(connection)
    assert connection.handshake  # redis-py's own, which the hook replaces
    return connection


def test_new_connections_to_the_same_redis_notice_nothing():
    server = _Server("run-1")
    for _ in range(3):
        connect(server)
    assert not cache_away.noticed


def test_a_process_that_saw_no_outage_notices_the_restart_on_its_next_connection():
    server = _Server("run-1")
    connect(server)
    server.restart("run-2")
    server.recorded = "run-2"  # another process connected first
    connect(server)
    assert cache_away.noticed


def test_a_process_started_since_notices_it_by_the_run_recorded_before():
    server = _Server("run-1")
    connect(server)  # another process, before the outage
    server.restart("run-2")
    redis_restarts._last_run = None  # this process starts now
    connect(server)
    assert cache_away.noticed
    cache_away.over()
    connect(server)  # later connections of any process: the restart is told once
    assert not cache_away.noticed


def test_a_redis_that_refuses_info_connects_all_the_same():
    server = _Server("run-1")
    server.refuses_info = True
    connection = connect(server)
    assert [command[0] for command in connection.sent] == ["INFO"]
    assert not cache_away.noticed


def test_the_caches_redis_connections_record_its_run(db):
    backend = getattr(cache, "client", None)
    if backend is None:
        pytest.skip("the cache's Redis: where REDIS_URL is set")
    client = backend.get_client()
    assert isinstance(client.connection_pool, redis_restarts.RestartNoticingPool)
    client.connection_pool.disconnect()  # the next command connects afresh
    cache.set("test:redis-restarts", 1)
    recorded = client.get(cache.make_key(redis_restarts.RUN_KEY_NAME))
    assert recorded.decode() == client.info("server")["run_id"]
    assert not cache_away.noticed


def test_a_redis_still_loading_its_data_has_just_been_restarted():
    server = _Server("run-1")
    connection = _Connection(server)
    answer = connection.read_response

    def loading():
        if connection.sent[-1][0] == "GETSET":
            raise redis_restarts.BusyLoadingError("Redis is loading the dataset in memory")
        return answer()

    connection.read_response = loading
    redis_restarts.connected(connection)
    assert cache_away.noticed
