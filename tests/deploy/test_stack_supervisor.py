"""`make stack` under supervisord (deploy/stack.py): the generated configuration supervises
every long-running piece in the foreground (supervisord can only restart what it started and
still sees), restarts each when it dies, and stops them data last. The running stack, with
pieces killed and coming back by themselves, is tests/stack/test_faults.py."""

from __future__ import annotations

import configparser
import os
import shlex
import shutil
from pathlib import Path

import pytest

from deploy import local_services, stack

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None
    or not (stack.MODULES_DIR / stack.PURGE_MODULE).exists()
    or not any(Path(p).exists() for p in ("/usr/sbin/nginx", "/usr/bin/nginx")),
    reason="needs nginx with the cache-purge module and redis-server",
)


@pytest.fixture
def parsed(tmp_path) -> tuple[stack.Stack, configparser.ConfigParser]:
    try:
        local_services.find_pg_bin()
    except local_services.ServiceError as exc:
        pytest.skip(str(exc))
    state = stack.Stack(
        dir=str(tmp_path),
        port=18080,
        postgres_port=15432,
        replica_port=15433,
        redis_port=16379,
        app_ports=[18001, 18002],
        fast=True,
        postgres_dir=str(tmp_path / "postgres"),
        replica_dir=str(tmp_path / "replica"),
    )
    conf = configparser.ConfigParser(interpolation=None)
    conf.read_string(stack.render_supervisor_conf(state))
    return state, conf


def command(conf: configparser.ConfigParser, name: str) -> list[str]:
    return shlex.split(conf[f"program:{name}"]["command"])


def test_every_long_running_piece_is_supervised_and_restarted(parsed):
    _, conf = parsed
    programs = {section.split(":", 1)[1] for section in conf if section.startswith("program:")}
    assert programs == {
        "postgres",
        "replica",
        "redis",
        "nginx",
        "app-a",
        "app-b",
        "worker",
        "views-worker",
        "beacon-counter",
        "scheduler",
    }
    for name in programs:
        program = conf[f"program:{name}"]
        assert program["autorestart"] == "true", name
        assert int(program["startretries"]) >= 10, name
        assert program["stdout_logfile"].endswith(f"/log/{name}.log"), name


def test_each_piece_runs_in_the_foreground(parsed):
    state, conf = parsed
    postgres = command(conf, "postgres")
    assert Path(postgres[0]).name == "postgres" and postgres[1:3] == ["-D", state.postgres_dir]
    assert "port=15432" in postgres and "fsync=off" in postgres
    replica = command(conf, "replica")
    assert "primary_conninfo=host=127.0.0.1 port=15432 user=gazette application_name=replica" in (
        replica
    )
    assert conf["program:postgres"]["stopsignal"] == "INT"  # fast shutdown, not smart
    assert conf["program:postgres"].get("user") == ("postgres" if os.geteuid() == 0 else None)
    redis = command(conf, "redis")
    assert redis[redis.index("--daemonize") + 1] == "no"
    nginx = command(conf, "nginx")
    assert nginx[-2:] == ["-g", "daemon off;"]
    assert conf["program:nginx"]["stopsignal"] == "QUIT"
    assert 'GUNICORN_BIND="127.0.0.1:18002"' in conf["program:app-b"]["environment"]
    assert command(conf, "worker")[2] == "db_worker"


def test_data_starts_first_and_stops_last(parsed):
    _, conf = parsed
    priority = {
        section.split(":", 1)[1]: int(conf[section]["priority"])
        for section in conf
        if section.startswith("program:")
    }
    assert priority["postgres"] < priority["replica"] < priority["redis"] < priority["nginx"]
    assert priority["nginx"] < priority["app-a"] <= priority["app-b"] < priority["worker"]
    socket = conf["unix_http_server"]["file"]
    assert conf["supervisorctl"]["serverurl"] == f"unix://{socket}"


def test_without_a_replica_there_is_no_replica_program(parsed):
    state, _ = parsed
    state.replica_port = 0
    conf = configparser.ConfigParser(interpolation=None)
    conf.read_string(stack.render_supervisor_conf(state))
    assert "program:replica" not in conf
    assert stack.supervisor_status(state) is None  # nothing runs there
