"""Exactly once per issue and subscriber, with the worker killed (-9) mid-send and restarted:
the messages are counted where they arrive, at a real SMTP server on loopback."""

import os
import signal
import threading

import pytest
from django.utils import timezone

from gazette.newsletters.models import Issue, Newsletter, Subscriber, Subscription
from tests.newsletters.crash import database_environment, start_worker, statuses
from tests.newsletters.smtp import LoopbackSMTP

SUBSCRIBERS = 40
BATCH = 5


@pytest.fixture(autouse=True)
def wagtail_tree_roots(transactional_db):
    """These tests commit (another process reads their rows), so the database is flushed
    after each, taking the rows Wagtail's migrations made: put them back first, as the
    browser tests do."""
    from django.conf import settings
    from wagtail.models import Collection, Locale, Page

    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE.split("-")[0])
    if not Collection.get_first_root_node():
        Collection.add_root(name="Root")
    if not Page.get_first_root_node():
        Page.add_root(instance=Page(title="Root", slug="root", live=True))


@pytest.fixture
def issue(transactional_db):
    newsletter = Newsletter.objects.create(
        name="Morning Brief", slug="morning-brief", description="The day's news."
    )
    confirmed = timezone.now() - timezone.timedelta(hours=1)
    subscribers = Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{number}@example.org") for number in range(SUBSCRIBERS)
    )
    Subscription.objects.bulk_create(
        Subscription(subscriber=s, newsletter=newsletter, confirmed_at=confirmed)
        for s in subscribers
    )
    # One who never confirmed and one who left: neither gets it.
    pending = Subscriber.objects.create(email="unconfirmed@example.org")
    Subscription.objects.create(subscriber=pending, newsletter=newsletter)
    gone = Subscriber.objects.create(email="gone@example.org")
    Subscription.objects.create(
        subscriber=gone, newsletter=newsletter, confirmed_at=confirmed, unsubscribed_at=confirmed
    )
    return Issue.objects.create(
        newsletter=newsletter,
        subject="Tuesday's brief",
        body=[("heading", "Top stories"), ("paragraph", "<p>All quiet.</p>")],
    )


def expected_addresses() -> set[str]:
    return {f"reader{number}@example.org" for number in range(SUBSCRIBERS)}


def finish(worker) -> str:
    out, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err
    return out


def test_killed_while_the_server_holds_a_message_then_resumed(issue, tmp_path):
    """The worker dies while the SMTP server has a message but has not said 250: the row is
    left SENDING; the next worker sends it and the rest of the dead worker's batch."""
    environment = database_environment(tmp_path)
    with LoopbackSMTP() as server:
        recorder = server.recorder
        state = {"seen": 0, "worker": None}

        def kill_on_the_eighth(envelope):
            state["seen"] += 1
            if state["seen"] == 8:
                os.kill(state["worker"].pid, signal.SIGKILL)
                state["worker"].wait(timeout=30)
                return "421 4.3.2 Going down"  # never acknowledged: not delivered
            return None

        recorder.on_data = kill_on_the_eighth
        state["worker"] = start_worker(issue.pk, environment, port=server.port, batch=BATCH)
        state["worker"].wait(timeout=120)
        assert state["worker"].returncode == -signal.SIGKILL
        assert sum(recorder.per_recipient.values()) == 7
        middle = statuses(environment, issue.pk)
        assert middle["sending"] >= 1 and middle["issue"] == "sending"

        recorder.on_data = None
        finish(start_worker(issue.pk, environment, port=server.port, batch=BATCH))

    assert set(recorder.per_recipient) == expected_addresses()  # nobody missing, nobody else
    assert max(recorder.per_recipient.values()) == 1  # nobody twice
    after = statuses(environment, issue.pk)
    assert after == {"sent": SUBSCRIBERS, "issue": "sent"}


def test_killed_at_any_moment_nobody_is_missed_and_at_most_one_repeat(issue, tmp_path):
    """kill -9 from outside while messages flow: the one window (accepted, not yet marked)
    may repeat one message, with the same Message-ID; nobody is ever left out."""
    environment = database_environment(tmp_path)
    with LoopbackSMTP() as server:
        recorder = server.recorder
        reached = threading.Event()

        def note(envelope):
            if sum(recorder.per_recipient.values()) >= 12:
                reached.set()
            return None

        recorder.on_data = note
        worker = start_worker(issue.pk, environment, port=server.port, batch=BATCH)
        assert reached.wait(timeout=120)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        recorder.on_data = None
        finish(start_worker(issue.pk, environment, port=server.port, batch=BATCH))

    assert set(recorder.per_recipient) == expected_addresses()
    repeated = [address for address, count in recorder.per_recipient.items() if count > 1]
    assert len(repeated) <= 1
    for address in repeated:
        ids = {message["Message-ID"] for message in recorder.to(address)}
        assert len(ids) == 1  # the same message: mail programs fold it into one
    assert statuses(environment, issue.pk)["issue"] == "sent"


def test_a_second_run_after_the_end_sends_nothing(issue, tmp_path):
    environment = database_environment(tmp_path)
    with LoopbackSMTP() as server:
        finish(start_worker(issue.pk, environment, port=server.port, batch=BATCH))
        finish(start_worker(issue.pk, environment, port=server.port, batch=BATCH))
    assert sum(server.recorder.per_recipient.values()) == SUBSCRIBERS
