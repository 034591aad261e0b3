"""The production systemd units (deploy/systemd/): every long-running Gazette process has one
that restarts it when it dies, with a start limit and a sandbox; they pass
`systemd-analyze verify` (scripts/check_systemd_units.py, run by `make lint`), and a broken unit
fails that check."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

import pytest

from scripts import check_systemd_units as check

REPOSITORY = Path(__file__).resolve().parents[2]
UNITS = REPOSITORY / "deploy" / "systemd"
SERVICES = sorted(UNITS.glob("*.service"))
needs_analyze = pytest.mark.skipif(
    check.systemd_analyze() is None, reason="systemd-analyze is not installed (apt: systemd)"
)


def parse(path: Path) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(interpolation=None, strict=True)
    unit.optionxform = str  # systemd's keys are case-sensitive
    unit.read_string(path.read_text())
    return unit


def test_each_long_running_process_has_a_unit():
    commands = {path.name: parse(path)["Service"]["ExecStart"] for path in SERVICES}
    programs = {}
    for name, command in commands.items():
        program, *arguments = shlex.split(command)
        programs[name] = " ".join([Path(program).name, *arguments[:2]])
    assert programs == {
        "gazette-app.service": "gunicorn -c deploy/gunicorn.conf.py",
        "gazette-beacon-counter.service": "python manage.py count_beacon_log",
        "gazette-scheduler.service": "python manage.py schedule_worker",
        "gazette-views-worker.service": "python manage.py flush_views",
        "gazette-worker.service": "python manage.py db_worker",
    }
    for command in commands.values():
        assert command.startswith("/srv/gazette/.venv/bin/"), command


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: p.name)
def test_a_unit_restarts_its_process_within_limits_and_in_a_sandbox(path):
    unit = parse(path)
    service = unit["Service"]
    assert service["Restart"] == "always"
    assert 0 < float(service["RestartSec"]) <= 5  # whole again well within 15 s
    # A process that dies at once on start is not restarted forever in a tight loop.
    assert int(unit["Unit"]["StartLimitBurst"]) >= 3
    assert int(unit["Unit"]["StartLimitIntervalSec"]) >= 60
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "CapabilityBoundingSet": "",
        "User": "gazette",
    }.items():
        assert service[key] == value, (path.name, key)
    assert service["EnvironmentFile"] == "/etc/gazette/env"
    assert unit["Unit"]["PartOf"] == unit["Install"]["WantedBy"] == "gazette.target"


def test_the_data_and_front_services_are_restarted_too():
    for name in ("nginx", "redis-server", "postgresql@"):
        drop_in = parse(UNITS / f"{name}.service.d" / "gazette-restart.conf")
        assert drop_in["Service"]["Restart"] == "always", name
        assert int(drop_in["Unit"]["StartLimitBurst"]) >= 3, name


@needs_analyze
def test_the_units_pass_systemd_analyze_verify():
    assert check.verify(UNITS) == []
    assert check.main([]) == 0


@needs_analyze
@pytest.mark.parametrize(
    "breakage, said",
    [
        (("Restart=always", "Restart=sometimes"), "restart specifier"),  # only a warning
        (
            ("ExecStart=/srv/gazette/.venv/bin/python", "ExecStart=/srv/gazette/.venv/bin/pyhton"),
            "not executable",
        ),
        (("[Service]", "[Servce]"), "Servce"),
    ],
)
def test_a_broken_unit_fails_the_check(tmp_path, breakage, said):
    for path in UNITS.iterdir():
        if path.suffix in check.UNIT_SUFFIXES:
            text = path.read_text()
            if path.name == "gazette-worker.service":
                text = text.replace(*breakage)
            (tmp_path / path.name).write_text(text)
    problems = check.verify(tmp_path)
    assert problems and said in "\n".join(problems)
    assert check.main(["--units", str(tmp_path)]) == 1


def test_make_lint_runs_the_check_and_the_operations_guide_points_at_the_units():
    makefile = (REPOSITORY / "Makefile").read_text()
    lint = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "scripts/check_systemd_units.py" in lint
    operations = (REPOSITORY / "docs" / "operations.md").read_text()
    assert "deploy/systemd/" in operations
    assert "ExecStart=" not in operations  # the units are in deploy/, not in prose
