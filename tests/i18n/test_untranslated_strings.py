"""Every reader page in Korean and in Arabic shows no English string of the message catalogue:
each text node and each label (aria-label, placeholder, title, alt, the meta description) of
the rendered page is compared with every msgid (a msgid with placeholders, "Page %(number)s
of %(total)s", as the pattern it makes). Content (headlines, names, comments) is not in the
catalogue, so it never trips the check; a string left out of a .po file, or a template that
forgot {% translate %} while the string is marked elsewhere, does."""

from __future__ import annotations

import re
import time

import pytest
from babel.messages.pofile import read_po
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from lxml import html as lxml_html

from gazette.comments import rules
from gazette.comments.models import Comment
from gazette.core.models import SiteIdentity
from gazette.news.models import ArticlePage
from tests.conftest import (
    ARTICLE_HEADLINE,
    REPOSITORY,
    use_site_language,
)
from tests.factories import ArticleFactory, add_note, make_curated_list, retag

pytestmark = pytest.mark.django_db

LANGUAGES = ["ko", "ar"]
CATALOGUE = REPOSITORY / "gazette" / "locale" / "ko" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")
LABELS = ("aria-label", "placeholder", "title", "alt")


def _patterns() -> list[tuple[str, re.Pattern]]:
    """Each English msgid (and plural) with letters in it, as a whole-text pattern."""
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    patterns = []
    for message in catalogue:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for msgid in ids:
            # Visible text: markup stripped, as the page's text nodes are.
            text = re.sub(r"<[^>]+>", "", msgid).strip()
            if not re.search("[A-Za-z]", PLACEHOLDER.sub("", text)):
                continue  # "%(count)s ", ", ": nothing English to see
            parts = [re.escape(part) for part in PLACEHOLDER.split(text)]
            patterns.append((msgid, re.compile(r"\s*" + ".+?".join(parts) + r"\s*", re.S)))
    return patterns


PATTERNS = _patterns()


def english_strings(page_html: str, *, content: tuple[str, ...] = ()) -> list[str]:
    """The catalogue's English strings found in the page's text and labels; ``content`` are
    texts the newsroom chose (its name, "Gazette" by default, is no message to translate)."""
    tree = lxml_html.document_fromstring(page_html)
    for node in tree.xpath("//script | //style | //noscript"):
        node.drop_tree()
    texts = [text for text in tree.xpath("//text()") if text.strip()]
    texts += [value for name in LABELS for value in tree.xpath(f"//@{name}")]
    texts += tree.xpath("//meta[@name='description']/@content")
    # Whole elements too: "Page 1 of 2" may be one node, "By <a>name</a>" several.
    texts += [element.text_content() for element in tree.iter("p", "span", "h1", "h2", "li")]
    found = set()
    for text in texts:
        if text.strip() in content:
            continue
        for msgid, pattern in PATTERNS:
            if pattern.fullmatch(text):
                found.add(f"{msgid!r} in {text.strip()[:80]!r}")
    return sorted(found)


@pytest.fixture(scope="module")
def newsroom_rows(seeded_once, django_db_blocker):
    """The newsroom's rows, made once for the module beside the reference article (in
    seeded_once's transaction, rolled back when the module ends): the import and the stories
    cost seconds, the tests that read them less. Only their keys are kept."""
    with django_db_blocker.unblock():
        made = _newsroom()
    return {name: row.pk for name, row in made.items()}


@pytest.fixture
def newsroom(newsroom_rows, db):
    """The reference article with what a reader page can show: another story in its section
    (Latest Stories), Must-Reads, a topic, a correction, comments with a reply, page 2 of
    the section. Read afresh for each test: an instance kept from an earlier test would carry
    what it cached there (its locale in that test's language: a stale /ko/ address)."""
    article = ArticlePage.objects.get(pk=newsroom_rows["article"])
    return {
        "article": article,
        "section": article.get_parent().specific,
        "thread": Comment.objects.get(pk=newsroom_rows["thread"]),
    }


def _newsroom() -> dict:
    article = ArticlePage.objects.get(title=ARTICLE_HEADLINE)
    section = article.get_parent().specific
    others = [ArticleFactory(parent=section, title=f"Harbour story {n}") for n in range(25)]
    make_curated_list("must-reads", others[:3])
    article = retag(article, ["Peninsula"])
    article = add_note(article, "An earlier version misnamed the border town.")
    thread = Comment.objects.create(
        article=article,
        author_name="Min-jun",
        text="A first remark.",
        status=Comment.Status.PUBLISHED,
    )
    Comment.objects.create(
        article=article,
        parent=thread,
        author_name="Layla",
        text="A reply to it.",
        status=Comment.Status.PUBLISHED,
    )
    return {"article": article, "section": section, "thread": thread}


def _reader_paths(newsroom) -> dict[str, str]:
    article, section = newsroom["article"], newsroom["section"]
    author = article.article_authors.first().author
    return {
        "home": "/",
        "section": section.url,
        "section, page 2": section.url + "?page=2",
        "article": article.url,
        "author": author.get_absolute_url(),
        "search": "/search/?q=korea",
        "search, nothing found": "/search/?q=zeppelin&section=" + section.slug,
        "search, bad dates": "/search/?q=korea&published_from=2024-13-45",
        "topics": reverse("topics:index"),
        "topic": reverse("topics:topic", args=["peninsula"]),
        "corrections": reverse("corrections:page"),
        "moderation": reverse("moderation"),
        "reply": reverse("comments:reply", args=[newsroom["thread"].pk]),
        "not found": "/no-such-page/",
    }


@pytest.fixture(params=LANGUAGES)
def language(request, settings, db):
    use_site_language(settings, request.param)
    with translation.override(request.param):
        yield request.param


def test_every_reader_page_is_translated(language, newsroom, client):
    pages = {}
    for name, path in _reader_paths(newsroom).items():
        response = client.get(path)
        assert response.status_code in (200, 404), (name, response.status_code)
        pages[name] = response.content.decode()
    # A comment refused (the form comes back with the reader's text), and the outage pages.
    article = newsroom["article"]
    refused = client.post(
        reverse("comments:post", args=[article.pk]),
        {"name": "", "text": "Kept.", "stamp": rules.make_stamp(article.pk, now=time.time() - 60)},
        HTTP_ORIGIN="http://testserver",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert refused.status_code == 400
    pages["comment refused"] = refused.content.decode()
    request = RequestFactory().get("/")
    for outage in ("500.html", "503.html"):
        pages[outage] = render_to_string(outage, request=request)

    site_name = (SiteIdentity.objects.first() or SiteIdentity()).name
    untranslated = {
        name: english_strings(html, content=(site_name,)) for name, html in pages.items()
    }
    assert {name: found for name, found in untranslated.items() if found} == {}
    # The pages are in the language, with its direction.
    direction = "rtl" if language == "ar" else "ltr"
    for name, html in pages.items():
        assert f'<html lang="{language}" dir="{direction}">' in html, name


def test_the_check_finds_an_english_string(language, newsroom, client):
    """The check can fail: an English heading of the catalogue, and a formatted one, in a
    Korean or Arabic page are reported."""
    html = client.get("/").content.decode()
    site_name = (SiteIdentity.objects.first() or SiteIdentity()).name
    assert english_strings(html, content=(site_name,)) == []
    html = html.replace("</main>", "<h2>Latest Stories</h2><p>Page 2 of 7</p></main>")
    assert english_strings(html, content=(site_name,)) == [
        "'Latest Stories' in 'Latest Stories'",
        "'Page %(number)s of %(total)s' in 'Page 2 of 7'",
    ]


def test_english_pages_are_english(newsroom, client):
    """The same check on the English site finds the catalogue's strings: it reads the page."""
    html = client.get(newsroom["article"].url).content.decode()
    assert '<html lang="en" dir="ltr">' in html
    found = english_strings(html)
    assert "'Latest Stories' in 'Latest Stories'" in found
    assert any(line.startswith("'Post comment'") for line in found)


@pytest.fixture
def newsletter_pages(newsroom):
    """A newsletter with a sent issue and a confirmed reader: every page a reader of it sees,
    by link or by form (the signed links of the e-mails, the answers to the subscribe form)."""
    from django.utils import timezone

    from gazette.newsletters import tokens
    from gazette.newsletters.models import Issue, IssueStatus, Newsletter, Subscriber, Subscription

    morning = Newsletter.objects.create(
        name="Morning Brief", slug="morning-brief", description="The day's news at seven."
    )
    Newsletter.objects.create(
        name="Weekend Reads", slug="weekend-reads", description="Long reads.", cadence="weekly"
    )
    issue = Issue.objects.create(
        newsletter=morning,
        subject="Bridges and ferries",
        body=[("heading", "The harbour"), ("story", {"article": newsroom["article"], "note": ""})],
    )
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.SENT, sent_at=timezone.now())
    reader = Subscriber.objects.create(email="reader@example.org")
    Subscription.objects.create(subscriber=reader, newsletter=morning, confirmed_at=timezone.now())
    return {
        "newsletters": "/newsletters/",
        "newsletter": morning.get_absolute_url(),
        "archived issue": issue.get_absolute_url(),
        "preferences": reverse(
            "newsletters:preferences", args=[tokens.preferences_token(reader.pk)]
        ),
        "confirm": reverse(
            "newsletters:confirm", args=[tokens.confirm_token(reader.pk, [morning.pk])]
        ),
        "unsubscribe": reverse(
            "newsletters:unsubscribe",
            args=[tokens.unsubscribe_token(reader.pk, morning.pk, issue.pk)],
        ),
        "bad link": reverse("newsletters:confirm", args=["not-a-token"]),
        "article with the form": newsroom["article"].url,
    }


def test_newsletter_reader_pages_are_translated(language, newsletter_pages, client):
    pages = {}
    for name, path in newsletter_pages.items():
        response = client.get(path)
        assert response.status_code in (200, 400, 404), (name, response.status_code)
        pages[name] = response.content.decode()
    same_site = {"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "same-origin"}
    answers = {
        "subscribed": {"email": "new@example.org", "newsletters": ["morning-brief"]},
        "refused: bad address": {"email": "not an address", "newsletters": ["morning-brief"]},
        "refused: no list": {"email": "new2@example.org"},
    }
    for name, data in answers.items():
        response = client.post(reverse("newsletters:subscribe"), data, **same_site)
        assert response.status_code in (200, 400), (name, response.status_code)
        pages[name] = response.content.decode()
    pages["refused: another site"] = client.post(
        reverse("newsletters:subscribe"), answers["subscribed"], HTTP_ORIGIN="https://evil.example"
    ).content.decode()
    preferences = newsletter_pages["preferences"]
    pages["preferences saved"] = client.post(
        preferences, {"newsletters": ["weekend-reads"]}, **same_site
    ).content.decode()
    pages["unsubscribed"] = client.post(
        newsletter_pages["unsubscribe"], **same_site
    ).content.decode()
    pages["confirmed"] = client.post(newsletter_pages["confirm"], **same_site).content.decode()

    site_name = (SiteIdentity.objects.first() or SiteIdentity()).name
    content = (
        site_name,
        "Morning Brief",
        "Weekend Reads",
        "The day's news at seven.",
        "Long reads.",
    )
    untranslated = {name: english_strings(html, content=content) for name, html in pages.items()}
    assert {name: found for name, found in untranslated.items() if found} == {}
    direction = "rtl" if language == "ar" else "ltr"
    for name, html in pages.items():
        assert f'<html lang="{language}" dir="{direction}">' in html, name


def test_the_check_finds_an_english_newsletter_string(language, newsletter_pages, client):
    """The newsletter strings are in the catalogue: one left in English is reported."""
    html = client.get(newsletter_pages["newsletters"]).content.decode()
    html = html.replace("</main>", "<p>No issue has been sent yet.</p></main>")
    site_name = (SiteIdentity.objects.first() or SiteIdentity()).name
    assert english_strings(html, content=("Morning Brief", site_name)) == [
        "'No issue has been sent yet.' in 'No issue has been sent yet.'"
    ]


def _as_page(text: str) -> str:
    """A plain-text e-mail as a page the check reads: one paragraph per line and per part of
    a line before a link ("Change your newsletters: <link>"), the links themselves left out."""
    from html import escape

    parts = []
    for line in text.splitlines():
        line = re.sub(r"https?://\S+", "LINK", line).strip()
        parts.append(line)
        parts.extend(part for part in line.split(": ") if part and part != "LINK")
    return "<html><body>" + "".join(f"<p>{escape(p)}</p>" for p in parts if p) + "</body></html>"


def test_newsletter_emails_are_translated(language, newsletter_pages):
    from gazette.newsletters import rendering, services
    from gazette.newsletters.models import Issue, Newsletter, Subscriber

    reader = Subscriber.objects.get(email="reader@example.org")
    morning = Newsletter.objects.get(slug="morning-brief")
    confirmation = services.confirmation_email(reader, [morning])
    issue = rendering.render_issue(Issue.objects.get(newsletter=morning)).message(reader)
    emails = {
        "confirmation": _as_page(confirmation.subject + "\n" + confirmation.body),
        "issue, text": _as_page(issue.body),
        "issue, html": issue.alternatives[0][0],
    }
    content = ("Morning Brief", "Bridges and ferries", "The harbour", ARTICLE_HEADLINE)
    found = {name: english_strings(html, content=content) for name, html in emails.items()}
    assert {name: strings for name, strings in found.items() if strings} == {}
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in emails["issue, html"]


def test_the_check_finds_an_english_line_of_an_email(language, newsletter_pages):
    page = _as_page("Change your newsletters: http://localhost/newsletters/preferences/x/")
    assert english_strings(page) == ["'Change your newsletters' in 'Change your newsletters'"]
