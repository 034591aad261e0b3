"""The parts every article page shares (menu, Must-Reads, Latest Stories, site settings) are
cached, and every change that alters one of them shows on the next render."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction, Site

from gazette.comments.models import COMMENT_SETTINGS, CommentSettings
from gazette.core import shared_parts
from gazette.core.models import SITE_IDENTITY, SiteIdentity
from tests.factories import ArticleFactory, SectionFactory, make_curated_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(home):
    """A section of four stories, the first one read; the others are its Latest Stories and
    the Must-Reads."""
    world = SectionFactory(parent=home, title="World", slug="world")
    now = timezone.now()
    stories = [
        ArticleFactory(
            parent=world,
            title=f"World story {n}",
            slug=f"world-story-{n}",
            first_published_at=now - timedelta(hours=n),
        )
        for n in range(4)
    ]
    make_curated_list("must-reads", stories[1:])
    return world, stories


def _render(client, article) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(article.url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def _latest(html: str) -> list[str]:
    block = html[html.index('id="latest-stories-heading"') :].split("</section>")[0]
    return re.findall(r'class="teaser__headline" href="[^"]+" dir="auto">([^<]+)</a>', block)


def _must_reads(html: str) -> list[str]:
    block = html[html.index('id="must-reads-heading"') :].split("</section>")[0]
    return re.findall(r'class="teaser__headline" href="[^"]+" dir="auto">([^<]+)</a>', block)


def _menu(html: str) -> list[str]:
    nav = re.search(r'<nav id="site-navigation".*?</nav>', html, re.S).group(0)
    return re.findall(r">([^<>]+)</a>", nav)


def _warm(client, article) -> str:
    client.get(article.url)  # fills the caches
    html, _ = _render(client, article)
    return html


def test_a_warm_render_reads_none_of_the_shared_parts(client, desk):
    _world, stories = desk
    _warm(client, stories[0])
    with CaptureQueriesContext(connection) as queries:
        client.get(stories[0].url)
    tables = " ".join(query["sql"] for query in queries)
    for table in ("comments_commentsettings", "core_siteidentity", "news_curatedlistitem"):
        assert table not in tables
    shared_parts.retire()  # what every change does
    with CaptureQueriesContext(connection) as queries:
        client.get(stories[0].url)
    tables = " ".join(query["sql"] for query in queries)
    for table in ("comments_commentsettings", "core_siteidentity", "news_curatedlistitem"):
        assert table in tables


def test_publishing_a_story_shows_it_in_latest_stories(client, desk):
    world, stories = desk
    assert _latest(_warm(client, stories[0])) == ["World story 1", "World story 2", "World story 3"]
    ArticleFactory(parent=world, title="Breaking story", first_published_at=timezone.now())
    html, _ = _render(client, stories[0])
    assert _latest(html)[0] == "Breaking story"


def test_unpublishing_a_story_drops_it_from_every_rail(client, desk):
    _world, stories = desk
    _warm(client, stories[0])
    stories[2].unpublish()
    html, _ = _render(client, stories[0])
    assert _latest(html) == ["World story 1", "World story 3"]
    assert _must_reads(html) == ["World story 1", "World story 3"]


def test_a_listed_headline_edited_and_published_shows_at_once(client, desk):
    _world, stories = desk
    _warm(client, stories[0])
    stories[1].title = "World story 1, corrected"
    stories[1].save_revision().publish()
    html, _ = _render(client, stories[0])
    assert _latest(html)[0] == "World story 1, corrected"
    assert _must_reads(html)[0] == "World story 1, corrected"


def test_a_draft_edit_of_a_listed_headline_never_shows(client, desk):
    _world, stories = desk
    _warm(client, stories[0])
    stories[1].title = "Unpublished draft headline"
    stories[1].save_revision()  # saved, not published: the page row is saved (a new version)
    html, _ = _render(client, stories[0])
    assert "Unpublished draft headline" not in html
    assert _latest(html)[0] == "World story 1"


def test_a_section_renamed_shows_in_the_menu_and_the_labels(client, desk):
    world, stories = desk
    html = _warm(client, stories[0])
    assert "World" in _menu(html)
    world.title = "Worldwide"
    world.save_revision().publish()
    html, _ = _render(client, stories[0])
    assert "Worldwide" in _menu(html) and "World" not in _menu(html)
    assert '<span class="section-label">Worldwide</span> Latest Stories' in html


def test_a_section_hidden_from_the_menu_leaves_it(client, desk, home):
    _world, stories = desk
    sport = SectionFactory(parent=home, title="Sport", slug="sport")
    assert _menu(_warm(client, stories[0])) == ["World", "Sport"]
    sport.show_in_menus = False
    sport.save_revision().publish()
    html, _ = _render(client, stories[0])
    assert _menu(html) == ["World"]


def test_editing_the_must_reads_shows_at_once(client, desk):
    _world, stories = desk
    _warm(client, stories[0])
    curated = make_curated_list("must-reads", [])
    curated.items.all().delete()
    make_curated_list("must-reads", [stories[3], stories[1]])
    html, _ = _render(client, stories[0])
    assert _must_reads(html) == ["World story 3", "World story 1"]


def test_a_moved_story_leaves_its_old_section(client, desk, home):
    _world, stories = desk
    sport = SectionFactory(parent=home, title="Sport", slug="sport")
    _warm(client, stories[0])
    stories[1].move(sport, pos="last-child")
    html, _ = _render(client, stories[0])
    assert _latest(html) == ["World story 2", "World story 3"]


def test_a_deleted_story_leaves_the_rails(client, desk):
    _world, stories = desk
    _warm(client, stories[0])
    stories[3].delete()
    html, _ = _render(client, stories[0])
    assert _latest(html) == _must_reads(html) == ["World story 1", "World story 2"]


def test_a_story_made_private_leaves_the_rails(client, desk):
    _world, stories = desk
    _warm(client, stories[0])
    PageViewRestriction.objects.create(page=stories[1], restriction_type="login")
    html, _ = _render(client, stories[0])
    assert _latest(html) == _must_reads(html) == ["World story 2", "World story 3"]
    assert client.get(stories[1].url).status_code == 302  # to the login page


def test_comment_settings_saved_show_at_once(client, desk):
    _world, stories = desk
    assert "data-comment-form" in _warm(client, stories[0])
    site_settings = CommentSettings.for_site(Site.objects.get(is_default_site=True))
    site_settings.moderation = "closed"
    site_settings.save()
    html, _ = _render(client, stories[0])
    assert "Comments on this article are closed." in html


def test_site_identity_saved_shows_at_once_and_reading_it_never_writes(client, desk):
    _world, stories = desk
    html = _warm(client, stories[0])
    assert "| Gazette</title>" in html
    assert not SiteIdentity.objects.exists()  # the defaults, never a row created by a reader
    SiteIdentity.objects.create(site=Site.objects.get(is_default_site=True), name="The Herald")
    html, _ = _render(client, stories[0])
    assert "| The Herald</title>" in html


def test_a_change_in_another_process_shows_after_a_commit(
    client, desk, django_capture_on_commit_callbacks
):
    """A render between the change and its commit may cache what the database said before:
    the commit makes a new version again."""
    _world, stories = desk
    _warm(client, stories[0])
    with django_capture_on_commit_callbacks(execute=True):
        stories[1].title = "Committed headline"
        stories[1].save_revision().publish()
        seen_before_commit = cache.get(shared_parts.SHARED_PARTS.generation_key)
    assert cache.get(shared_parts.SHARED_PARTS.generation_key) != seen_before_commit
    html, _ = _render(client, stories[0])
    assert _latest(html)[0] == "Committed headline"


def test_a_kept_site_setting_is_given_back_its_site_without_a_query(rf, desk):
    """Site settings are kept without the site they were built for (unpickling it and its
    root page with each was a tenth of a millisecond a render): read again, each has the
    request's site, the one its part is named for, without asking the database."""
    site = Site.objects.get(is_default_site=True)
    SiteIdentity.objects.create(site=site, name="The Kept Gazette")
    cache.clear()
    assert SiteIdentity.for_request(rf.get("/")).site == site  # built, then kept
    assert CommentSettings.for_page(rf.get("/")).site == site  # the defaults, not a row
    for part in (SITE_IDENTITY, COMMENT_SETTINGS):
        _generation, kept = cache.get(shared_parts.SHARED_PARTS.key(part.name_for(site)))
        assert kept.site_id == site.pk
        assert "site" not in kept._state.fields_cache

    request = rf.get("/")
    request_site = Site.find_for_request(request)  # as a page has it before its settings
    with CaptureQueriesContext(connection) as queries:
        identity = SiteIdentity.for_request(request)
        comment_settings = CommentSettings.for_page(request)
        assert identity.site is request_site
        assert comment_settings.site is request_site
    assert identity.name == "The Kept Gazette"
    assert len(queries) == 0


def test_a_warm_article_reads_no_setting_only_its_kept_slots_show(client, desk, monkeypatch):
    """Correction and topic settings and the newsletters offered are shown by the article's
    before-body and after-body slots alone, kept as HTML: a warm render reads none of them
    (nor the menu, which the kept header and footer show)."""
    from django.core.cache import caches

    from gazette.core import generational
    from gazette.corrections.models import CORRECTION_SETTINGS
    from gazette.news.navigation import MENU
    from gazette.newsletters.queries import OFFERED
    from gazette.topics.models import TOPIC_SETTINGS

    _world, stories = desk
    site = Site.objects.get(is_default_site=True)
    _warm(client, stories[0])
    backend = caches["default"]
    # On Redis the round trip that carries the view counter's reads is one pipeline, past the
    # backend's get_many: read through get_many here, to see every key the render asks for.
    monkeypatch.setattr(generational, "_cache_redis", lambda: None)
    read = []
    get_many, get = backend.get_many, backend.get
    monkeypatch.setattr(
        backend, "get_many", lambda keys, **kw: get_many(read.extend(keys) or keys, **kw)
    )
    monkeypatch.setattr(
        backend, "get", lambda key, *a, **kw: get(read.append(key) or key, *a, **kw)
    )
    _render(client, stories[0])
    monkeypatch.undo()
    # The site's other parts are read, under names made as these are made.
    assert [key for key in read if key.endswith(":" + SITE_IDENTITY.name_for(site))]
    for part in (CORRECTION_SETTINGS, TOPIC_SETTINGS, OFFERED, MENU):
        name = part.name_for(site)
        assert not [key for key in read if key.endswith(":" + name)], name
