"""One newsletter issue to many subscribers through a real SMTP server on loopback (aiosmtpd, in
this process): messages per second, the worker's memory over the run (it must stay flat),
duplicates and missing addresses (both must be 0), counted where the messages arrive.

    # SQLite (a database file of its own under --var)
    python bench/newsletter.py --var /tmp/me/nlvar --subscribers 100000
    # PostgreSQL
    python deploy/local_services.py run --fast -- python bench/newsletter.py --subscribers 100000
    # with a kill -9 of the worker once N messages arrived, then a second worker
    python bench/newsletter.py --var /tmp/me/nlvar --subscribers 100000 --kill-after 40000

The worker is ``tests/newsletters/send_worker.py`` (what the task runs: sending.send_issue),
in a process of its own; its resident memory is read from /proc every half second.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))


def environment(var: Path | None) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gazette.settings.test", "LOG_LEVEL": "WARNING"}
    if var is not None and not env.get("DATABASE_URL"):
        var.mkdir(parents=True, exist_ok=True)
        env["GAZETTE_VAR_DIR"] = str(var)
    return env


PREPARE = """
import django, sys
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.utils import timezone
from gazette.newsletters.models import Issue, Newsletter, Subscriber, Subscription, Delivery
count = int(sys.argv[1])
Delivery.objects.all().delete()
Issue.objects.filter(newsletter__slug="bench-brief").delete()
Subscription.objects.filter(newsletter__slug="bench-brief").delete()
Subscriber.objects.filter(email__endswith="@bench.example").delete()
newsletter, _ = Newsletter.objects.get_or_create(
    slug="bench-brief", defaults={"name": "Bench Brief", "description": "Benchmark."})
confirmed = timezone.now() - timezone.timedelta(hours=1)
for start in range(0, count, 5000):
    made = Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{n}@bench.example")
        for n in range(start, min(count, start + 5000)))
    Subscription.objects.bulk_create(
        Subscription(subscriber=s, newsletter=newsletter, confirmed_at=confirmed) for s in made)
body = [("heading", "Top stories")]
body += [("paragraph", f"<p>Story {n}: a paragraph of the digest, as long as a teaser is, "
          "with a <a href='https://news.example/'>link to the site</a>.</p>") for n in range(12)]
issue = Issue.objects.create(newsletter=newsletter, subject="Bench digest", body=body)
print(issue.pk)
"""


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def run_worker(issue_id, env, port, *, kill_after=None, recorder=None):
    worker = subprocess.Popen(  # noqa: S603 - our own worker module
        [sys.executable, "-m", "tests.newsletters.send_worker", str(issue_id)],
        cwd=REPOSITORY,
        env={**env, "EMAIL_PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    samples: list[tuple[float, int]] = []
    started = time.monotonic()
    killed = False
    while worker.poll() is None:
        if (rss := rss_kib(worker.pid)) is not None:
            samples.append((time.monotonic() - started, rss))
        if kill_after and sum(recorder.per_recipient.values()) >= kill_after:
            worker.send_signal(signal.SIGKILL)
            killed = True
            worker.wait()
            break
        time.sleep(0.5)
    out, err = worker.communicate()
    if not killed and worker.returncode != 0:
        sys.exit(f"worker failed:\n{err}")
    return time.monotonic() - started, samples, out, killed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--var", type=Path, default=REPOSITORY / "var" / "bench-newsletter")
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--kill-after", type=int, default=0)
    args = parser.parse_args()

    env = environment(args.var)
    print(f"preparing {args.subscribers} subscribers...", flush=True)
    prepared = subprocess.run(  # noqa: S603 - this script's own code
        [sys.executable, "-c", PREPARE, str(args.subscribers)],
        cwd=REPOSITORY,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    issue_id = int(prepared.stdout.strip().splitlines()[-1])

    from tests.newsletters.smtp import LoopbackSMTP

    with LoopbackSMTP(keep_messages=False) as server:
        recorder = server.recorder
        runs = []
        seconds, samples, out, killed = run_worker(
            issue_id, env, server.port, kill_after=args.kill_after, recorder=recorder
        )
        runs.append((seconds, samples, killed))
        if killed:
            print(f"killed -9 after {sum(recorder.per_recipient.values())} messages", flush=True)
            seconds, samples, out, killed = run_worker(issue_id, env, server.port)
            runs.append((seconds, samples, killed))
        worker_report = json.loads(out.strip().splitlines()[-1])
        time.sleep(0.5)
        with recorder.lock:
            received = dict(recorder.per_recipient)

    expected = {f"reader{n}@bench.example" for n in range(args.subscribers)}
    duplicates = sum(count - 1 for count in received.values() if count > 1)
    missing = len(expected - set(received))
    total_seconds = sum(run[0] for run in runs)
    all_samples = [rss for run in runs for _, rss in run[1]]
    quarter = max(1, len(all_samples) // 4)
    result = {
        "backend": "postgresql" if os.environ.get("DATABASE_URL") else "sqlite",
        "subscribers": args.subscribers,
        "messages_received": sum(received.values()),
        "seconds": round(total_seconds, 1),
        "messages_per_second": round(sum(received.values()) / total_seconds, 1),
        "worker_rss_mib_first_quarter": round(max(all_samples[:quarter]) / 1024, 1),
        "worker_rss_mib_last_quarter": round(max(all_samples[-quarter:]) / 1024, 1),
        "worker_peak_mib": round(worker_report["peak_kib"] / 1024, 1),
        "killed_and_resumed": len(runs) > 1,
        "duplicates": duplicates,
        "missing": missing,
        "issue_finished": worker_report["finished"],
    }
    print(json.dumps(result, indent=2))
    if duplicates > (1 if len(runs) > 1 else 0) or missing:
        sys.exit(1)


if __name__ == "__main__":
    main()
