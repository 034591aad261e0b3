"""The Korean edition's newsletter pages on an English site show no English string of the
message catalogue (the check of test_untranslated_strings.py). In a module of its own: the
rows that module keeps for all its tests (the reference article's newsroom) are not this
test's, whose edition has a World section of its own."""

import re

import pytest

from tests.i18n.test_untranslated_strings import _as_page, english_strings

pytestmark = pytest.mark.django_db


def test_the_korean_editions_newsletter_pages_on_an_english_site(editions, client, mailoutbox):
    """The Korean edition's subscribe page and its answers, beside an English site."""
    from django.test import TestCase

    from gazette.newsletters.models import Newsletter

    Newsletter.objects.create(
        name="아침 브리핑", slug="achim", description="아침 7시의 뉴스.", locale=editions["korean"]
    )
    same_site = {"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "same-origin"}
    pages = {
        "newsletters": client.get("/ko/newsletters/"),
        "newsletter": client.get("/ko/newsletters/achim/"),
        "article with the form": client.get("/ko/world/floods/"),
    }
    answers = {
        "subscribed": {"email": "new@example.org", "newsletters": ["achim"]},
        "refused: bad address": {"email": "not an address", "newsletters": ["achim"]},
        "refused: no list": {"email": "new2@example.org"},
    }
    for name, data in answers.items():
        with TestCase.captureOnCommitCallbacks(execute=True):
            pages[name] = client.post("/ko/newsletters/subscribe/", data, **same_site)
    [confirmation] = mailoutbox
    link = re.search(r"http://localhost(/ko/newsletters/confirm/\S+/)", confirmation.body)
    pages["confirm"] = client.get(link.group(1))
    for name, response in pages.items():
        assert response.status_code in (200, 400), name
    htmls = {name: response.content.decode() for name, response in pages.items()}
    htmls["confirmation e-mail"] = _as_page(confirmation.subject + "\n" + confirmation.body)
    content = ("Gazette", "아침 브리핑", "아침 7시의 뉴스.")
    found = {name: english_strings(html, content=content) for name, html in htmls.items()}
    assert {name: strings for name, strings in found.items() if strings} == {}
    for name in pages:
        assert '<html lang="ko" dir="ltr">' in htmls[name], name
