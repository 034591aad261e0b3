"""A reader opens an article imported from a WordPress export: every block of its body, the
pictures with their credits, the embeds as link cards (no request to another site), the old
link that brings them there, and no accessibility problem."""

from io import StringIO

import pytest
from django.core.management import call_command

from gazette.news.models import ArticlePage
from tests.browser.test_accessibility import _violations
from tests.importers.pictures import png_bytes
from tests.importers.test_import_articles import WXR

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def imported(home, tmp_path):
    folder = tmp_path / "uploads" / "2024" / "03"
    folder.mkdir(parents=True)
    (folder / "pier.png").write_bytes(png_bytes(color=(30, 90, 160), size=(1200, 800)))
    (folder / "ferry.png").write_bytes(png_bytes(color=(200, 200, 40), size=(1200, 800)))
    call_command(
        "import_articles", str(WXR), "--media-dir", str(tmp_path / "uploads"), "--no-progress",
        stdout=StringIO(),
    )  # fmt: skip


def test_an_imported_post_reads_as_an_article(open_page, imported, artifacts):
    # The old permalink, as a search engine or an inbound link would follow it.
    page, watch = open_page("/2024/03/04/council-votes-to-rebuild-the-old-pier/")
    pier = ArticlePage.objects.get(source_key="https://herald.example.com/?p=101")
    assert page.url.endswith(pier.url)
    assert page.locator("h1").inner_text() == "Council votes to rebuild the old pier"
    body = page.locator(".article__body")
    assert body.locator("h2").inner_text() == "What happens next"
    assert body.locator("ul li").all_inner_texts() == ["Surveys in April", "Work from June"]
    quote = body.locator("figure.pull-quote")
    assert quote.locator("blockquote").inner_text() == "It is the town's front door."
    assert quote.locator("figcaption").text_content() == "Mayor Ruth Owusu"
    figure = body.locator("figure:has(img)").first
    assert "The pier at low tide" in figure.inner_text()
    assert "Anna Berg/Herald" in figure.text_content()
    assert figure.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    embed = body.locator(".embed-card a")
    assert embed.get_attribute("href") == "https://www.youtube.com/watch?v=pier2024ab"
    assert "Fenced off until spring." in body.inner_text()
    page.screenshot(path=str(artifacts / "imported-wxr-article.png"), full_page=True)
    assert watch.foreign_requests == [] and watch.console_errors == []
    assert _violations(page) == []


def test_a_classic_post_without_javascript(open_page, imported, artifacts):
    ferry = ArticlePage.objects.get(source_key="https://herald.example.com/?p=102")
    page, watch = open_page(ferry.url, javascript=False, width=390)
    body = page.locator(".article__body")
    assert [a.get_attribute("href") for a in body.locator(".embed-card a").all()] == [
        "https://www.youtube.com/watch?v=ferryclip1",
        "https://x.com/heraldferries/status/1765000000000000000",
        "https://vimeo.com/76979871",
    ]
    assert "Tom Reyes/Herald" in body.locator("figure").first.text_content()
    # A long post address wraps inside its card on a phone instead of running out of it.
    overflow = body.locator(".embed-card").evaluate_all(
        "cards => cards.filter(card => card.scrollWidth > card.clientWidth).length"
    )
    assert overflow == 0
    page.screenshot(path=str(artifacts / "imported-wxr-classic-390.png"), full_page=True)
    assert watch.foreign_requests == []
