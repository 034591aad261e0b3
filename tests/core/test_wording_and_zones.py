"""Issue 23, defect 11: plurals right ("1 view", "2 views") and every time in the admin
naming its zone."""

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from gazette.analytics.charts import hourly_chart
from gazette.core.wording import count_of
from tests.factories import ArticleFactory, SectionFactory


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 views"), (1, "1 view"), (2, "2 views"), (1204, "1,204 views")],
)
def test_count_of_agrees_with_the_number(count, expected):
    assert count_of(count, "view", "views") == expected


def test_the_chart_says_one_view_not_one_views():
    hour = datetime(2026, 3, 1, 9, tzinfo=UTC)
    chart = hourly_chart([(hour, 1), (hour + timedelta(hours=1), 0)])
    assert chart.summary.startswith("1 view from")
    assert chart.bars[0].label.endswith(": 1 view")
    assert hourly_chart([(hour, 2)]).summary.startswith("2 views from")


def test_a_length_check_says_one_character():
    from gazette.checks.rules import _length

    assert _length("headline", "A", 10, 100) == [
        "The headline is 1 character long; it needs 10 at least."
    ]
    assert _length("headline", "", 1, 100) == [
        "There is no headline: write one of 1 character at least."
    ]


def test_a_date_and_time_shown_names_its_zone():
    moment = datetime(2026, 7, 1, 12, 26, tzinfo=UTC)
    template = Template('{{ moment }}|{{ moment|date:"SHORT_DATETIME_FORMAT" }}')
    with timezone.override(zoneinfo.ZoneInfo("Europe/London")):
        shown = template.render(Context({"moment": moment}))
    assert shown == "July 1, 2026, 13:26 BST|2026-07-01 13:26 BST"
    with timezone.override(zoneinfo.ZoneInfo("Asia/Tokyo")):
        assert template.render(Context({"moment": moment})).endswith("21:26 JST")


@pytest.mark.django_db
def test_the_admins_times_name_their_zone(editor_client, home):
    import re

    section = SectionFactory(parent=home)
    ArticleFactory(parent=section, title="Dated")
    html = editor_client.get(reverse("wagtailadmin_explore", args=[section.pk])).content.decode()
    tooltips = re.findall(r'data-w-tooltip-content-value="([^"]*\d:\d\d[^"]*)"', html)
    assert tooltips, "the explorer shows when each page was updated"
    zone = timezone.localtime().tzname()  # the newsroom's, as the editor set no zone of her own
    assert all(tooltip.endswith(f" {zone}") for tooltip in tooltips), tooltips


@pytest.mark.django_db
def test_every_date_time_input_of_the_admin_names_its_zone(editor_client, home):
    """Go-live, expiry and first published, in the schedule dialog and the Settings tab: each
    input is followed by the zone its time is read in: the newsroom's, or the editor's own."""
    import re

    from django.contrib.auth import get_user_model
    from wagtail.users.models import UserProfile

    from gazette.core.newsroom_time import newsroom_zone_name

    article = ArticleFactory(parent=SectionFactory(parent=home))
    url = reverse("wagtailadmin_pages:edit", args=[article.pk])
    html = editor_client.get(url).content.decode()
    newsroom = newsroom_zone_name()
    for field in ("go_live_at", "expire_at", "first_published_at"):
        zone = re.search(rf'<span [^>]*id="id_{field}-zone">([^<]*)</span>', html)
        assert zone, f"{field} has no zone beside it"
        assert zone.group(1).startswith(f"Time zone: {newsroom}"), zone.group(1)

    editor = get_user_model().objects.get(username="editor")
    profile = UserProfile.get_for_user(editor)
    profile.current_time_zone = "Asia/Tokyo"
    profile.save()
    html = editor_client.get(url).content.decode()
    assert 'id="id_go_live_at-zone">Time zone: Asia/Tokyo (JST)</span>' in html


def test_the_zone_beside_an_input_says_utc_once():
    from gazette.core.templatetags.local_times import admin_time_zone

    with timezone.override(UTC):
        assert admin_time_zone() == "Time zone: UTC"
    with timezone.override(zoneinfo.ZoneInfo("Asia/Kolkata")):
        assert admin_time_zone() == "Time zone: Asia/Kolkata (IST)"
