"""The article's own part (lead image and body) is HTML kept per live revision: pages read
exactly as a render with every cache off, and every change to what it shows shows at once."""

import re

import pytest
from django.core.cache import cache
from django.template import Context, Template
from django.test import override_settings
from django.test.client import RequestFactory
from django.utils import timezone
from wagtail.models import Site

from gazette.core import shared_parts
from gazette.core.models import SiteIdentity
from gazette.news import own_part
from gazette.news.models import ArticlePage
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ImageFactory,
    SectionFactory,
    make_curated_list,
)

pytestmark = pytest.mark.django_db

NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@pytest.fixture
def pictured(home):
    """A story with a lead image, pictures, a quote and a link to another story in its body."""
    section = SectionFactory(parent=home, title="Science", slug="science")
    other = ArticleFactory(parent=section, title="The earlier report", lead_image=ImageFactory())
    body = [
        ("paragraph", f'<p>As <a linktype="page" id="{other.pk}">reported</a> before.</p>'),
        ("image", {"image": ImageFactory(), "caption": "On the shore"}),
        ("quote", {"text": "It moved\nagain.", "attribution": "A ranger"}),
        ("image", {"image": ImageFactory()}),
    ]
    article = ArticleFactory(
        parent=section,
        title="The glacier moved",
        lead_image=ImageFactory(),
        body=body,
        first_published_at=timezone.now(),
    )
    make_curated_list("must-reads", [other])
    from gazette.news.renditions import generate_renditions

    for page in (article, other):
        generate_renditions(page)
    return article


def _html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    # The comment form's time stamp and signature are per render (an anti-spam check), the
    # same with or without caches.
    html = response.content.decode()
    return re.sub(r'(name="stamp" value=")[^"]*"', r'\1"', html)


def _cold_warm_and_uncached(client, url: str) -> tuple[str, str, str]:
    cache.clear()
    cold = _html(client, url)
    warm = _html(client, url)
    with override_settings(CACHES=NO_CACHE):
        uncached = _html(client, url)
    return cold, warm, uncached


def test_pages_read_as_a_render_with_every_cache_off(client, seeded, pictured, home):
    urls = [page.url for page in ArticlePage.objects.live()]
    urls += [home.url, pictured.get_parent().url]
    assert len(urls) >= 4
    for url in urls:
        cold, warm, uncached = _cold_warm_and_uncached(client, url)
        assert cold == uncached, url
        assert warm == uncached, url
    cold, _, _ = _cold_warm_and_uncached(client, pictured.url)
    assert cold.count('class="figure article__inline-image"') == 2
    assert 'class="figure article__lead-image"' in cold
    assert "On the shore" in cold and 'href="/science/' in cold


def test_a_warm_render_reads_the_own_part_from_the_cache(client, pictured, monkeypatch):
    client.get(pictured.url)
    rendered = []
    monkeypatch.setattr(own_part, "render", lambda *args: rendered.append(args) or "")
    html = _html(client, pictured.url)
    assert not rendered
    assert html.count('class="figure article__inline-image"') == 2


def test_a_new_revision_shows_at_once(client, pictured):
    client.get(pictured.url)
    pictured.body = [("paragraph", "<p>The glacier stopped.</p>")]
    pictured.save_revision().publish()
    html = _html(client, pictured.url)
    assert "The glacier stopped." in html
    assert "article__inline-image" not in html


def test_a_draft_never_shows_but_its_preview_does(client, pictured):
    client.get(pictured.url)
    pictured.body = [("paragraph", "<p>Draft paragraph.</p>")]
    pictured.save_revision()
    assert "Draft paragraph." not in _html(client, pictured.url)
    draft = pictured.get_latest_revision_as_object()
    request = RequestFactory().get(pictured.url)
    request.is_preview = True
    assert "Draft paragraph." in own_part.own_part(request, draft)


def test_an_image_credit_changed_shows_at_once(client, pictured):
    client.get(pictured.url)
    image = pictured.lead_image
    image.credit = "Corrected Agency"
    image.save()
    assert "Corrected Agency" in _html(client, pictured.url)


def test_a_linked_story_moved_or_renamed_shows_at_once(client, pictured, home):
    client.get(pictured.url)
    other = ArticlePage.objects.get(title="The earlier report")
    other.slug = "the-earlier-report-renamed"
    other.save_revision().publish()
    assert "/the-earlier-report-renamed/" in _html(client, pictured.url)


# The article's description, head, header and author boxes, and every page's footer, are
# kept as HTML too (``{% shared_fragment %}``): what they show changes at once.

KEPT_TEMPLATES = {
    "distribution/article_head.html",
    "analytics/includes/view_script.html",
    "comments/article_script.html",
    # The slots around the body, kept per live revision.
    "corrections/notes_top.html",
    "corrections/notes_bottom.html",
    "topics/article_topics.html",
    "newsletters/article_slot.html",
}


def test_a_warm_render_renders_no_kept_fragment(client, pictured):
    client.get(pictured.url)
    response = client.get(pictured.url)
    rendered = {template.name for template in response.templates}
    assert not rendered & KEPT_TEMPLATES
    html = response.content.decode()
    assert '<link rel="canonical"' in html and 'class="byline__time"' in html
    assert 'id="site-footer"' in html and 'class="byline__views"' in html
    assert html.count('<script src="/static/js/') >= 3


def test_an_author_renamed_shows_at_once_in_the_byline_and_the_author_box(client, home):
    section = SectionFactory(parent=home, title="Politics", slug="politics")
    author = AuthorFactory(name="Ann Writer", bio="Covers the council.")
    article = ArticleFactory(parent=section, title="Council votes", authors=[author])
    assert _html(client, article.url).count("Ann Writer") >= 3  # byline, box, its label
    author.name = "Ann Renamed"
    author.save()
    html = _html(client, article.url)
    assert "Ann Writer" not in html
    assert 'rel="author" dir="auto">Ann Renamed</a>' in html
    assert 'aria-label="About Ann Renamed"' in html


def test_the_site_name_and_footer_text_saved_show_at_once(client, pictured):
    client.get(pictured.url)
    site = Site.objects.get(is_default_site=True)
    SiteIdentity.objects.create(site=site, name="The Herald", footer_text="Printed by hand.")
    html = _html(client, pictured.url)
    assert '<meta property="og:site_name" content="The Herald">' in html
    assert "<p>Printed by hand.</p>" in html


def test_a_section_renamed_shows_at_once_in_the_footer_of_every_page(client, pictured, home):
    section = pictured.get_parent().specific
    for url in (pictured.url, home.url):
        client.get(url)
    section.title = "Earth Sciences"
    section.save_revision().publish()
    for url in (pictured.url, home.url):
        footer = _html(client, url).split('id="site-footer"', 1)[1]
        assert ">Earth Sciences</a>" in footer, url


def test_a_preview_renders_its_fragments_afresh_and_keeps_none(client, pictured):
    client.get(pictured.url)
    request = RequestFactory().get(pictured.url)
    request.is_preview = True
    assert shared_parts.fragment_name(request, "article-header", pictured.pk, 0) is None
    draft = pictured.get_latest_revision_as_object()
    draft.title = "A draft headline"
    response = draft.make_preview_request(original_request=request)
    assert "A draft headline" in response.content.decode()
    assert "A draft headline" not in _html(client, pictured.url)


def test_a_fragment_keeps_its_variables_to_itself_cached_or_not(rf, home):
    template = Template(
        '{% load shared_fragments %}{% shared_fragment "test-scope" 1 %}'
        '{% firstof "inside" as word %}{{ word }}{% endshared_fragment %}[{{ word }}]'
    )
    request = rf.get("/")
    assert template.render(Context({"request": request})) == "inside[]"
    assert template.render(Context({"request": rf.get("/")})) == "inside[]"  # cached


def _marked(html: str) -> list[tuple[str, str]]:
    """The header menu's links marked as the current place: (label, aria-current)."""
    menu = html.split('id="site-navigation"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="[^"]+" aria-current="(\w+)">([^<]+)</a>', menu)


def test_the_header_kept_per_place_marks_each_page_s_own(client, pictured, home):
    science = pictured.get_parent().specific
    world = SectionFactory(parent=home, title="World", slug="world")
    abroad = ArticleFactory(parent=world, title="Abroad")
    expected = {
        pictured.url: [("true", "Science")],
        abroad.url: [("true", "World")],
        science.url: [("page", "Science")],
        world.url: [("page", "World")],
        home.url: [],
    }
    cache.clear()
    for _round in ("cold", "warm"):  # each read after the others kept theirs
        for url, marked in expected.items():
            assert _marked(_html(client, url)) == marked, url
    # The kept headers go with the shared parts: a section renamed shows in every one.
    world.title = "Abroad desk"
    world.save_revision().publish()
    for url in (pictured.url, abroad.url, home.url):
        assert ">Abroad desk</a>" in _html(client, url).split('id="site-navigation"')[1], url
    assert _marked(_html(client, abroad.url)) == [("true", "Abroad desk")]


def test_a_page_of_another_kind_called_page_gets_its_header_afresh(rf):
    from gazette.core.shared_parts import menu_mark

    class Something:
        pk = 3

    assert menu_mark(Something()) is None  # not kept: rendered as ever
    assert menu_mark(None) == menu_mark("") == "-"


# The "before-body" and "after-body" slots (notes, topics, the newsletters' form) are kept
# with the article's revision: each change to what they show retires them.


def _aside(html: str, position: str) -> str:
    """The notes' aside at ``position`` ("top" or "bottom"), or "" when there is none."""
    parts = html.split(f'class="article-notes article-notes--{position}"', 1)
    return parts[1].split("</aside>", 1)[0] if len(parts) == 2 else ""


def test_a_note_published_shows_at_once_where_the_settings_place_it(client, pictured):
    from gazette.corrections.models import CorrectionSettings
    from tests.factories import add_note

    assert _aside(_html(client, pictured.url), "top") == ""
    add_note(pictured, "An earlier version gave the wrong valley.")
    add_note(pictured, "The glacier moved again overnight.", kind="update")
    html = _html(client, pictured.url)
    assert "the wrong valley" in _aside(html, "top")
    assert "moved again overnight" in _aside(html, "top")
    site = Site.objects.get(is_default_site=True)
    CorrectionSettings.objects.create(site=site, updates_position="bottom")
    html = _html(client, pictured.url)
    assert "moved again overnight" not in _aside(html, "top")
    assert "moved again overnight" in _aside(html, "bottom")


def test_topics_retagged_or_renamed_show_at_once(client, pictured):
    from taggit.models import Tag

    from tests.factories import retag

    assert 'rel="tag"' not in _html(client, pictured.url)
    retag(pictured, ["Ice sheets"])
    assert 'rel="tag">Ice sheets</a>' in _html(client, pictured.url)
    tag = Tag.objects.get(name="Ice sheets")
    tag.name = "Glaciology"
    tag.save()
    html = _html(client, pictured.url)
    assert 'rel="tag">Glaciology</a>' in html and "Ice sheets" not in html


def test_a_newsletter_offered_or_withdrawn_shows_at_once_under_the_story(client, pictured):
    from gazette.newsletters.models import Newsletter

    assert 'class="newsletter-signup"' not in _html(client, pictured.url)
    morning = Newsletter.objects.create(
        name="Morning Brief", slug="morning-brief", description="The day's news at seven."
    )
    html = _html(client, pictured.url)
    assert 'class="newsletter-signup"' in html and ">Morning Brief</label>" in html
    morning.is_offered = False
    morning.save()
    assert 'class="newsletter-signup"' not in _html(client, pictured.url)


def test_home_and_every_section_page_read_as_a_render_with_every_cache_off(client, pictured, home):
    """The home page and the sections are kept by their address (news.routing.serve_page)
    with their listings as HTML: each section's first and second page, cold and warm, read as
    a render with every cache off."""
    from gazette.news.models import SECTION_PAGE_SIZE, SectionPage

    busy = SectionFactory(parent=home, title="Busy desk", slug="busy")
    for number in range(SECTION_PAGE_SIZE + 2):
        ArticleFactory(parent=busy, title=f"Busy story {number}", slug=f"busy-{number}")
    sections = [section.url for section in SectionPage.objects.live()]
    urls = [home.url, *sections, *(f"{url}?page=2" for url in sections)]
    for url in urls:
        cold, warm, uncached = _cold_warm_and_uncached(client, url)
        assert cold == uncached, url
        assert warm == uncached, url
    second_page = _html(client, "/busy/?page=2")
    assert "Busy story 0" in second_page and "Busy story 21" not in second_page


def test_an_editions_home_and_section_read_as_a_render_with_every_cache_off(editions, client):
    for url in ("/ko/", "/ko/world/", "/", "/world/"):
        cold, warm, uncached = _cold_warm_and_uncached(client, url)
        assert cold == uncached, url
        assert warm == uncached, url
    assert "북부 홍수" in _html(client, "/ko/world/")


def test_the_kept_article_has_no_renditions_and_a_render_of_its_parts_reads_them(
    client, pictured, rf
):
    """The article is kept by its address without its images' renditions (only its own part
    and head show them, kept as HTML): a render that has the article kept but must build those
    parts again (evicted) reads them, and the page reads as before."""
    from gazette.news import routing

    cache.clear()
    cold = _html(client, pictured.url)
    request = rf.get(pictured.url)
    kept_name = routing._article_part_name(request, pictured.url.lstrip("/"))
    _generation, kept = cache.get(shared_parts.SHARED_PARTS.key(kept_name))
    assert kept.pk == pictured.pk
    assert kept.lead_image_id == pictured.lead_image_id
    assert "renditions" not in getattr(kept.lead_image, "_prefetched_objects_cache", {})

    # The parts that show the lead image gone, the article still kept.
    gone = own_part.part_names(request, kept)
    assert any(name.startswith("fragment:article-page-head") for name in gone)
    cache.delete_many([shared_parts.SHARED_PARTS.key(name) for name in gone])
    rebuilt = _html(client, pictured.url)
    assert rebuilt == cold
    assert "article__lead-image" in cold
