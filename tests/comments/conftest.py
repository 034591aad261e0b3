import time

import pytest
from django.urls import reverse
from wagtail.models import Site

from gazette.comments import rules
from gazette.comments.models import CommentSettings
from tests.factories import ArticleFactory, SectionFactory

ORIGIN = "http://testserver"


@pytest.fixture
def article(home):
    return ArticleFactory(parent=SectionFactory(parent=home), title="Ferry Service Returns")


@pytest.fixture
def site_settings(home):
    """The site's comment settings, saved, for tests to change."""
    settings, _ = CommentSettings.objects.get_or_create(site=Site.objects.get(is_default_site=True))
    return settings


def form_data(article, **overrides) -> dict:
    """What the article page's form sends, a minute after the page was served."""
    data = {
        "name": "Ada",
        "email": "",
        "text": "A thoughtful remark.",
        "website": "",
        "stamp": rules.make_stamp(article.pk, now=time.time() - 60),
    }
    data.update(overrides)
    return data


def post(client, article, *, json=False, headers=None, **overrides):
    """Post a comment as a reader's browser on this site would."""
    extra = {"HTTP_ORIGIN": ORIGIN, "HTTP_SEC_FETCH_SITE": "same-origin"}
    if json:
        extra["HTTP_ACCEPT"] = "application/json"
    extra.update(headers or {})
    url = reverse("comments:post", args=[article.pk])
    return client.post(url, form_data(article, **overrides), **extra)
