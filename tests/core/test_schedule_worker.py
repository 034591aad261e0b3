"""Stories scheduled by an editor go live, and expire, when the schedule worker runs."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from gazette.news.models import ArticlePage
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_a_scheduled_story_goes_live_and_an_expired_one_comes_down(client, home, settings):
    # Publishing queues the related-articles task; it is not what this test is about.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    section = SectionFactory(parent=home, title="World", slug="world")
    author = AuthorFactory()
    scheduled = ArticleFactory(parent=section, authors=[author], title="Embargoed story")
    scheduled.unpublish()
    scheduled.go_live_at = timezone.now() + timedelta(hours=1)
    # Publishing a revision whose go-live time is ahead schedules it, as the admin does.
    scheduled.save_revision().publish()
    expiring = ArticleFactory(parent=section, authors=[author], title="Offer ends today")

    call_command("schedule_worker", "--once")
    assert not ArticlePage.objects.get(pk=scheduled.pk).live
    assert ArticlePage.objects.get(pk=expiring.pk).live

    ArticlePage.objects.filter(pk=expiring.pk).update(
        expire_at=timezone.now() + timedelta(minutes=30)
    )
    # An hour and a minute later: the embargo has lifted, the offer has ended.
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        call_command("schedule_worker", "--once")

    assert ArticlePage.objects.get(pk=scheduled.pk).live
    assert client.get(scheduled.url).status_code == 200
    gone = ArticlePage.objects.get(pk=expiring.pk)
    assert not gone.live and gone.expired
    assert client.get(gone.url).status_code == 404


def test_an_interval_out_of_range_is_refused():
    with pytest.raises(CommandError, match="interval"):
        call_command("schedule_worker", "--interval", "0")


def test_registered_jobs_run_each_round_and_a_failing_one_does_not_stop_the_others(capsys):
    from gazette.core import periodic

    calls = []
    periodic.register("test-broken", lambda: 1 / 0)
    periodic.register("test-after", lambda: calls.append("ran"))
    try:
        call_command("schedule_worker", "--once")
    finally:
        periodic.unregister("test-broken")
        periodic.unregister("test-after")
    assert calls == ["ran"]
    assert "Job 'test-broken' failed: ZeroDivisionError" in capsys.readouterr().err
