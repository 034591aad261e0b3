"""A reader sees "You May Also Like" beside (or after) the story, computed on publishing."""

import pytest

from gazette.news.models import ArticlePage
from tests.factories import ArticleFactory, SectionFactory
from tests.related.corpus import SECTIONS, STORIES

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def newsroom(home):
    """Fifteen stories of the made corpus, published one by one: each publication runs the
    recompute task once its transaction commits, as it would with a worker."""
    sections = [SectionFactory(parent=home, title=name, slug=name.lower()) for name in SECTIONS]
    picked = [story for story in STORIES if story[0] != "football"][:15]
    for number, (_topic, headline, body, _tags) in enumerate(picked):
        ArticleFactory(
            parent=sections[number % 3],
            title=headline,
            standfirst="",
            body=[("paragraph", f"<p>{body}</p>")],
        )
    return ArticlePage.objects.get(title=picked[0][1])


@pytest.mark.parametrize("width", [390, 1280])
def test_reader_sees_you_may_also_like(open_page, newsroom, artifacts, width):
    page, watch = open_page(newsroom.url, width=width, javascript=False)

    block = page.locator("section[aria-labelledby=you-may-also-like-heading]")
    assert block.locator("h2").inner_text().lower() == "you may also like"
    assert block.locator(".ranked-list__rank").all_inner_texts() == ["1", "2", "3", "4", "5"]
    headlines = block.locator("a.teaser__headline").all_inner_texts()
    fires = {story[1] for story in STORIES if story[0] == "fires"}
    assert newsroom.title in fires and len(set(headlines) & fires) >= 4
    assert block.locator(".section-label").count() == 5
    block.locator("a.teaser__headline").first.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"related-{width}.png"), full_page=True)

    block.locator("a.teaser__headline").first.click()
    assert page.locator("h1").inner_text() == headlines[0]
    assert not watch.console_errors and not watch.foreign_requests and not watch.failed
