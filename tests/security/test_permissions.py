"""Users and permissions: readers never reach the admin or a draft, a contributor writes but
never publishes, and drafts (a story never published, and the unpublished edits of a live
one) never leak into pages, feeds, sitemaps, search or the API, nor into a cache.

The drafts are made the way a newsroom makes them, through Wagtail's admin views driven by
Django's test client: a contributor submits a new story for moderation, an editor saves new
edits of a live story without publishing them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from gazette.analytics.models import HourlyViews
from gazette.home.services import ensure_home_page
from gazette.images.models import CustomImage
from gazette.news.models import ArticlePage
from tests.factories import ArticleFactory, AuthorFactory, ImageFactory, SectionFactory

pytestmark = pytest.mark.django_db

REPOSITORY = Path(__file__).resolve().parents[2]

LIVE_HEADLINE = "Lighthouse keepers vote to strike"
# Words found nowhere but in the drafts: any page that shows one has leaked a draft.
DRAFT_EDIT_HEADLINE = "Quokkaleak keepers accept the offer"
DRAFT_EDIT_WORD = "Quokkaleak"
NEW_DRAFT_HEADLINE = "Narwhalscoop harbour master resigns"
NEW_DRAFT_WORD = "Narwhalscoop"
NEW_DRAFT_SLUG = "narwhalscoop-harbour-master-resigns"


def _user(username: str, *, group: str | None = None, superuser: bool = False):
    User = get_user_model()
    if superuser:
        return User.objects.create_superuser(username, f"{username}@example.org", "pw")
    user = User.objects.create_user(username, f"{username}@example.org", "pw")
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _article_form(*, title: str, slug: str, author_id: int, action: str | None = None):
    """The article form as the admin's edit page posts it."""
    data = {
        "title": title,
        "slug": slug,
        "standfirst": f"{title}: the standfirst.",
        "body": streamfield([("paragraph", rich_text(f"<p>{title}, in the body.</p>"))]),
        "article_authors": inline_formset([{"author": author_id}]),
        "editors_picks": inline_formset([], max=5),
        "correction_notes": inline_formset([]),
        "editors_exclusions": inline_formset([]),
        "tags": "",
    }
    if action:
        data[f"action-{action}"] = action
    return nested_form_data(data)


# -- the Contributors role ---------------------------------------------------------------------


def test_contributors_may_add_pages_and_images_but_not_publish(home):
    group = Group.objects.get(name="Contributors")
    page_permissions = set(
        GroupPagePermission.objects.filter(group=group).values_list(
            "page__depth", "permission__codename"
        )
    )
    assert page_permissions == {(1, "add_page")}  # the root: every page, now and later
    image_permissions = set(
        GroupCollectionPermission.objects.filter(
            group=group, collection=Collection.get_first_root_node()
        ).values_list("permission__codename", flat=True)
    )
    assert {"add_image", "choose_image"} <= image_permissions
    assert not image_permissions & {"change_image", "delete_image"}
    assert group.permissions.filter(codename="access_admin").exists()


def test_the_contributors_migration_runs_again_and_reverses():
    from django.apps import apps as global_apps
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    migration = __import__(
        "gazette.users.migrations.0002_contributors_group", fromlist=["create_contributors"]
    )
    state_apps = (
        MigrationExecutor(connection)
        .loader.project_state(("users", "0002_contributors_group"))
        .apps
    )
    group = Group.objects.get(name="Contributors")
    rows = (
        GroupPagePermission.objects.filter(group=group).count(),
        GroupCollectionPermission.objects.filter(group=group).count(),
    )
    migration.create_contributors(state_apps, None)  # again: nothing new
    assert Group.objects.filter(name="Contributors").count() == 1
    assert rows == (
        GroupPagePermission.objects.filter(group=group).count(),
        GroupCollectionPermission.objects.filter(group=group).count(),
    )
    migration.delete_contributors(state_apps, None)
    assert not Group.objects.filter(name="Contributors").exists()
    assert not GroupPagePermission.objects.filter(group_id=group.pk).exists()
    migration.create_contributors(state_apps, None)
    assert global_apps.get_model("auth", "Group").objects.filter(name="Contributors").exists()


# -- readers -----------------------------------------------------------------------------------


def _assert_never_cached(response):
    cache_control = response.get("Cache-Control", "")
    assert "private" in cache_control and "no-store" in cache_control, cache_control


def test_anonymous_readers_are_sent_to_the_login_page(client, home):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))
    _assert_never_cached(response)
    _assert_never_cached(client.get(reverse("wagtailadmin_login")))


def test_a_logged_in_reader_without_admin_access_cannot_enter(home):
    reader = _client_for(_user("reader"))
    response = reader.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))
    assert reader.get(reverse("wagtailadmin_pages:edit", args=[home.pk])).status_code == 302


def test_a_draft_is_not_found_and_its_previews_need_the_admin(client, home):
    section = SectionFactory(parent=home)
    draft = ArticleFactory(parent=section, title=NEW_DRAFT_HEADLINE, live=False)
    revision = draft.save_revision()

    response = client.get(draft.url)
    assert response.status_code == 404
    assert NEW_DRAFT_WORD not in response.content.decode()

    for url in (
        reverse("wagtailadmin_pages:revisions_view", args=[draft.pk, revision.pk]),
        reverse("wagtailadmin_pages:view_draft", args=[draft.pk]),
        reverse("wagtailadmin_pages:preview_on_edit", args=[draft.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("wagtailadmin_login")), url
        assert NEW_DRAFT_WORD not in response.content.decode()


# -- contributors ------------------------------------------------------------------------------


@pytest.fixture
def contributor():
    return _user("contributor", group="Contributors")


def test_a_contributor_submits_a_story_for_moderation_but_cannot_publish(home, contributor):
    section = SectionFactory(parent=home)
    author = AuthorFactory()
    client = _client_for(contributor)
    add_url = reverse("wagtailadmin_pages:add", args=["news", "articlepage", section.pk])

    response = client.post(
        add_url,
        _article_form(
            title=NEW_DRAFT_HEADLINE, slug=NEW_DRAFT_SLUG, author_id=author.pk, action="submit"
        ),
    )
    assert response.status_code == 302, response.content[:2000]
    story = ArticlePage.objects.get(slug=NEW_DRAFT_SLUG)
    assert story.owner == contributor
    assert not story.live
    assert story.workflow_in_progress  # waiting for a moderator

    # The publish button, on the edit form and on a new page, saves a draft at most.
    edit_url = reverse("wagtailadmin_pages:edit", args=[story.pk])
    client.post(
        edit_url,
        _article_form(
            title=NEW_DRAFT_HEADLINE, slug=NEW_DRAFT_SLUG, author_id=author.pk, action="publish"
        ),
    )
    client.post(
        add_url,
        _article_form(
            title="Another try", slug="another-try", author_id=author.pk, action="publish"
        ),
    )
    # Nor does the bulk action, nor the moderators' approve action.
    client.post(
        reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"]) + f"?id={story.pk}",
        {"include_descendants": ""},
    )
    state = story.current_workflow_state
    client.post(
        reverse(
            "wagtailadmin_pages:workflow_action",
            args=[story.pk, "approve", state.current_task_state.pk],
        ),
        {"comment": ""},
    )

    for slug in (NEW_DRAFT_SLUG, "another-try"):
        page = ArticlePage.objects.get(slug=slug)
        assert not page.live, slug
        assert page.live_revision is None, slug

    # The moderator's approval, the same request, is what publishes it.
    moderator = _client_for(_user("moderator", group="Moderators"))
    moderator.post(
        reverse(
            "wagtailadmin_pages:workflow_action",
            args=[story.pk, "approve", state.current_task_state.pk],
        ),
        {"comment": ""},
    )
    assert ArticlePage.objects.get(pk=story.pk).live


def test_a_contributor_cannot_edit_a_colleagues_story(home, contributor):
    story = ArticleFactory(parent=SectionFactory(parent=home), title=LIVE_HEADLINE)
    author = AuthorFactory()
    client = _client_for(contributor)
    edit_url = reverse("wagtailadmin_pages:edit", args=[story.pk])
    assert client.get(edit_url).status_code != 200
    client.post(
        edit_url,
        _article_form(title="Rewritten", slug=story.slug, author_id=author.pk, action="submit"),
    )
    story.refresh_from_db()
    assert story.title == LIVE_HEADLINE
    assert not story.has_unpublished_changes
    # Nor moderate readers' comments, nor manage accounts and groups.
    for url in (
        reverse("wagtailsnippets_comments_comment:list"),
        reverse("wagtailusers_users:index"),
        reverse("wagtailusers_groups:index"),
    ):
        assert client.get(url).status_code != 200, url


def test_a_contributor_uploads_an_image(home, contributor):
    client = _client_for(contributor)
    response = client.post(
        reverse("wagtailimages:add"),
        {
            "title": "Harbour at dawn",
            "file": SimpleUploadedFile("harbour.png", get_test_image_file().file.getvalue()),
            "credit": "Staff photographer",
            "collection": Collection.get_first_root_node().pk,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    image = CustomImage.objects.get(title="Harbour at dawn")
    assert image.uploaded_by_user == contributor
    # Their own pictures they may change (Wagtail's ownership rule); a colleague's, not.
    colleagues = ImageFactory(uploaded_by_user=_user("photographer"))
    client.post(reverse("wagtailimages:delete", args=[colleagues.pk]))
    assert CustomImage.objects.filter(pk=colleagues.pk).exists()


# -- drafts never leak -------------------------------------------------------------------------


@dataclass
class Drafts:
    live: ArticlePage  # live, with newer edits saved but not published
    draft: ArticlePage  # never published, submitted for moderation
    section: object
    author: object
    editor: object


@pytest.fixture(scope="module")
def drafts(django_db_setup, django_db_blocker):
    """Built once for the module in a transaction rolled back after it (as the distribution
    tests' newsroom is): the leak checks below only read."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _make_drafts()
        transaction.set_rollback(True)


def _make_drafts() -> Drafts:
    home = ensure_home_page()
    section = SectionFactory(parent=home, title="Harbour", slug="harbour")
    author = AuthorFactory(name="Ada Reporter", slug="ada-reporter")
    live = ArticleFactory(
        parent=section, title=LIVE_HEADLINE, slug="lighthouse-keepers", authors=[author]
    )
    editor = _user("editor", superuser=True)
    response = _client_for(editor).post(
        reverse("wagtailadmin_pages:edit", args=[live.pk]),
        # No action: "Save draft".
        _article_form(title=DRAFT_EDIT_HEADLINE, slug=live.slug, author_id=author.pk),
    )
    assert response.status_code == 302, response.content[:2000]

    contributor = _user("contributor", group="Contributors")
    response = _client_for(contributor).post(
        reverse("wagtailadmin_pages:add", args=["news", "articlepage", section.pk]),
        _article_form(
            title=NEW_DRAFT_HEADLINE, slug=NEW_DRAFT_SLUG, author_id=author.pk, action="submit"
        ),
    )
    assert response.status_code == 302, response.content[:2000]
    draft = ArticlePage.objects.get(slug=NEW_DRAFT_SLUG)

    # Both are read: Popular Now and the API's most read rank by these.
    hour = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    for article in (live, draft):
        HourlyViews.objects.create(article_id=article.pk, hour=hour, views=50)

    live = ArticlePage.objects.get(pk=live.pk)
    assert live.live and live.has_unpublished_changes and live.title == LIVE_HEADLINE
    assert live.get_latest_revision_as_object().title == DRAFT_EDIT_HEADLINE
    assert not draft.live and draft.get_latest_revision_as_object().title == NEW_DRAFT_HEADLINE
    return Drafts(live=live, draft=draft, section=section, author=author, editor=editor)


def _reader_urls(d: Drafts) -> dict[str, str]:
    """Every reader and machine view that lists or shows the live story, with the text it
    must contain: each check proves it sees the live story as well as no draft."""
    section, author = d.section.slug, d.author.slug
    return {
        "/": LIVE_HEADLINE,
        d.section.url: LIVE_HEADLINE,
        d.live.url: LIVE_HEADLINE,
        f"/authors/{author}/": LIVE_HEADLINE,
        "/feeds/rss.xml": LIVE_HEADLINE,
        "/feeds/atom.xml": LIVE_HEADLINE,
        f"/feeds/sections/{section}/rss.xml": LIVE_HEADLINE,
        f"/feeds/sections/{section}/atom.xml": LIVE_HEADLINE,
        f"/feeds/authors/{author}/rss.xml": LIVE_HEADLINE,
        f"/feeds/authors/{author}/atom.xml": LIVE_HEADLINE,
        "/sitemap.xml": "/sitemaps/articles-",
        "/sitemaps/pages.xml": d.section.url,
        "/sitemaps/news.xml": LIVE_HEADLINE,
        "/api/v1/articles": LIVE_HEADLINE,
        f"/api/v1/articles?author={author}": LIVE_HEADLINE,
        f"/api/v1/articles?section={section}": LIVE_HEADLINE,
        f"/api/v1/articles/{d.live.pk}": LIVE_HEADLINE,
        "/api/v1/articles/most-read": LIVE_HEADLINE,
        f"/api/v1/authors/{author}": d.author.name,
        "/api/v1/sections": d.section.title,
    }


def _assert_no_draft(url: str, body: str) -> None:
    for secret in (DRAFT_EDIT_WORD, NEW_DRAFT_WORD, NEW_DRAFT_SLUG):
        assert secret not in body, f"{url} shows the draft ({secret})"


def test_reader_pages_feeds_sitemaps_and_api_show_no_draft(drafts, client):
    urls = _reader_urls(drafts)
    # Every page of articles the sitemap index names.
    index = client.get("/sitemap.xml").content.decode()
    for path in re.findall(r"https?://[^/<]+(/sitemaps/articles-\d+\.xml)", index):
        urls[path] = drafts.live.url
    for url, expected in urls.items():
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 200, (url, body[:500])
        assert expected in body, f"{url} lacks {expected!r}"
        _assert_no_draft(url, body)


def test_the_api_has_no_record_of_a_draft(drafts, client):
    response = client.get(f"/api/v1/articles/{drafts.draft.pk}")
    assert response.status_code == 404
    _assert_no_draft(response.request["PATH_INFO"], response.content.decode())


def test_search_finds_the_live_story_and_no_draft(drafts, client):
    found = client.get("/search/", {"q": "lighthouse keepers"}).content.decode()
    assert drafts.live.url in found
    for word in (DRAFT_EDIT_WORD, NEW_DRAFT_WORD):
        for order in ("relevance", "newest"):
            html = client.get("/search/", {"q": word, "order": order}).content.decode()
            assert drafts.live.url not in html, f"searching {word} finds the live story"
            assert drafts.draft.url not in html, f"searching {word} finds the draft"
            # The query itself is echoed back; what matters is that nothing matches it.
            assert "No stories match" in html, f"searching {word} finds something"


# -- previews and the page cache ----------------------------------------------------------------


def test_previews_and_the_admin_are_never_cacheable(drafts):
    editor = _client_for(drafts.editor)
    live = drafts.live
    response = editor.post(
        reverse("wagtailadmin_pages:preview_on_edit", args=[live.pk]),
        _article_form(title=DRAFT_EDIT_HEADLINE, slug=live.slug, author_id=drafts.author.pk),
    )
    assert response.json()["is_valid"], response.json()
    preview = editor.get(reverse("wagtailadmin_pages:preview_on_edit", args=[live.pk]))
    assert DRAFT_EDIT_HEADLINE in preview.content.decode()  # the preview shows the draft...
    _assert_never_cached(preview)  # ...to the editor alone

    revision = live.latest_revision
    for url in (
        reverse("wagtailadmin_pages:revisions_view", args=[live.pk, revision.pk]),
        reverse("wagtailadmin_pages:view_draft", args=[live.pk]),
        reverse("wagtailadmin_pages:edit", args=[live.pk]),
        "/admin/",
    ):
        response = editor.get(url)
        assert response.status_code == 200, url
        _assert_never_cached(response)


def _nginx_location(conf: str, opening: str) -> str:
    start = conf.index(opening)
    return conf[start : conf.index("}", start)]


def test_nginx_passes_the_admin_by_its_cache_and_honours_private():
    conf = (REPOSITORY / "deploy" / "nginx.conf").read_text()
    for prefix in ("/admin/", "/django-admin/"):
        admin = _nginx_location(conf, f"location {prefix} {{")
        assert "proxy_pass" in admin, prefix
        assert "proxy_cache" not in admin, prefix
    # nginx stores no response marked private or no-store unless told to ignore the header.
    ignored = re.findall(r"proxy_ignore_headers([^;]*);", conf)
    assert all("Cache-Control" not in headers for headers in ignored), ignored


def test_an_unpublished_story_leaves_popular_now_at_once(
    client, home, settings, django_capture_on_commit_callbacks
):
    """Popular Now is kept in the cache for a minute: unpublishing a story (a legal pull, an
    embargo broken by mistake) must not leave its headline on every article page meanwhile."""
    section = SectionFactory(parent=home)
    pulled = ArticleFactory(parent=section, title="Embargoed figures leak early")
    reader_page = ArticleFactory(parent=section, title="Harbour reopens")
    hour = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    HourlyViews.objects.create(article_id=pulled.pk, hour=hour, views=500)
    assert "Embargoed figures" in client.get(reader_page.url).content.decode()

    # Tasks queued, not run: the related-articles recompute (tests/related) would load
    # scikit-learn for nothing here. The cached lists are forgotten after the commit.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        pulled.unpublish()
    assert "Embargoed figures" not in client.get(reader_page.url).content.decode()
