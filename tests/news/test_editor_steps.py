"""Issue 23: an editor's tasks in no more steps than WordPress. Unpublish from the footer in
one click (the draft kept, the story off the site), Add to Must-Reads posting from the ⋯ menu,
Schedule to publish from the schedule dialog, and the Stories listing one menu click away with
the bulk actions. Each keeps its permission."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import GroupPagePermission

from gazette.news.admin_views import UNPUBLISH_ACTION
from gazette.news.models import MUST_READS_SLUG, ArticlePage, CuratedListItem
from tests.admin_forms import article_form_data
from tests.factories import ArticleFactory, SectionFactory, make_curated_list

pytestmark = pytest.mark.django_db


def _edit(client, article):
    return client.get(reverse("wagtailadmin_pages:edit", args=[article.pk])).content.decode()


def _footer(html):
    return html.split('class="footer', 1)[1] if 'class="footer' in html else html


def _unpublish_post(client, article, **fields):
    data = article_form_data(article, **fields)
    data[UNPUBLISH_ACTION] = "unpublish"
    return client.post(reverse("wagtailadmin_pages:edit", args=[article.pk]), data)


# --- unpublish ----------------------------------------------------------------------------------


def test_the_footers_unpublish_is_a_button_of_the_form_not_a_link(editor_client, home):
    article = ArticleFactory(parent=SectionFactory(parent=home))
    html = _edit(editor_client, article)
    assert f'name="{UNPUBLISH_ACTION}"' in html
    assert reverse("wagtailadmin_pages:unpublish", args=[article.pk]) not in _footer(html)


def test_unpublish_in_one_post_keeps_what_was_typed_as_the_draft(editor_client, client, home):
    article = ArticleFactory(parent=SectionFactory(parent=home), title="Ferry strike")
    assert client.get(article.url).status_code == 200

    response = _unpublish_post(editor_client, article, title="Ferry strike ends")
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_pages:edit", args=[article.pk])
    stored = ArticlePage.objects.get(pk=article.pk)
    assert not stored.live and stored.live_revision is None
    assert stored.get_latest_revision_as_object().title == "Ferry strike ends"
    assert client.get(article.url).status_code == 404

    page = editor_client.get(response.url).content.decode()
    assert "is unpublished: readers no longer see it" in page
    # Back on the edit page, Publish is where it always is: the undo.
    assert 'name="action-publish"' in page


def test_a_form_with_errors_unpublishes_nothing(editor_client, home):
    article = ArticleFactory(parent=SectionFactory(parent=home))
    response = _unpublish_post(editor_client, article, title="")
    assert response.status_code == 200  # the form again, with its error and what was typed
    assert ArticlePage.objects.get(pk=article.pk).live


def test_wagtails_confirmation_page_still_unpublishes_a_section(editor_client, home):
    section = SectionFactory(parent=home)
    html = _edit(editor_client, section)
    assert UNPUBLISH_ACTION not in html  # a section asks about the stories under it


def test_a_user_who_may_not_publish_cannot_unpublish_through_the_button(client, home):
    section = SectionFactory(parent=home)
    article = ArticleFactory(parent=section, title="Still live")
    writer = get_user_model().objects.create_user("writer", "w@example.org", "pw")
    group = Group.objects.create(name="Edit only")
    group.permissions.add(*Group.objects.get(name="Editors").permissions.all())
    GroupPagePermission.objects.create(group=group, page=section, permission_type="change")
    writer.groups.add(group)
    client.force_login(writer)

    assert f'name="{UNPUBLISH_ACTION}"' not in _edit(client, article)
    response = _unpublish_post(client, article, title="Still live, edited")
    assert response.status_code == 302
    stored = ArticlePage.objects.get(pk=article.pk)
    assert stored.live
    assert stored.get_latest_revision_as_object().title == "Still live, edited"  # kept
    assert "You may not unpublish" in client.get(response.url).content.decode()


# --- Must-Reads ---------------------------------------------------------------------------------


def _order():
    return list(
        CuratedListItem.objects.filter(curated_list__slug=MUST_READS_SLUG)
        .order_by("sort_order")
        .values_list("article__title", flat=True)
    )


def test_the_menu_item_is_a_form_that_adds_in_one_click(editor_client, home):
    section = SectionFactory(parent=home)
    listed, story = ArticleFactory(parent=section, title="Listed"), ArticleFactory(parent=section)
    make_curated_list(MUST_READS_SLUG, [listed])
    html = _edit(editor_client, story)
    url = reverse("news_must_reads", args=[story.pk])
    form = re.search(rf'<form method="post" action="{url}"[^>]*>(.*?)</form>', html, re.S)
    assert form, "the ⋯ menu posts to the action"
    assert 'name="csrfmiddlewaretoken"' in form.group(1)
    assert 'name="action" value="add"' in form.group(1)
    assert "Add to Must-Reads" in form.group(1)

    response = editor_client.post(url, {"action": "add"})
    assert response.url == reverse("wagtailadmin_pages:edit", args=[story.pk])
    assert _order() == [story.title, "Listed"]
    assert "is first in Must-Reads" in editor_client.get(response.url).content.decode()


def test_a_listed_story_links_to_the_choice_instead(editor_client, home):
    story = ArticleFactory(parent=SectionFactory(parent=home))
    make_curated_list(MUST_READS_SLUG, [story])
    html = _edit(editor_client, story)
    url = reverse("news_must_reads", args=[story.pk])
    assert f'<form method="post" action="{url}"' not in html
    assert f'href="{url}"' in html and "Must-Reads: move up or take out" in html


def test_the_post_is_refused_to_who_may_not_curate(client, home):
    article = ArticleFactory(parent=SectionFactory(parent=home))
    contributor = get_user_model().objects.create_user("amina")
    contributor.groups.add(Group.objects.get(name="Contributors"))
    client.force_login(contributor)
    assert "Add to Must-Reads" not in _edit(client, article)
    response = client.post(reverse("news_must_reads", args=[article.pk]), {"action": "add"})
    # Wagtail's admin answers PermissionDenied with its dashboard and a message.
    assert (response.status_code, response.get("Location")) in ((403, None), (302, "/admin/"))
    assert _order() == []


# --- the Stories listing ------------------------------------------------------------------------


def test_stories_is_in_the_menu_and_lists_every_section_with_the_bulk_actions(editor_client, home):
    world = SectionFactory(parent=home, title="World", slug="world")
    sport = SectionFactory(parent=home, title="Sport", slug="sport")
    ArticleFactory(parent=world, title="Border talks")
    ArticleFactory(parent=sport, title="Cup final")
    dashboard = editor_client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("stories:index") in dashboard and "Stories" in dashboard

    html = editor_client.get(reverse("stories:index")).content.decode()
    assert "Border talks" in html and "Cup final" in html
    assert "Change section" in html and "Change topics" in html
    assert 'name="section"' in html  # filterable by section

    only_sport = editor_client.get(reverse("stories:index"), {"section": sport.pk})
    assert "Cup final" in only_sport.content.decode()
    assert "Border talks" not in only_sport.content.decode()


def test_the_stories_listing_makes_a_fixed_number_of_queries(
    editor_client, home, django_assert_num_queries
):
    section = SectionFactory(parent=home)
    ArticleFactory(parent=section)
    editor_client.get(reverse("stories:index"))  # warm the caches
    reset_queries()  # each request empties the log: counted from zero, as the request does
    with CaptureQueriesContext(connection) as one_story:
        editor_client.get(reverse("stories:index"))
    counted = len(one_story)  # read now: the next request empties the log
    for number in range(10):
        ArticleFactory(parent=section, title=f"More {number}")
    editor_client.get(reverse("stories:index"))  # the caches the new stories retired
    assert counted > 5
    with django_assert_num_queries(counted):
        editor_client.get(reverse("stories:index"))


# --- scheduling ---------------------------------------------------------------------------------


def _schedule_post(client, article, go_live):
    from gazette.news.editing import SCHEDULE_FROM_DIALOG

    go_live_text = "" if go_live is None else timezone.localtime(go_live).strftime("%Y-%m-%d %H:%M")
    data = article_form_data(article, go_live_at=go_live_text)
    data["action-publish"] = SCHEDULE_FROM_DIALOG
    return client.post(reverse("wagtailadmin_pages:edit", args=[article.pk]), data)


def test_the_schedule_dialog_offers_schedule_to_publish(editor_client, home):
    article = ArticleFactory(parent=SectionFactory(parent=home), live=False)
    html = _edit(editor_client, article)
    dialog = html.split('<div id="schedule-publishing-dialog"', 1)[1].split(">Save schedule<", 1)[0]
    assert re.search(r'name="action-publish"\s+value="schedule"', dialog)
    assert "Schedule to publish" in dialog


def test_schedule_to_publish_in_the_dialog_sets_the_time_and_schedules(editor_client, home):
    article = ArticleFactory(parent=SectionFactory(parent=home), live=False)
    go_live = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
    response = _schedule_post(editor_client, article, go_live)
    assert response.status_code == 302
    stored = ArticlePage.objects.get(pk=article.pk)
    assert not stored.live
    scheduled = stored.scheduled_revision
    assert scheduled is not None and scheduled.approved_go_live_at == go_live
    followed = editor_client.get(reverse("wagtailadmin_pages:edit", args=[article.pk]))
    assert "has been scheduled for publishing" in followed.content.decode()


@pytest.mark.parametrize("when", ["none", "past"])
def test_schedule_to_publish_without_a_time_ahead_is_refused_and_publishes_nothing(
    editor_client, home, when
):
    article = ArticleFactory(parent=SectionFactory(parent=home), live=False, title="Not yet")
    go_live = None if when == "none" else timezone.now() - timedelta(hours=1)
    response = _schedule_post(editor_client, article, go_live)
    assert response.status_code == 200
    assert "choose a go-live time ahead of now" in response.content.decode()
    stored = ArticlePage.objects.get(pk=article.pk)
    assert not stored.live and stored.scheduled_revision is None


def test_who_may_not_publish_sees_no_schedule_button(client, home):
    section = SectionFactory(parent=home)
    article = ArticleFactory(parent=section, live=False)
    writer = get_user_model().objects.create_user("writer", "w@example.org", "pw")
    group = Group.objects.create(name="Edit only")
    group.permissions.add(*Group.objects.get(name="Editors").permissions.all())
    GroupPagePermission.objects.create(group=group, page=section, permission_type="change")
    writer.groups.add(group)
    client.force_login(writer)
    assert not re.search(r'name="action-publish"\s+value="schedule"', _edit(client, article))
    _schedule_post(client, article, timezone.now() + timedelta(hours=1))
    assert ArticlePage.objects.get(pk=article.pk).scheduled_revision is None
