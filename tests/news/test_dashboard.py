"""Issue 23: the newsroom's dashboard (new article, my drafts, scheduled, awaiting my review,
pending comments, most read today), each panel a fixed number of queries, and "New article"
asking only for the section."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Workflow

from gazette.analytics.admin_views import MostReadTodayPanel
from gazette.analytics.models import HourlyViews
from gazette.comments.admin_views import PendingCommentsPanel
from gazette.comments.models import Comment
from gazette.news import dashboard
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def _render(panel, user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return panel.render_html({"request": request, "csrf_token": ""})


@pytest.fixture
def editor(editor_client):
    return get_user_model().objects.get(username="editor")


def _drafts(section, owner, count):
    for n in range(count):
        article = ArticleFactory(parent=section, title=f"Draft {n}", live=False, owner=owner)
        article.save_revision(user=owner)


@pytest.mark.parametrize("count", [1, 6])
def test_my_drafts_is_one_query_and_only_mine(editor, home, count, django_assert_num_queries):
    section = SectionFactory(parent=home)
    colleague = get_user_model().objects.create_user("colleague")
    _drafts(section, editor, count)
    _drafts(section, colleague, 2)
    ArticleFactory(parent=section, title="Published one", owner=editor)
    with django_assert_num_queries(1):
        html = _render(dashboard.MyDraftsPanel(), editor)
    assert html.count("Draft ") == count
    assert "Published one" not in html


def _schedule(article, when):
    page = article.get_latest_revision_as_object()
    page.go_live_at = when
    page.save_revision().publish()


@pytest.mark.parametrize("count", [1, 4])
def test_scheduled_stories_soonest_first_in_one_query(
    editor, home, count, django_assert_num_queries
):
    section = SectionFactory(parent=home)
    now = timezone.now()
    for n in range(count):
        article = ArticleFactory(parent=section, title=f"Later {n}", live=False)
        _schedule(article, now + timedelta(hours=count - n))
    dashboard.scheduled_stories(editor)  # the content type is cached once per process
    with django_assert_num_queries(1):
        html = _render(dashboard.ScheduledPanel(), editor)
    titles = [f"Later {n}" for n in reversed(range(count))]  # the soonest is the last made
    assert [html.index(title) for title in titles] == sorted(html.index(t) for t in titles)
    assert " UTC" in html  # the time names its zone


def test_awaiting_my_review_lists_submitted_articles_in_fixed_queries(editor, home):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    section = SectionFactory(parent=home)
    writer = get_user_model().objects.create_user("writer", first_name="Wanda", last_name="W")
    workflow = Workflow.objects.get(name="Moderators approval")

    def submit(n):
        article = ArticleFactory(parent=section, title=f"Submitted {n}", live=False)
        article.save_revision(user=writer)
        workflow.start(article, writer)  # the latest revision goes to review

    def render():
        with CaptureQueriesContext(connection) as queries:
            html = _render(dashboard.AwaitingReviewPanel(), editor)
        return html, len(queries)

    submit(0)
    html, few = render()
    for n in (1, 2, 3):
        submit(n)
    html, more = render()
    assert few == more <= 3  # the reviewer's tasks and groups, then the rows
    assert all(f"Submitted {n}" in html for n in range(4)) and "Wanda W" in html


def test_pending_comments_panel_counts_and_links_to_the_queue(editor, home):
    article = ArticleFactory(parent=SectionFactory(parent=home))
    for n in range(2):
        Comment.objects.create(article=article, author_name="Ada", text=f"hi {n}")
    html = _render(PendingCommentsPanel(), editor)
    assert "2 comments pending" in html
    assert "?status=pending&amp;ordering=created_at" in html


def test_most_read_today_counts_since_midnight(editor, home, django_assert_num_queries):
    section = SectionFactory(parent=home)
    popular, other, yesterday_only = (
        ArticleFactory(parent=section, title=title) for title in ("Popular", "Other", "Old news")
    )
    with time_machine.travel("2026-03-02 15:20:00+00:00", tick=False):
        today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
        HourlyViews.objects.create(article=popular, hour=today, views=40)
        HourlyViews.objects.create(article=popular, hour=today + timedelta(hours=15), views=2)
        HourlyViews.objects.create(article=other, hour=today + timedelta(hours=9), views=1)
        HourlyViews.objects.create(
            article=yesterday_only, hour=today - timedelta(hours=1), views=500
        )
        with django_assert_num_queries(3):  # ranking, live and public, headlines
            html = _render(MostReadTodayPanel(), editor)
    assert "Popular</a>: 42 views" in html and "Other</a>: 1 view<" in html.replace("\n", "")
    assert "Old news" not in html
    assert html.index("Popular") < html.index("Other")


def test_the_dashboard_shows_the_newsrooms_panels(editor_client, home):
    html = editor_client.get(reverse("wagtailadmin_home")).content.decode()
    for heading in (
        "New article",
        "My drafts",
        "Scheduled stories",
        "Awaiting my review",
        "Comments to moderate",
        "Most read today",
    ):
        assert heading in html, heading


def test_new_article_asks_only_for_the_section(editor_client, home):
    world = SectionFactory(parent=home, title="World", slug="world")
    sport = SectionFactory(parent=home, title="Sport", slug="sport")
    html = editor_client.get(reverse("news_new_article")).content.decode()
    for section in (world, sport):
        url = reverse("wagtailadmin_pages:add", args=["news", "articlepage", section.pk])
        assert f'href="{url}"' in html
    assert editor_client.get(url).status_code == 200  # the editor, under that section


def test_new_article_goes_straight_to_the_editor_when_there_is_one_section(client, home):
    only = SectionFactory(parent=home, title="World", slug="world")
    contributor = get_user_model().objects.create_user("amina")
    contributor.groups.add(Group.objects.get(name="Contributors"))
    client.force_login(contributor)
    response = client.get(reverse("news_new_article"))
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "wagtailadmin_pages:add", args=["news", "articlepage", only.pk]
    )


def test_new_article_is_first_in_the_menu(editor_client, home):
    html = editor_client.get(reverse("wagtailadmin_home")).content.decode()
    assert '"label": "New article"' in html or "New article" in html.split('"menuItems"', 1)[-1]
