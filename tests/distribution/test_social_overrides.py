"""Issue 23: per-article overrides of the title, description and picture shown when a story
is shared (OpenGraph and Twitter cards), each falling back to the default; and the editor's
preview of the search result and the social card."""

import extruct
import pytest
from django.urls import reverse

from tests.distribution.conftest import add_story
from tests.factories import ImageFactory

pytestmark = pytest.mark.django_db


def _cards(client, story):
    html = client.get(story.url).content.decode()
    data = extruct.extract(html, base_url="http://localhost/", syntaxes=["opengraph", "json-ld"])
    return html, dict(data["opengraph"][0]["properties"]), data["json-ld"]


def test_the_cards_read_the_overrides(newsroom, client):
    lead, shared = ImageFactory(title="Lead"), ImageFactory(title="For sharing")
    story = add_story(
        newsroom.world,
        minutes_ago=3,
        title="Council approves budget after a long night",
        standfirst="The vote came at 2 a.m.",
        lead_image=lead,
        social_title="What the new budget means for you",
        social_description="Five changes, from bus fares to school meals.",
        social_image=shared,
    )
    html, og, json_ld = _cards(client, story)
    assert og["og:title"] == "What the new budget means for you"
    assert og["og:description"] == "Five changes, from bus fares to school meals."
    assert shared.file.name.rsplit("/", 1)[-1].split(".")[0] in og["og:image"]
    assert '<meta name="twitter:title" content="What the new budget means for you">' in html
    assert f'<meta name="twitter:image" content="{og["og:image"]}">' in html
    # The page itself and search engines' structured data keep the headline.
    assert "<title>Council approves budget after a long night" in html
    assert any(
        item.get("headline") == "Council approves budget after a long night"
        for block in json_ld
        for item in block.get("@graph", [block])
    )


def test_without_overrides_the_cards_show_the_defaults(newsroom, client):
    lead = ImageFactory(title="Lead only")
    story = add_story(
        newsroom.world,
        minutes_ago=4,
        title="Ferry service returns",
        standfirst="Boats run again.",
        lead_image=lead,
    )
    _, og, _ = _cards(client, story)
    assert og["og:title"] == "Ferry service returns"
    assert og["og:description"] == "Boats run again."
    assert og["og:image"].startswith("http://localhost/media/")


def test_the_editor_previews_the_search_result_and_the_card(newsroom, editor_client):
    story = add_story(
        newsroom.world,
        minutes_ago=5,
        title="Bridge closes for repairs",
        standfirst="Traffic diverted until May.",
        social_title="Your commute, changed",
    )
    url = reverse("wagtailadmin_pages:edit", args=[story.pk])
    html = editor_client.get(url).content.decode()
    preview = html.split("Preview: search result and social card", 1)[1]
    search = preview.split("In search results", 1)[1].split("As a social card", 1)[0]
    card = preview.split("As a social card", 1)[1]
    assert "Bridge closes for repairs" in search and "Traffic diverted until May." in search
    assert story.url in search
    assert "Your commute, changed" in card and "Traffic diverted until May." in card
    assert "No picture" in card
