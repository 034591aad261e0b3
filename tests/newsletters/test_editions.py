"""Newsletters per language edition: a reader who signs up on /ko/ gets the Korean edition's
list, its confirmation e-mail and its issues in Korean, made of Korean stories; the English
edition's stay English."""

import re

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from gazette.newsletters import breaking, digest, rendering
from gazette.newsletters.models import BreakingNews, Issue, Newsletter, Subscriber
from tests.conftest import translate
from tests.factories import ArticleFactory
from tests.newsletters.conftest import SAME_ORIGIN

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists(editions):
    english = Newsletter.objects.create(
        name="Morning Brief", slug="morning-brief", description="The day's news at seven."
    )
    korean = Newsletter.objects.create(
        name="아침 브리핑",
        slug="achim",
        description="아침 7시의 뉴스.",
        locale=editions["korean"],
    )
    return {"en": english, "ko": korean, **editions}


def _subscribe(client, path, **data):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(path, data, **SAME_ORIGIN)


def test_each_edition_offers_its_own_lists(lists, client):
    assert reverse("newsletters:index") == "/newsletters/"
    korean = client.get("/ko/newsletters/").content.decode()
    assert '<html lang="ko"' in korean
    assert "아침 브리핑" in korean and "Morning Brief" not in korean
    assert 'action="/ko/newsletters/subscribe/"' in korean
    english = client.get("/newsletters/").content.decode()
    assert "Morning Brief" in english and "아침 브리핑" not in english

    # The form under a story (a shared part, kept per language).
    ko_story = client.get("/ko/world/floods/").content.decode()
    assert 'value="achim"' in ko_story and 'value="morning-brief"' not in ko_story
    en_story = client.get("/world/floods/").content.decode()
    assert 'value="morning-brief"' in en_story and 'value="achim"' not in en_story

    assert lists["ko"].get_absolute_url() == "/ko/newsletters/achim/"
    assert lists["en"].get_absolute_url() == "/newsletters/morning-brief/"
    assert client.get("/ko/newsletters/achim/").status_code == 200


def test_a_reader_who_signs_up_on_ko_gets_the_korean_confirmation(lists, client, mailoutbox):
    response = _subscribe(
        client, "/ko/newsletters/subscribe/", email="reader@example.org", newsletters=["achim"]
    )
    assert response.status_code == 200
    assert '<html lang="ko"' in response.content.decode()

    [message] = mailoutbox
    assert message.subject == "구독 확인: 아침 브리핑"
    assert "안녕하세요." in message.body and "Hello" not in message.body
    assert "http://localhost/ko/newsletters/confirm/" in message.body
    link = re.search(r"http://localhost(/ko/newsletters/confirm/\S+/)", message.body).group(1)
    assert '<html lang="ko"' in client.get(link).content.decode()
    confirmed = client.post(link, **SAME_ORIGIN)
    assert confirmed.status_code == 200 and "아침 브리핑" in confirmed.content.decode()

    # The English edition's reader: English, unprefixed.
    _subscribe(
        client, "/newsletters/subscribe/", email="en@example.org", newsletters=["morning-brief"]
    )
    english = mailoutbox[1]
    assert english.subject == "Confirm your subscription: Morning Brief"
    assert "Hello," in english.body and "http://localhost/newsletters/confirm/" in english.body


def test_the_korean_digest_is_made_of_korean_stories_in_korean(lists):
    ko_sport = ArticleFactory(title="결승전 결과", slug="final", parent=lists["ko_world"])
    english_only = lists["english_only"]

    korean = digest.build_digest(lists["ko"])
    english = digest.build_digest(lists["en"])

    def stories(issue):
        return {block.value["article"].pk for block in issue.body if block.block_type == "story"}

    def headings(issue):
        return [block.value for block in issue.body if block.block_type == "heading"]

    # Must-Reads holds the English and the Korean story: each digest takes its own.
    assert stories(korean) == {lists["ko_story"].pk}
    assert headings(korean)[0] == "꼭 읽을 기사"
    assert korean.subject.startswith("아침 브리핑: ") and "년" in korean.subject
    assert lists["story"].pk in stories(english) and lists["ko_story"].pk not in stories(english)
    assert headings(english)[0] == "Must-Reads"
    # Newest per section: the Korean World's stories only.
    Newsletter.sections.through.objects.create(
        newsletter=lists["ko"], sectionpage=lists["ko_world"]
    )
    section_digest = digest.sources(lists["ko"], now=timezone.now())
    found = {story.pk for _, part in section_digest for story in part}
    assert ko_sport.pk in found and english_only.pk not in found


def test_a_korean_issue_reads_in_korean_and_links_to_the_korean_pages(lists):
    reader = Subscriber.objects.create(email="reader@example.org")
    issue = digest.build_digest(lists["ko"])

    message = rendering.render_issue(issue).message(reader)
    html = message.alternatives[0][0]

    assert '<html lang="ko" dir="ltr">' in html
    assert "http://localhost/ko/world/floods/" in html
    assert "이번 호를 웹에서 읽기" in message.body and "Read this issue" not in message.body
    assert "아침 브리핑 구독 해지" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith(
        "<http://localhost/ko/newsletters/unsubscribe/"
    )
    assert f"http://localhost/ko/newsletters/achim/{issue.pk}/" in message.body

    english = rendering.render_issue(digest.build_digest(lists["en"])).message(reader)
    assert '<html lang="en' in english.alternatives[0][0]
    assert "Read this issue on the web" in english.body
    assert english.extra_headers["List-Unsubscribe"].startswith(
        "<http://localhost/newsletters/unsubscribe/"
    )


def test_a_korean_breaking_story_alerts_the_korean_list_only(
    lists, django_capture_on_commit_callbacks
):
    alerts_en = Newsletter.objects.create(
        name="Breaking", slug="breaking", description="Big stories.", is_breaking=True
    )
    alerts_ko = Newsletter.objects.create(
        name="속보 알림",
        slug="sokbo",
        description="큰 기사.",
        is_breaking=True,
        locale=lists["korean"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        issues = breaking.start(BreakingNews.objects.create(article=lists["ko_story"], minutes=30))
    assert [issue.newsletter for issue in issues] == [alerts_ko]
    assert issues[0].subject == "속보: 북부 홍수"
    assert not Issue.objects.filter(newsletter=alerts_en).exists()


def test_an_edition_list_with_no_edition_set_is_the_sites_own(lists):
    ko_only = Newsletter.objects.in_edition(lists["korean"].pk)
    assert list(ko_only) == [lists["ko"]]
    own = Newsletter.objects.in_edition(lists["home"].locale_id)
    assert list(own) == [lists["en"]]


def test_a_korean_translation_of_a_story_does_not_reach_the_english_digest(lists):
    story = ArticleFactory(title="Harbour reopens", slug="harbour", parent=lists["world"])
    ko = translate(story, lists["korean"], title="항구 재개")
    from tests.factories import make_curated_list

    make_curated_list("must-reads", [story, ko])
    english = digest.build_digest(lists["en"])
    titles = [b.value["article"].title for b in english.body if b.block_type == "story"]
    assert "Harbour reopens" in titles and "항구 재개" not in titles


def _banner(html: str) -> str | None:
    found = re.search(r'<div class="breaking-banner"[^>]*>(.*?)</div>', html, re.S)
    return found and re.sub(r"<[^>]+>", "", found.group(1))


def test_a_breaking_banner_shows_on_its_own_editions_pages_and_purges_each_editions_lists(
    lists, client, purged, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        breaking.start(BreakingNews.objects.create(article=lists["ko_story"], minutes=30))
    # Every edition's newsletter pages are purged: the Korean one's index too.
    assert {"http://localhost/newsletters/", "http://localhost/ko/newsletters/"} <= set(purged)
    assert "북부 홍수" in _banner(client.get(lists["ko_story"].url).content.decode())
    # The English edition's pages carry no Korean banner; an English story's banner is its own.
    assert _banner(client.get(lists["story"].url).content.decode()) is None
    with django_capture_on_commit_callbacks(execute=True):
        breaking.start(BreakingNews.objects.create(article=lists["story"], minutes=30))
    assert "Floods in the north" in _banner(client.get(lists["story"].url).content.decode())
    assert "북부 홍수" in _banner(client.get(lists["ko_story"].url).content.decode())


def test_the_preferences_page_offers_its_editions_lists_and_keeps_the_readers_own(lists, client):
    from gazette.newsletters import tokens
    from tests.newsletters.conftest import subscribed

    (reader,) = subscribed(lists["en"], "reader@example.org")
    token = tokens.preferences_token(reader.pk)
    english = client.get(f"/newsletters/preferences/{token}/").content.decode()
    assert "Morning Brief" in english and "아침 브리핑" not in english
    # On /ko/: the Korean edition's lists, and the English one the reader is on, to keep or leave.
    korean = client.get(f"/ko/newsletters/preferences/{token}/").content.decode()
    assert "아침 브리핑" in korean and "Morning Brief" in korean
    subscribed(lists["ko"], "reader@example.org")
    english = client.get(f"/newsletters/preferences/{token}/").content.decode()
    assert "아침 브리핑" in english
