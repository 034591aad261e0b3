"""Each check before publishing, on the article as the editor is about to publish it."""

import pytest
from wagtail.models import Site

from gazette.checks.links import bad_links, is_admin, is_local
from gazette.checks.models import PublishingChecks
from gazette.checks.rules import failures
from gazette.news.models import ArticleAuthor
from tests.factories import ArticleFactory, AuthorFactory, ImageFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def checks(home):
    return PublishingChecks(site=Site.objects.get(is_default_site=True))


@pytest.fixture
def good(home):
    """An article that passes every check."""
    picture = ImageFactory(description="Ferry at the quay", credit="Agency")
    article = ArticleFactory(
        parent=SectionFactory(parent=home),
        title="Ferry service returns to the island",
        standfirst="After two years, boats sail again.",
        lead_image=picture,
        body=[
            ("paragraph", "<p>Plain words.</p>"),
            ("image", {"image": picture, "caption": ""}),
        ],
        authors=[AuthorFactory()],
    )
    return article


def _messages(article, checks):
    return {failure.check: failure.message for failure in failures(article, checks)}


def test_a_complete_article_passes(good, checks):
    assert failures(good, checks) == []


def test_pictures_need_alt_text_and_a_credit(good, checks):
    bare = ImageFactory(title="IMG_0042", description="", credit="")
    good.lead_image = bare
    good.body = [("image", {"image": bare, "caption": ""})]
    found = _messages(good, checks)
    assert found["lead_image"] == (
        "The lead image “IMG_0042” has no alt text (its description) and no credit: "
        "add it in Images."
    )
    assert found["body_images"] == (
        "Picture 1 of the body, “IMG_0042”, has no alt text (its description) and no credit: "
        "add it in Images."
    )
    credited = ImageFactory(description="A quay", credit="")
    good.lead_image = credited
    assert _messages(good, checks)["lead_image"].endswith("has no credit: add it in Images.")


def test_an_article_without_a_lead_image_is_not_failed_for_it(good, checks):
    good.lead_image = None
    assert "lead_image" not in _messages(good, checks)


def test_a_byline_and_a_section(good, checks):
    good.article_authors = []
    assert _messages(good, checks)["byline"] == "No author: add one under Authors."
    good.article_authors = [ArticleAuthor(author=AuthorFactory())]
    assert "byline" not in _messages(good, checks)


@pytest.mark.parametrize(
    ("field", "text", "expected"),
    [
        ("title", "Short", "The headline is 5 characters long; it needs 10 at least."),
        ("title", "x" * 111, "The headline is 111 characters long; the newsroom's limit is 110."),
        ("standfirst", "y" * 301, "The standfirst is 301 characters long; the newsroom's limit"),
    ],
)
def test_headline_and_standfirst_lengths(good, checks, field, text, expected):
    setattr(good, field, text)
    check = "headline_length" if field == "title" else "standfirst_length"
    assert _messages(good, checks)[check].startswith(expected)


def test_a_required_standfirst(good, checks):
    checks.standfirst_min = 20
    good.standfirst = ""
    assert _messages(good, checks)["standfirst_length"] == (
        "There is no standfirst: write one of 20 characters at least."
    )


def test_links_to_a_draft_the_admin_or_localhost(good, checks, home):
    draft = ArticleFactory(parent=good.get_parent(), title="Unfinished", live=False)
    live = ArticleFactory(parent=good.get_parent(), title="Finished")
    good.body = [
        (
            "paragraph",
            f'<p><a linktype="page" id="{draft.pk}">a</a> <a linktype="page" id="{live.pk}">b</a> '
            '<a href="http://localhost:8000/world/x/">c</a> <a href="/admin/pages/3/edit/">d</a> '
            '<a href="https://example.org/admin/">e</a> <a href="http://127.0.0.2/x">f</a> '
            '<a linktype="page" id="999999">g</a></p>',
        ),
        ("embed", "http://[::1]:8000/video"),
    ]
    messages = [f.message for f in failures(good, checks) if f.check == "links"]
    assert messages == [
        "The body links to “Unfinished”, a page that is not live: readers would get an error.",
        "The body links to localhost, the editor's own computer: http://localhost:8000/world/x/",
        "The body links to the admin, which readers cannot open: /admin/pages/3/edit/",
        "The body links to localhost, the editor's own computer: http://127.0.0.2/x",
        "The body links to a page that no longer exists.",
        "The body links to localhost, the editor's own computer: http://[::1]:8000/video",
    ]
    assert bad_links([{"type": "paragraph", "value": "<p>No links.</p>"}]) == []


def test_what_counts_as_local_or_admin():
    ours = {"testserver", "news.example.org"}
    assert is_local("http://app.localhost/") and is_local("http://0.0.0.0:8000/")
    assert not is_local("https://localhost.example.org/")
    assert is_admin("https://news.example.org/admin/", ours)
    assert is_admin("/django-admin/", ours)
    assert not is_admin("https://other.org/admin/", ours)
    assert not is_admin("/administration-news/", ours)
    assert not is_admin("mailto:admin@news.example.org", ours)


def test_off_checks_do_not_run_and_modes_say_which_block(good, checks):
    good.article_authors = []
    good.title = "Short"
    checks.byline = "block"
    checks.headline_length = "off"
    found = failures(good, checks)
    assert [(f.check, f.blocks) for f in found] == [("byline", True)]
