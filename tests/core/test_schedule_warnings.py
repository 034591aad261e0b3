"""The admin warns when a story's go-live time has passed and it is not live (a missed
schedule), and when the scheduler has not run for minutes; the schedule worker's round
publishes the story and clears both."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from gazette.core import schedule_health
from gazette.news.models import ArticlePage
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduled(home, settings):
    """A story scheduled to go live in an hour, as the admin schedules it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    article = ArticleFactory(parent=SectionFactory(parent=home), title="Embargoed budget story")
    article.unpublish()
    article.go_live_at = timezone.now() + timedelta(hours=1)
    article.save_revision().publish()
    return ArticlePage.objects.get(pk=article.pk)


def _dashboard(editor_client) -> str:
    return editor_client.get(reverse("wagtailadmin_home")).content.decode()


def _edit_view(editor_client, page) -> str:
    return editor_client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()


def test_a_missed_go_live_is_shown_until_the_worker_publishes_it(editor_client, scheduled):
    schedule_health.record_round()  # the scheduler ran a minute ago...
    assert "Missed schedule" not in _dashboard(editor_client)  # ...and the time is ahead

    # Seventy minutes later, with no scheduler running since.
    with time_machine.travel(timezone.now() + timedelta(minutes=70)):
        dashboard = _dashboard(editor_client)
        assert "Missed schedule" in dashboard
        assert "Embargoed budget story: due" in dashboard
        assert reverse("wagtailadmin_pages:edit", args=[scheduled.pk]) in dashboard
        assert "Scheduled publishing is not running" in dashboard
        assert "last ran at" in dashboard
        assert "Missed schedule: This page was due to be published" in _edit_view(
            editor_client, scheduled
        )

        call_command("schedule_worker", "--once")  # the worker's round

        assert ArticlePage.objects.get(pk=scheduled.pk).live
        dashboard = _dashboard(editor_client)
        assert "Missed schedule" not in dashboard
        assert "Scheduled publishing is not running" not in dashboard
        assert "Missed schedule" not in _edit_view(editor_client, scheduled)


def test_a_go_live_time_just_passed_is_not_yet_missed(editor_client, scheduled):
    schedule_health.record_round()
    with time_machine.travel(scheduled.go_live_at + timedelta(seconds=50)):
        assert "Missed schedule" not in _dashboard(editor_client)


def test_the_scheduler_that_never_ran_or_fell_silent_is_named(editor_client, home):
    dashboard = _dashboard(editor_client)
    assert "Scheduled publishing is not running" in dashboard
    assert "has never run" in dashboard

    call_command("schedule_worker", "--once")
    assert "Scheduled publishing is not running" not in _dashboard(editor_client)

    with time_machine.travel(timezone.now() + timedelta(minutes=4)):
        assert "Scheduled publishing is not running" not in _dashboard(editor_client)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert "Scheduled publishing is not running" in _dashboard(editor_client)


def test_a_contributor_sees_no_missed_story_she_cannot_edit(client, scheduled):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user("reader-editor", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    with time_machine.travel(timezone.now() + timedelta(minutes=70)):
        assert "Embargoed budget story" not in _dashboard(client)
