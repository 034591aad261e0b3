"""A site in one language: no edition, so no language switcher and no alternates (the
editions themselves are tested in test_editions.py, whose rows are made once for its
module)."""

from gazette.news.models import ArticlePage
from tests.factories import ArticleFactory


def test_a_one_language_site_shows_no_switcher(home, client):
    ArticleFactory(slug="alone")
    html = client.get(ArticlePage.objects.get(slug="alone").url).content.decode()
    assert "hreflang" not in html and "language-switcher" not in html
