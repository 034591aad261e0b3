"""Editors see views: columns in the page explorer and the "Most read" report with its chart."""

import re
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from gazette.analytics.counters import hour_of
from gazette.analytics.services import write_batch
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 12, 30, tzinfo=timezone.utc)


@pytest.fixture
def viewed(home):
    """Three articles: 'Old favourite' read a lot two days ago, 'Hot today' read this morning,
    'Unread' never."""
    section = SectionFactory(parent=home, title="World", slug="world")
    old = ArticleFactory(parent=section, title="Old favourite")
    hot = ArticleFactory(parent=section, title="Hot today")
    unread = ArticleFactory(parent=section, title="Unread")
    write_batch({(old.pk, hour_of(NOW - timedelta(days=2))): 5_000})
    write_batch(
        {
            (hot.pk, hour_of(NOW - timedelta(hours=3))): 1_200,
            (hot.pk, hour_of(NOW)): 34,
            (old.pk, hour_of(NOW - timedelta(hours=1))): 7,
        }
    )
    return section, old, hot, unread


def _rows(html: str, marker: str) -> list[list[str]]:
    """Text of each cell of each row of the listing table after ``marker``."""
    table = html[html.index(marker) :]
    table = table[table.index("<tbody") : table.index("</tbody>")]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        rows.append([re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip() for cell in cells])
    return rows


def test_section_explorer_lists_views_of_the_last_24_hours_and_in_total(admin_client, viewed):
    section, _old, _hot, _unread = viewed
    with time_machine.travel(NOW, tick=False):
        response = admin_client.get(f"/admin/pages/{section.pk}/?ordering=-views_recent")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Views (24 h)" in html and "Views (total)" in html
    rows = _rows(html, '<table class="listing')
    # Title (with its action menu), ..., views in 24 h, views in total, child pages link.
    shown = [(row[1].split(" Edit ")[0].split(" More options")[0], row[-3:-1]) for row in rows]
    assert shown == [
        ("Hot today", ["1,234", "1,234"]),
        ("Old favourite", ["7", "5,007"]),
        ("Unread", ["0", "0"]),
    ]
    with time_machine.travel(NOW, tick=False):
        html = admin_client.get(f"/admin/pages/{section.pk}/?ordering=-views_total").content
    assert [row[-2] for row in _rows(html.decode(), '<table class="listing')] == [
        "5,007",
        "1,234",
        "0",
    ]


def test_most_read_report_ranks_articles_and_charts_views_per_hour(admin_client, viewed):
    _, _old, _hot, _unread = viewed
    with time_machine.travel(NOW, tick=False):
        response = admin_client.get("/admin/reports/most-read/")
    assert response.status_code == 200
    html = response.content.decode()
    assert _rows(html, 'id="listing-results"') == [
        ["Hot today", "World", "1,234", "1,234", "Chart of views per hour for Hot today"],
        ["Old favourite", "World", "7", "5,007", "Chart of views per hour for Old favourite"],
    ]
    assert "Unread" not in html

    chart = html[html.index('<figure class="views-chart">') :]
    chart = chart[: chart.index("</svg>")]
    assert 'role="img"' in chart and "<title" in chart and "<desc" in chart
    bars = re.findall(r'<rect class="views-chart__bar"[^>]*height="([\d.]+)"', chart)
    assert len(bars) == 24
    heights = [float(height) for height in bars]
    # Hours oldest first: 09:00 had 1,200 views (the tallest), 11:00 had 7, 12:00 had 34.
    assert heights.index(max(heights)) == 20
    assert heights[23] > heights[22] > 0 and heights[0] == 0
    assert "1,241 views" in html  # the summary screen readers and the caption give
    assert "<script" not in chart and "https://" not in chart.replace("http://www.w3.org", "")


def test_the_report_charts_one_article_on_request(admin_client, viewed):
    _, old, _hot, _ = viewed
    with time_machine.travel(NOW, tick=False):
        html = admin_client.get(f"/admin/reports/most-read/?article={old.pk}").content.decode()
        assert "“Old favourite”" in html and "7 views" in html
        for bad in ("abc", "999999", "-1"):
            response = admin_client.get(f"/admin/reports/most-read/?article={bad}")
            assert response.status_code == 200
            assert "the whole site" in response.content.decode()


def test_the_report_exports_a_spreadsheet(admin_client, viewed):
    with time_machine.travel(NOW, tick=False):
        response = admin_client.get("/admin/reports/most-read/?export=csv")
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "Article,Section,Views (24 h),Views (total)"
    assert lines[1:] == ["Hot today,World,1234,1234", "Old favourite,World,7,5007"]


def test_the_report_is_in_the_reports_menu_and_for_editors_only(client, admin_client, viewed):
    html = admin_client.get("/admin/").content.decode()
    assert "/admin/reports/most-read/" in html
    assert client.get("/admin/reports/most-read/").status_code == 302  # to the login
