"""The article's own part (lead image and body) is HTML kept per live revision: pages read
exactly as a render with every cache off, and every change to what it shows shows at once."""

import re

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.test.client import RequestFactory
from django.utils import timezone

from gazette.news import own_part
from gazette.news.models import ArticlePage
from tests.factories import ArticleFactory, ImageFactory, SectionFactory, make_curated_list

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
