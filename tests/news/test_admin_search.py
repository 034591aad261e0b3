"""Editors find a story in the admin's page search by what it says: a word of its body or of
its standfirst, not only of its headline."""

import pytest

from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stories(home):
    section = SectionFactory(parent=home, title="World", slug="world")
    return {
        "body": ArticleFactory(
            parent=section,
            title="Shelling near the border",
            standfirst="Villages emptied overnight.",
            body=[("paragraph", "<p>Residents of Bryansk left before dawn.</p>")],
        ),
        "standfirst": ArticleFactory(
            parent=section,
            title="Harvest figures",
            standfirst="Wheat from Vinnytsia exceeded forecasts.",
            body=[("paragraph", "<p>The ministry published its estimate.</p>")],
        ),
        "neither": ArticleFactory(parent=section, title="Unrelated story"),
    }


def _titles_found(editor_client, query: str) -> set[str]:
    response = editor_client.get("/admin/pages/search/", {"q": query})
    assert response.status_code == 200
    return {page.title for page in response.context["pages"]}


def test_a_word_of_the_body_finds_the_story(editor_client, stories):
    assert _titles_found(editor_client, "Bryansk") == {"Shelling near the border"}


def test_a_word_of_the_standfirst_finds_the_story(editor_client, stories):
    assert _titles_found(editor_client, "Vinnytsia") == {"Harvest figures"}


def test_the_headline_still_finds_it_and_a_word_of_no_story_finds_nothing(editor_client, stories):
    assert _titles_found(editor_client, "Harvest") == {"Harvest figures"}
    assert _titles_found(editor_client, "Zhytomyr") == set()


def test_an_edit_of_the_body_is_found_once_published(editor_client, stories):
    story = stories["neither"]
    story.body = [("paragraph", "<p>Kherson's ferry resumed.</p>")]
    story.save_revision().publish()
    assert _titles_found(editor_client, "Kherson") == {"Unrelated story"}
