"""`make stack` twice is harmless: a running stack is left running and described again. Its
processes run the production settings; only the demo content is built with the demo app."""

import json
import subprocess
import sys
from pathlib import Path

from deploy import stack
from tests.stack.conftest import REPOSITORY


def stack_cli(*args):
    return subprocess.run(
        [sys.executable, str(REPOSITORY / "deploy" / "stack.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_starting_a_running_stack_changes_nothing(running_stack):
    before = json.loads((running_stack.dir / "stack.json").read_text())
    again = stack_cli("start", "--dir", str(running_stack.dir), "--port", "0", "--replica")
    assert again.returncode == 0, again.stderr
    assert f"Gazette production stack at {running_stack.url}/" in again.stdout
    assert f"password: {running_stack.admin_password}" in again.stdout
    assert json.loads((running_stack.dir / "stack.json").read_text())["pids"] == before["pids"]
    assert running_stack.client().get("/healthz").status_code == 200


def test_status_describes_the_running_stack(running_stack):
    status = stack_cli("status", "--dir", str(running_stack.dir))
    assert status.returncode == 0, status.stdout + status.stderr
    assert running_stack.url in status.stdout
    assert "replica" in status.stdout


def test_the_scheduler_runs_beside_the_workers(running_stack):
    """Scheduled publishing needs a process: without it a story set to go live never does."""
    pids = json.loads((running_stack.dir / "stack.json").read_text())["pids"]
    assert stack._alive(pids.get("scheduler"), "schedule_worker")


def test_the_demo_content_is_built_but_every_process_runs_production_settings(
    running_stack, demo_article
):
    """build_demo_site ran with the demo app installed (the reference article is there); the
    app servers and workers run gazette.settings.production, which leaves it out."""
    pids = json.loads((running_stack.dir / "stack.json").read_text())["pids"]
    for name in (*stack.APP_NAMES, *stack.WORKER_NAMES):
        environ = Path(f"/proc/{pids[name]}/environ").read_bytes().split(b"\0")
        settings = [v for v in environ if v.startswith(b"DJANGO_SETTINGS_MODULE=")]
        assert settings == [b"DJANGO_SETTINGS_MODULE=gazette.settings.production"], name
