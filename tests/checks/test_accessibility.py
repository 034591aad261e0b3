"""Wagtail's content checker carries the newsroom's checks: each enabled check is an axe rule
that fails on the marker the preview of a failing article carries. Readers' pages carry none."""

import pytest
from django.urls import reverse
from wagtail.admin.userbar import ContentCheckerItem
from wagtail.models import Site

from gazette.checks.accessibility import NewsroomContentChecker, rule_id, use_newsroom_checker
from gazette.checks.models import PublishingChecks
from tests.admin_forms import article_form_data
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def checks(home):
    checks, _ = PublishingChecks.objects.get_or_create(site=Site.objects.get(is_default_site=True))
    checks.byline = "block"
    checks.section = "off"
    checks.save()
    return checks


def test_the_checker_gets_a_rule_per_enabled_check(rf, checks):
    items = [ContentCheckerItem(in_editor=True)]
    use_newsroom_checker(rf.get("/"), items, None)
    (checker,) = items
    assert isinstance(checker, NewsroomContentChecker) and checker.in_editor
    config = checker.get_axe_configuration(rf.get("/"))
    rules = {rule["id"]: rule for rule in config["spec"]["rules"]}
    assert rules[rule_id("byline")]["selector"] == '[data-gazette-check="byline"]'
    assert rules[rule_id("byline")]["impact"] == "serious"  # it blocks
    assert rules[rule_id("links")]["impact"] == "moderate"  # it warns
    assert rule_id("section") not in rules  # off
    assert rule_id("byline") in config["options"]["runOnly"]
    assert "alt-text-quality" in config["options"]["runOnly"]  # Wagtail's own stay
    assert config["messages"][rule_id("byline")]["error_name"] == "No author"


def _preview(client, article, **fields):
    data = article_form_data(
        article,
        title=fields.get("title", article.title),
        body=fields.get("body", "<p>Words.</p>"),
    )
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[article.pk])
    assert client.post(url, data).json()["is_valid"]
    return client.get(url).content.decode()


def test_the_preview_carries_a_marker_per_failure_and_the_live_page_none(
    editor_client, home, checks
):
    from django.test import Client

    article = ArticleFactory(parent=SectionFactory(parent=home), title="Story with a long title")
    html = _preview(editor_client, article, body='<p><a href="/admin/">admin</a></p>')
    assert '<div hidden data-gazette-checks><p data-gazette-check="byline">' in html
    assert '<p data-gazette-check="links">The body links to the admin' in html
    live = Client().get(article.url).content.decode()  # a reader's
    assert "data-gazette-check" not in live
