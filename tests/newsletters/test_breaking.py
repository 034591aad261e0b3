"""Breaking news: one alert to the breaking-news list through the real SMTP server, a banner on
the reader pages for a set time, and the cached pages purged when it starts and when it ends."""

import pytest
from django.urls import reverse
from django.utils import timezone

from gazette.newsletters import breaking, scheduling
from gazette.newsletters.models import BreakingNews, Issue, IssueStatus, Newsletter
from tests.factories import ArticleFactory, SectionFactory
from tests.newsletters.conftest import subscribed

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerts(db):
    return Newsletter.objects.create(
        name="Breaking News", slug="breaking", description="Big stories.", is_breaking=True
    )


def test_one_alert_a_banner_and_purges_at_start_and_end(
    client, smtp, alerts, morning, home, purged, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    world = SectionFactory(parent=home, title="World", slug="world")
    story = ArticleFactory(parent=world, title="Earthquake Hits the Coast")
    other = ArticleFactory(parent=world, title="Markets Steady")
    subscribed(alerts, "alerts@example.org")
    subscribed(morning, "morning-only@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        item = BreakingNews.objects.create(article=story, minutes=30)
        issues = breaking.start(item)
    assert [issue.newsletter for issue in issues] == [alerts]
    assert Issue.objects.get(breaking_article=story).status == IssueStatus.SENT
    assert list(smtp.per_recipient.items()) == [("alerts@example.org", 1)]
    [alert] = smtp.messages
    assert alert["Subject"] == "Breaking: Earthquake Hits the Coast"
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Started: every reader page purged, and they show the banner.
    assert "http://localhost/" in purged
    assert "http://localhost" + other.url in purged
    assert "http://localhost/world/" in purged
    assert "http://localhost/newsletters/" in purged
    page = client.get(other.url).content.decode()
    assert 'aria-label="Breaking news"' in page and "Earthquake Hits the Coast" in page
    assert "Earthquake Hits the Coast" in client.get(reverse("newsletters:index")).content.decode()

    # Marked again (a second click, a retry): no second alert.
    with django_capture_on_commit_callbacks(execute=True):
        assert breaking.start(item) == []
    assert smtp.per_recipient["alerts@example.org"] == 1

    # Ended: the round purges the pages once; the banner is gone.
    purged.clear()
    time_machine.shift(31 * 60)
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.enqueue_due_issues()
    assert "http://localhost" + other.url in purged
    assert 'aria-label="Breaking news"' not in client.get(other.url).content.decode()
    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.enqueue_due_issues()
    assert purged == []


def test_admin_marks_a_story_breaking(editor_client, smtp, alerts, home):
    story = ArticleFactory(title="Earthquake Hits the Coast")
    subscribed(alerts, "alerts@example.org")
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = editor_client.post(
            reverse("wagtailsnippets_newsletters_breakingnews:add"),
            {"article": story.pk, "headline": "", "minutes": 45},
        )
    assert response.status_code == 302
    item = BreakingNews.objects.get()
    assert (item.ends_at - item.starts_at).total_seconds() == 45 * 60
    assert smtp.per_recipient["alerts@example.org"] == 1
