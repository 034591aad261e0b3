"""Sending through a real SMTP server on loopback: batches over one connection, refusals,
the rendered e-mail, the admin's counts, digests and scheduling."""

import pytest
from django.utils import timezone

from gazette.newsletters import digest, scheduling, sending, services
from gazette.newsletters.models import (
    Delivery,
    DeliveryStatus,
    Issue,
    IssueStatus,
    Subscriber,
)
from gazette.newsletters.queries import issue_counts
from tests.factories import ArticleFactory, ImageFactory, SectionFactory, make_curated_list
from tests.newsletters.conftest import subscribed

pytestmark = pytest.mark.django_db


def plain_issue(newsletter, subject="Brief"):
    return Issue.objects.create(
        newsletter=newsletter, subject=subject, body=[("paragraph", "<p>Words.</p>")]
    )


def test_batches_share_one_connection(smtp, morning, settings):
    settings.GAZETTE_NEWSLETTER_BATCH_SIZE = 3
    subscribed(morning, *(f"r{n}@example.org" for n in range(10)))
    report = sending.send_issue(plain_issue(morning).pk)
    assert report.sent == 10 and report.finished
    assert smtp.sessions == 1
    assert sorted(smtp.per_recipient.values()) == [1] * 10


def test_permanent_failures_mark_the_address_and_stop_it(smtp, morning):
    subscribed(morning, "good@example.org", "gone@example.org")
    smtp.refuse_permanently.add("gone@example.org")
    for number in range(3):
        issue = plain_issue(morning, f"Brief {number}")
        report = sending.send_issue(issue.pk)
        assert report.finished
        assert issue_counts(issue)["failed_count"] == 1
    gone = Subscriber.objects.get(email="gone@example.org")
    assert gone.permanent_failures == 3 and gone.stopped_at is not None
    assert gone.last_failure.startswith("550")
    fourth = plain_issue(morning, "Brief 4")
    report = sending.send_issue(fourth.pk)
    assert report.sent == 1 and report.failed == 0
    assert not Delivery.objects.filter(issue=fourth, subscriber=gone).exists()
    assert smtp.per_recipient["good@example.org"] == 4


def test_temporary_refusals_are_tried_again_then_given_up(smtp, morning, time_machine):
    subscribed(morning, "busy@example.org", "ok@example.org")
    smtp.refuse_for_now.add("busy@example.org")
    issue = plain_issue(morning)
    for attempt in range(1, 4):
        report = sending.send_issue(issue.pk)
        if attempt < 3:
            assert report.retried == 1 and not report.finished
            delivery = Delivery.objects.get(issue=issue, subscriber__email="busy@example.org")
            time_machine.move_to(delivery.retry_after + timezone.timedelta(seconds=1))
    assert report.failed == 1 and report.finished
    delivery = Delivery.objects.get(issue=issue, subscriber__email="busy@example.org")
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 3
    busy = Subscriber.objects.get(email="busy@example.org")
    assert busy.stopped_at is None and busy.permanent_failures == 0
    assert smtp.per_recipient["ok@example.org"] == 1


def test_greylisted_address_waits_its_backoff_then_gets_the_issue_once(
    smtp, morning, time_machine, settings
):
    """aiosmtpd answers 451 twice, then accepts: each retry waits longer, none goes early."""
    settings.GAZETTE_NEWSLETTER_RETRY_BASE = 60
    settings.GAZETTE_NEWSLETTER_RETRY_MAX = 100
    subscribed(morning, "grey@example.org", "ok@example.org")
    smtp.refuse_next["grey@example.org"] = 2
    issue = plain_issue(morning)
    started = timezone.now()
    time_machine.move_to(started, tick=False)

    report = sending.send_issue(issue.pk)
    assert (report.sent, report.retried, report.finished) == (1, 1, False)
    grey = Delivery.objects.get(issue=issue, subscriber__email="grey@example.org")
    assert grey.status == DeliveryStatus.QUEUED and grey.error.startswith("451")
    assert grey.retry_after == started + timezone.timedelta(seconds=60)

    # Before the wait is over: nobody is tried, the round starts nothing.
    assert Issue.objects.with_retries_due().count() == 0
    assert sending.send_issue(issue.pk).retried == 0
    assert smtp.refuse_next["grey@example.org"] == 1  # the server was not asked again

    time_machine.move_to(started + timezone.timedelta(seconds=61), tick=False)
    assert list(Issue.objects.with_retries_due()) == [issue]
    scheduling.enqueue_due_issues()  # the immediate task backend sends at once
    grey.refresh_from_db()
    assert grey.status == DeliveryStatus.QUEUED and grey.attempts == 2
    # The second wait doubles, bounded by GAZETTE_NEWSLETTER_RETRY_MAX.
    assert grey.retry_after == started + timezone.timedelta(seconds=61 + 100)

    time_machine.move_to(grey.retry_after + timezone.timedelta(seconds=1), tick=False)
    scheduling.enqueue_due_issues()
    grey.refresh_from_db()
    assert grey.status == DeliveryStatus.SENT and grey.attempts == 3
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.SENT
    assert smtp.per_recipient == {"grey@example.org": 1, "ok@example.org": 1}
    assert Subscriber.objects.get(email="grey@example.org").failed_count == 0


def test_retry_delay_doubles_and_is_bounded(settings):
    settings.GAZETTE_NEWSLETTER_RETRY_BASE = 120
    settings.GAZETTE_NEWSLETTER_RETRY_MAX = 1800
    delays = [sending.retry_delay(n).total_seconds() for n in range(1, 7)]
    assert delays == [120, 240, 480, 960, 1800, 1800]


class FakeClock:
    """Time that passes only when the pacer sleeps (sending itself takes no time here)."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_rate_setting_paces_the_sends(smtp, morning, settings, monkeypatch):
    settings.GAZETTE_NEWSLETTER_RATE = 20
    settings.GAZETTE_NEWSLETTER_BATCH_SIZE = 4
    subscribed(morning, *(f"r{n}@example.org" for n in range(10)))
    fake = FakeClock()
    made = []
    real_pacer = sending.Pacer

    def pacer_on_fake_clock(rate):
        made.append(real_pacer(rate, clock=fake.clock, sleep=fake.sleep))
        return made[-1]

    monkeypatch.setattr(sending, "Pacer", pacer_on_fake_clock)
    report = sending.send_issue(plain_issue(morning).pk)
    assert report.sent == 10
    assert made[0].interval == pytest.approx(0.05)
    # The first message goes at once, each next one waits its slot, across batches.
    assert fake.sleeps == pytest.approx([0.05] * 9)


def test_pacer_sleeps_only_what_is_left_of_a_slot_and_not_at_rate_zero():
    fake = FakeClock()
    pacer = sending.Pacer(10, clock=fake.clock, sleep=fake.sleep)
    pacer.wait()
    fake.now += 0.03  # a send that took 30 ms
    pacer.wait()
    fake.now += 0.5  # a slow send: past its slot, no pause
    pacer.wait()
    assert fake.sleeps == pytest.approx([0.07])
    unpaced = sending.Pacer(0, clock=fake.clock, sleep=fake.sleep)
    for _ in range(5):
        unpaced.wait()
    assert fake.sleeps == pytest.approx([0.07])


def test_who_leaves_before_their_turn_is_skipped(smtp, morning):
    ana, _bo = subscribed(morning, "ana@example.org", "bo@example.org")
    issue = plain_issue(morning)
    sending.start(issue)
    services.unsubscribe(subscriber_id=ana.pk, newsletter_id=morning.pk)
    report = sending.send_issue(issue.pk)
    assert (report.sent, report.skipped) == (1, 1)
    assert list(smtp.per_recipient) == ["bo@example.org"]


def test_who_confirms_after_the_start_waits_for_the_next_issue(smtp, morning):
    subscribed(morning, "ana@example.org")
    issue = plain_issue(morning)
    sending.start(issue)
    subscribed(morning, "late@example.org")
    from gazette.newsletters.models import Subscription

    Subscription.objects.filter(subscriber__email="late@example.org").update(
        confirmed_at=timezone.now() + timezone.timedelta(seconds=1)
    )
    sending.send_issue(issue.pk)
    assert list(smtp.per_recipient) == ["ana@example.org"]


def test_the_email_itself(smtp, morning, home):
    picture = ImageFactory(title="Ferry at dawn")
    article = ArticleFactory(title="Ferry Service Returns", lead_image=picture)
    issue = Issue.objects.create(
        newsletter=morning,
        subject="Ferries",
        preheader="The ferry is back",
        body=[("heading", "Top"), ("story", {"article": article, "note": "Our pick."})],
    )
    subscribed(morning, "ana@example.org")
    sending.send_issue(issue.pk)
    [message] = smtp.to("ana@example.org")
    html = message.get_body(preferencelist=("html",)).get_content()
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "<style" in html and "@media" in html  # the narrow layout kept for phones
    assert 'class="container"' in html and "max-width: 600px" in html  # inlined
    assert 'alt="' in html and "Ferry at dawn" in html
    assert article.get_full_url() in html and article.get_full_url() in text
    # No tracking: no pixel, every link to the site itself, never through a redirector.
    assert 'width="1"' not in html and 'height="1"' not in html
    import re

    hosts = {
        re.match(r"https?://([^/]+)", href).group(1) for href in re.findall(r'href="([^"]+)"', html)
    }
    assert hosts == {"localhost"}
    assert "Ferry Service Returns" in text and "Our pick." in text
    assert "Unsubscribe from Morning Brief: http://localhost/newsletters/unsubscribe/" in text
    assert len(html.encode()) < 100 * 1024
    assert message["Subject"] == "Ferries"


def test_test_send_goes_to_one_address_with_inert_links(smtp, morning):
    subscribed(morning, "ana@example.org")
    issue = plain_issue(morning)
    sending.send_test(issue, "editor@example.org")
    assert list(smtp.per_recipient) == ["editor@example.org"]
    [message] = smtp.messages
    assert message["Subject"].startswith("[Test]")
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.DRAFT
    assert not Delivery.objects.exists()


def test_scheduled_issue_starts_in_the_round(smtp, morning, django_capture_on_commit_callbacks):
    subscribed(morning, "ana@example.org")
    issue = plain_issue(morning)
    assert services.schedule(issue=issue, when=timezone.now() + timezone.timedelta(hours=1))
    assert scheduling.enqueue_due_issues() == 0
    Issue.objects.filter(pk=issue.pk).update(scheduled_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert scheduling.enqueue_due_issues() == 1
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    assert smtp.per_recipient["ana@example.org"] == 1
    assert not services.schedule(issue=issue, when=timezone.now())  # sent: no second time


def test_digest_draws_from_its_sources_each_story_once(morning, home):
    world = SectionFactory(title="World")
    sport = SectionFactory(title="Sport")
    picked = ArticleFactory(parent=world, title="Picked by editors")
    ArticleFactory(parent=world, title="Fresh world story")
    ArticleFactory(parent=sport, title="Sport story")
    make_curated_list("must-reads", [picked])
    morning.include_most_read = False
    morning.sections.set([world])
    morning.save()  # a ClusterableModel: its many-to-many rows are written here
    issue = digest.build_digest(morning)
    titles = [
        block.value["article"].title if block.block_type == "story" else f"# {block.value}"
        for block in issue.body
    ]
    assert titles == ["# Must-Reads", "Picked by editors", "# World", "Fresh world story"]
    assert issue.is_automatic and issue.status == IssueStatus.DRAFT


def test_due_digest_built_once(morning, home, time_machine):
    morning.include_must_reads = False
    morning.include_most_read = False
    world = SectionFactory(title="World")
    morning.sections.set([world])
    morning.save()
    time_machine.move_to(timezone.now().replace(hour=6, minute=0))
    # New in the day before seven, whatever the hour the test runs at (the factory's default,
    # a day before the real clock, is older than that day when the suite runs before 7:00).
    ArticleFactory(parent=world, title="World news", first_published_at=timezone.now())
    assert digest.newsletters_due() == []
    time_machine.move_to(timezone.now().replace(hour=7, minute=1))
    assert digest.newsletters_due() == [morning]
    assert len(digest.build_due_digests()) == 1
    assert digest.build_due_digests() == []


def test_digest_with_nothing_new_is_skipped_once_per_period(
    morning, home, time_machine, monkeypatch
):
    morning.include_must_reads = False
    morning.include_most_read = False
    world = SectionFactory(title="World")
    morning.sections.set([world])
    morning.save()
    runs = []
    real_build = digest.build_due_digests

    def counted_build(*args, **kwargs):
        runs.append(timezone.now())
        return real_build(*args, **kwargs)

    monkeypatch.setattr(digest, "build_due_digests", counted_build)
    seven = timezone.now().replace(hour=7, minute=1, second=0, microsecond=0)
    time_machine.move_to(seven, tick=False)
    assert digest.newsletters_due() == [morning]
    scheduling.enqueue_due_issues()  # the task runs at once (immediate backend): nothing new
    assert len(runs) == 1
    morning.refresh_from_db()
    assert morning.digest_skipped_for is not None and morning.digest_skipped_for <= seven
    assert not Issue.objects.filter(newsletter=morning).exists()

    # The rounds of the rest of the period enqueue nothing.
    for minutes in (1, 2, 60, 23 * 60):
        time_machine.move_to(seven + timezone.timedelta(minutes=minutes), tick=False)
        assert digest.newsletters_due() == []
        scheduling.enqueue_due_issues()
    assert len(runs) == 1

    # The next period, with a story: due again, built and sent.
    ArticleFactory(parent=world, title="Next day's news", first_published_at=timezone.now())
    time_machine.move_to(seven + timezone.timedelta(days=1), tick=False)
    assert digest.newsletters_due() == [morning]
    scheduling.enqueue_due_issues()
    assert len(runs) == 2
    assert Issue.objects.filter(newsletter=morning, is_automatic=True).count() == 1
    assert digest.newsletters_due() == []
