"""The listings of a second-language edition: You May Also Like, author, topic and
corrections pages and the API give the edition's own stories (the `editions` fixture: a
Korean edition beside the English site), in as many queries as the site's own edition."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gazette.corrections.models import ArticleNote
from gazette.news.models import ArticleAuthor
from gazette.news.purge import article_urls
from gazette.related.models import EditorsPick, SimilarArticle
from gazette.related.queries import picks_not_shown, related_reading
from tests.conftest import read_afresh, translate
from tests.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editions(editions_once, db):
    """The two editions, made once for the module: every test reads them (through `bylined`
    too, which bylines its stories afresh for each test)."""
    return read_afresh(editions_once)


@pytest.fixture
def bylined(editions):
    """Both editions' stories by one author, on one topic, each with a correction."""
    kim = AuthorFactory(name="Kim Min-ji", slug="kim")
    stories = [
        (editions["story"], ["Floods"], "An earlier version gave the wrong river."),
        (editions["ko_story"], ["Floods"], "이전 기사에서 강 이름이 틀렸다."),
        (editions["english_only"], ["Rivers"], None),
    ]
    # One revision each, as an editor's one edit: byline, topics and note.
    for story, topics, note in stories:
        page = story.get_latest_revision_as_object()
        page.article_authors = [ArticleAuthor(author=kim)]
        page.tags.set(topics)
        if note:
            page.correction_notes.add(ArticleNote(kind="correction", text=note))
        page.save_revision().publish()
    return kim


def _html(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, path
    return response.content.decode()


def test_you_may_also_like_of_a_korean_story_lists_korean_stories_only(editions):
    korean, english = editions["ko_story"], editions["story"]
    ko_other = translate(
        ArticleFactory(parent=editions["world"], title="Dams", slug="dams"),
        editions["korean"],
        title="댐 방류",
    )
    now = timezone.now()
    # Its computed neighbour is its English original (the same words); an editor picked an
    # English story too.
    SimilarArticle.objects.create(
        article=korean, similar=english, rank=1, score=0.99, computed_at=now
    )
    SimilarArticle.objects.create(
        article=korean, similar=ko_other, rank=2, score=0.5, computed_at=now
    )
    EditorsPick.objects.create(article=korean, pick=editions["english_only"], sort_order=0)

    shown = list(related_reading(korean))
    assert [story.pk for story in shown] == [ko_other.pk]
    assert all(story.locale_id == editions["korean"].pk for story in shown)
    reasons = dict((pick.pk, reason) for pick, reason in picks_not_shown(korean))
    assert "another language edition" in reasons[editions["english_only"].pk]

    # The English story's list keeps its English stories, not the Korean ones.
    english_list = [story.pk for story in related_reading(english)]
    assert editions["english_only"].pk in english_list
    assert korean.pk not in english_list and ko_other.pk not in english_list


def test_the_author_page_of_each_edition_lists_its_stories(bylined, editions, client):
    korean = _html(client, "/ko/authors/kim/")
    assert '<html lang="ko"' in korean and "북부 홍수" in korean
    assert "Floods in the north" not in korean and "Only in English" not in korean
    english = _html(client, "/authors/kim/")
    assert "Floods in the north" in english and "Only in English" in english
    assert "북부 홍수" not in english


def test_the_topic_pages_of_each_edition(bylined, editions, client):
    korean = _html(client, "/ko/topics/floods/")
    assert "북부 홍수" in korean and "Floods in the north" not in korean
    assert "Floods in the north" in _html(client, "/topics/floods/")
    assert "북부 홍수" not in _html(client, "/topics/floods/")
    # A topic only English stories carry is no Korean page, and not in the Korean index.
    _html(client, "/ko/topics/rivers/", status=404)
    assert 'href="/ko/topics/floods/"' in _html(client, "/ko/topics/")
    assert "/topics/rivers/" not in _html(client, "/ko/topics/")
    assert 'href="/topics/rivers/"' in _html(client, "/topics/")
    feed = _html(client, "/ko/feeds/topics/floods/rss.xml")
    assert "북부 홍수" in feed and "Floods in the north" not in feed


def test_the_corrections_page_of_each_edition(bylined, client):
    korean = _html(client, "/ko/corrections/")
    assert "이전 기사에서" in korean and "wrong river" not in korean
    english = _html(client, "/corrections/")
    assert "wrong river" in english and "이전 기사에서" not in english


def test_the_api_names_each_story_s_language_and_filters_by_it(bylined, editions, client):
    everything = client.get("/api/v1/articles").json()["items"]
    languages = {item["headline"]: item["language"] for item in everything}
    assert languages["북부 홍수"] == "ko" and languages["Floods in the north"] == "en"
    korean = client.get("/api/v1/articles?language=ko").json()
    assert [item["url"] for item in korean["items"]] == ["http://localhost/ko/world/floods/"]
    assert {i["headline"] for i in client.get("/api/v1/articles?language=en").json()["items"]} == {
        "Floods in the north",
        "Only in English",
    }
    assert client.get("/api/v1/articles?language=fr").json()["items"] == []
    bad = client.get("/api/v1/articles?language=<script>")
    assert bad.status_code == 422


def test_a_korean_story_s_purge_names_its_edition_s_pages(bylined, editions):
    urls = article_urls(editions["ko_story"])
    assert "http://localhost/ko/" in urls
    assert "http://localhost/ko/world/floods/" in urls
    assert "http://localhost/ko/authors/kim/" in urls
    assert "http://localhost/ko/topics/floods/" in urls
    assert "http://localhost/" not in urls and "http://localhost/authors/kim/" not in urls
    english = article_urls(editions["story"])
    assert "http://localhost/" in english and "http://localhost/authors/kim/" in english


@pytest.mark.parametrize(
    ("english", "korean"),
    [
        ("/authors/kim/", "/ko/authors/kim/"),
        ("/topics/floods/", "/ko/topics/floods/"),
        ("/topics/", "/ko/topics/"),
        ("/corrections/", "/ko/corrections/"),
        # The section is kept by its address under its edition's home page (news.routing):
        # Wagtail's lookup of the home page's Korean translation no longer happens.
        ("/world/", "/ko/world/"),
    ],
)
def test_a_korean_listing_makes_the_english_one_s_queries(bylined, client, english, korean):
    # Two English stories to one Korean: a query per story would show.
    for path in (english, korean):
        client.get(path)  # warm the shared parts both pages read
    with CaptureQueriesContext(connection) as english_queries:
        assert client.get(english).status_code == 200
    with CaptureQueriesContext(connection) as korean_queries:
        assert client.get(korean).status_code == 200
    assert len(korean_queries) == len(english_queries), (english, korean)
