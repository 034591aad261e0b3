"""An author becomes public with their first live story: a newcomer whose stories are still
drafts, or whose only story was pulled, has no page and no entry in the API."""

import pytest

from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


def _api_slugs(client) -> list[str]:
    response = client.get("/api/v1/authors")
    assert response.status_code == 200
    return [item["slug"] for item in response.json()["items"]]


def test_an_author_is_public_only_while_a_story_of_theirs_is_live(client, home):
    section = SectionFactory(parent=home, title="World", slug="world")
    veteran = AuthorFactory(name="Daniel Kim", slug="daniel-kim")
    newcomer = AuthorFactory(name="New Hire", slug="new-hire")
    ArticleFactory(parent=section, authors=[veteran])
    story = ArticleFactory(parent=section, authors=[newcomer])
    story.unpublish()

    assert client.get("/authors/new-hire/").status_code == 404
    assert client.get("/api/v1/authors/new-hire").status_code == 404
    assert _api_slugs(client) == ["daniel-kim"]
    assert client.get("/authors/daniel-kim/").status_code == 200

    story.save_revision().publish()

    assert client.get("/authors/new-hire/").status_code == 200
    assert client.get("/api/v1/authors/new-hire").status_code == 200
    assert _api_slugs(client) == ["daniel-kim", "new-hire"]
