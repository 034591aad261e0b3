"""The newsroom's time zone: a setting editors see, the zone of every time on reader pages (with
its name), and the zone go-live times are typed in, across a change of the clocks."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import Site
from wagtail.test.utils.form_data import inline_formset
from wagtail.users.models import UserProfile

from gazette.core.models import SiteIdentity
from gazette.core.newsroom_time import (
    NonexistentTime,
    wall_time_in_zone,
    zone,
    zone_abbreviation,
)
from gazette.news.models import ArticlePage
from tests.admin_forms import article_form_data
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

LONDON = zone("Europe/London")
# The last Sunday of October 2024: at 02:00 BST the clocks in London go back to 01:00 GMT.
SATURDAY_NOON = datetime(2024, 10, 26, 12, 0, tzinfo=UTC)


@pytest.fixture
def newsroom_zone(home):
    def set_zone(name: str) -> SiteIdentity:
        identity, _ = SiteIdentity.objects.get_or_create(
            site=Site.objects.get(is_default_site=True)
        )
        identity.time_zone = name
        identity.full_clean()
        identity.save()
        return identity

    return set_zone


@pytest.fixture
def quiet_tasks(settings):
    # Publishing queues the related-articles task: not what these tests are about.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


# -- the zone and its name ------------------------------------------------------------------------


def test_a_clock_time_passed_twice_is_the_first_and_a_skipped_one_is_refused():
    first = wall_time_in_zone(datetime(2024, 10, 27, 1, 30), LONDON)
    assert first.astimezone(UTC) == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)
    assert zone_abbreviation(first) == "BST"
    after = wall_time_in_zone(datetime(2024, 10, 27, 9, 0), LONDON)
    assert after.astimezone(UTC) == datetime(2024, 10, 27, 9, 0, tzinfo=UTC)  # GMT again
    with pytest.raises(NonexistentTime, match="01:30 does not exist on 30 March 2025"):
        wall_time_in_zone(datetime(2025, 3, 30, 1, 30), LONDON)


def test_a_zone_without_letters_is_named_by_its_offset():
    dubai = datetime(2024, 7, 1, 12, 0, tzinfo=UTC).astimezone(zone("Asia/Dubai"))
    assert zone_abbreviation(dubai) == "UTC+04:00"
    kolkata = datetime(2024, 7, 1, 12, 0, tzinfo=UTC).astimezone(zone("Asia/Kolkata"))
    assert zone_abbreviation(kolkata) == "IST"
    assert zone("No/Such_Zone").key == "UTC"  # a bad stored name never breaks a page


def test_the_setting_takes_only_real_zone_names(newsroom_zone):
    with pytest.raises(ValidationError, match="not a time zone name"):
        newsroom_zone("Europe/Londres")


def test_editors_see_the_zone_in_the_site_settings(editor_client, newsroom_zone):
    newsroom_zone("Europe/London")
    site = Site.objects.get(is_default_site=True)
    url = reverse("wagtailsettings:edit", args=["core", "siteidentity", site.pk])
    html = editor_client.get(url).content.decode()
    assert "The newsroom&#x27;s time zone" in html
    assert '<option value="Europe/London" selected>Europe/London</option>' in html


# -- reader pages -------------------------------------------------------------------------------


def test_reader_pages_show_times_in_the_newsroom_zone_with_its_name(client, home, newsroom_zone):
    section = SectionFactory(parent=home)
    summer = ArticleFactory(
        parent=section, first_published_at=datetime(2024, 7, 1, 12, 0, tzinfo=UTC)
    )
    winter = ArticleFactory(
        parent=section, first_published_at=datetime(2024, 12, 1, 12, 0, tzinfo=UTC)
    )

    assert "July 1, 2024, 12:00 UTC</time>" in client.get(summer.url).content.decode()

    newsroom_zone("Europe/London")
    summer_html = client.get(summer.url).content.decode()
    assert (
        '<time datetime="2024-07-01T13:00:00+01:00">July 1, 2024, 13:00 BST</time>' in summer_html
    )
    assert "Dec. 1, 2024, 12:00 GMT</time>" in client.get(winter.url).content.decode()

    newsroom_zone("America/New_York")
    assert "July 1, 2024, 08:00 EDT</time>" in client.get(summer.url).content.decode()


# -- scheduling across the change of the clocks -------------------------------------------------


def _schedule(client, article, go_live_at: str):
    author = AuthorFactory()
    data = article_form_data(
        article,
        body="<p>Embargoed.</p>",
        article_authors=inline_formset([{"author": author.pk}]),
        go_live_at=go_live_at,
        action="publish",
    )
    return client.post(reverse("wagtailadmin_pages:edit", args=[article.pk]), data)


def _scheduled_for(article) -> datetime | None:
    revision = article.revisions.exclude(approved_go_live_at=None).first()
    return revision.approved_go_live_at if revision else None


def _live_at(moment: datetime, article) -> bool:
    with time_machine.travel(moment, tick=False):
        call_command("schedule_worker", "--once")
    return ArticlePage.objects.get(pk=article.pk).live


@pytest.mark.parametrize(
    ("typed", "goes_live"),
    [
        # 01:30 happens twice that night: the first, 01:30 BST, is 00:30 UTC.
        ("2024-10-27 01:30", datetime(2024, 10, 27, 0, 30, tzinfo=UTC)),
        # After the change: 09:00 GMT is 09:00 UTC, not the 08:00 a summer offset would give.
        ("2024-10-27 09:00", datetime(2024, 10, 27, 9, 0, tzinfo=UTC)),
    ],
)
def test_a_story_scheduled_across_the_change_goes_live_at_the_right_instant(
    editor_client, home, newsroom_zone, quiet_tasks, client, typed, goes_live
):
    newsroom_zone("Europe/London")
    article = ArticleFactory(
        parent=SectionFactory(parent=home), title="Embargoed", live=False, first_published_at=None
    )
    with time_machine.travel(SATURDAY_NOON, tick=False):
        response = _schedule(editor_client, article, typed)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _scheduled_for(article) == goes_live

    # The worker runs every minute: a minute early it leaves the story, a second late it does not.
    assert not _live_at(goes_live - timedelta(minutes=1), article)
    assert _live_at(goes_live + timedelta(seconds=1), article)
    shown = client.get(ArticlePage.objects.get(pk=article.pk).url).content.decode()
    local = goes_live.astimezone(LONDON)
    assert f"{local:%H:%M} {zone_abbreviation(local)}</time>" in shown


def test_a_time_the_clocks_skip_gets_a_message_and_schedules_nothing(
    editor_client, home, newsroom_zone, quiet_tasks
):
    newsroom_zone("Europe/London")
    article = ArticleFactory(parent=SectionFactory(parent=home), title="Spring story", live=False)
    with time_machine.travel(datetime(2025, 3, 29, 12, 0, tzinfo=UTC), tick=False):
        response = _schedule(editor_client, article, "2025-03-30 01:30")
    assert response.status_code == 200
    assert "01:30 does not exist on 30 March 2025 in Europe/London" in response.content.decode()
    assert _scheduled_for(article) is None


def test_an_editor_who_chose_a_zone_types_times_in_it(
    editor_client, home, newsroom_zone, quiet_tasks
):
    newsroom_zone("Europe/London")
    profile = UserProfile.get_for_user(get_user_model().objects.get(username="editor"))
    profile.current_time_zone = "America/New_York"
    profile.save()
    article = ArticleFactory(parent=SectionFactory(parent=home), title="From New York", live=False)
    with time_machine.travel(SATURDAY_NOON, tick=False):
        assert _schedule(editor_client, article, "2024-10-27 01:30").status_code == 302
    assert _scheduled_for(article) == datetime(2024, 10, 27, 5, 30, tzinfo=UTC)  # EDT, UTC-4
