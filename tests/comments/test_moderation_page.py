"""/moderation/: per month, comments received, published, held, rejected by reason and marked
spam, from the comments and the moderation log; no personal data; cached."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Site

from gazette.comments import services
from gazette.comments.models import Comment
from gazette.core.models import SiteIdentity

from .conftest import post

pytestmark = pytest.mark.django_db
Status = Comment.Status
NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


def _received(article, when, received_as, **kwargs):
    return Comment.objects.create(
        article=article,
        author_name=kwargs.pop("author_name", "Secret Name"),
        email="secret@example.org",
        text=kwargs.pop("text", "Secret words"),
        status=kwargs.pop("status", received_as),
        received_as=received_as,
        created_at=when,
        **kwargs,
    )


def _decide(comment, action, when, user, **kwargs):
    with time_machine.travel(when, tick=False):
        services.moderate_comment(comment=comment, action=action, user=user, **kwargs)


def _month(html: str, title: str) -> str:
    return html.split(f">{title}</h2>", 1)[1].split("</section>", 1)[0]


def _count(section: str, label: str) -> str:
    return section.split(f"<dt>{label}</dt><dd>", 1)[1].split("<", 1)[0]


def test_months_count_what_came_in_and_what_moderators_decided(client, article, admin_user):
    feb, march = datetime(2025, 2, 3, 9, tzinfo=UTC), datetime(2025, 3, 2, 9, tzinfo=UTC)
    for _ in range(3):
        _received(article, feb, Status.PUBLISHED)
    held = [_received(article, feb, Status.PENDING) for _ in range(4)]
    _received(article, feb, Status.SPAM)
    _received(article, march, Status.PUBLISHED)
    _decide(held[0], "approve", feb, admin_user, reason="fine")
    _decide(held[1], "reject", feb, admin_user, reason="Ada is a troll", category="abuse")
    _decide(held[2], "reject", march, admin_user, reason="off", category="off-topic")
    _decide(held[3], "reject", march, admin_user, reason="no category given")
    _decide(held[0], "spam", march, admin_user, reason="an advert after all")

    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("moderation"))
    html = response.content.decode()
    assert response.status_code == 200

    february = _month(html, "February 2025")
    assert _count(february, "Received") == "8"
    assert _count(february, "Published") == "4"  # three at once, one after review
    assert "3 at once, 1 after a moderator's review" in february
    assert _count(february, "Held for a moderator") == "4"
    assert _count(february, "Rejected") == "1"
    assert _count(february, "Marked as spam") == "1"
    assert '<th scope="row">Abuse or harassment</th><td>1</td>' in february

    this_month = _month(html, "March 2025")
    assert _count(this_month, "Received") == "1"
    assert _count(this_month, "Rejected") == "2"
    assert '<th scope="row">Off topic</th><td>1</td>' in this_month
    assert '<th scope="row">Not given</th><td>1</td>' in this_month
    assert "0 by the rules, 1 by moderators" in this_month
    assert "January 2025" not in html  # a month with nothing is left out

    # Nothing personal: no name, text, address, or a moderator's own words.
    for private in (
        "Secret Name",
        "Secret words",
        "secret@example.org",
        "troll",
        "advert",
        admin_user.username,
    ):
        assert private not in html


def test_months_are_the_newsrooms(client, article):
    identity, _ = SiteIdentity.objects.get_or_create(site=Site.objects.get(is_default_site=True))
    identity.time_zone = "Asia/Tokyo"
    identity.save()
    # 20:00 UTC on 28 February is 05:00 on 1 March in Tokyo.
    _received(article, datetime(2025, 2, 28, 20, tzinfo=UTC), Status.PUBLISHED)
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("moderation")).content.decode()
    assert _count(_month(html, "March 2025"), "Received") == "1"
    assert "February 2025" not in html


def test_posting_records_what_the_rules_made_of_a_comment(client, article, site_settings):
    post(client, article, name="A", text="Plain words")
    post(client, article, name="B", text="see example.com")
    post(client, article, name="C", text="Filled the trap", website="http://spam")
    assert dict(Comment.objects.values_list("author_name", "received_as")) == {
        "A": "published",
        "B": "pending",
        "C": "spam",
    }


def test_the_rejection_reason_comes_from_the_admin_form(client, article, admin_user):
    from wagtail.models import ModelLogEntry

    comment = _received(article, NOW, Status.PENDING)
    client.force_login(admin_user)
    url = reverse("wagtail_bulk_action", args=("comments", "comment", "reject"))
    form = client.get(f"{url}?id={comment.pk}").content.decode()
    assert "Reason readers see" in form and 'value="hate"' in form
    client.post(f"{url}?id={comment.pk}", {"reason": "Slur", "category": "hate"})
    entry = ModelLogEntry.objects.get(action="comments.reject")
    assert entry.data["category"] == "hate" and entry.data["reason"] == "Slur"


def test_the_page_is_cached_and_reads_a_fixed_number_of_queries(client, article, admin_user):
    for n in range(30):
        comment = _received(article, datetime(2025, 1 + n % 3, 5, tzinfo=UTC), Status.PENDING)
        _decide(
            comment,
            "reject",
            datetime(2025, 1 + n % 3, 6, tzinfo=UTC),
            admin_user,
            reason="x",
            category="off-topic",
        )
    with time_machine.travel(NOW, tick=False):
        with CaptureQueriesContext(connection) as first:
            client.get(reverse("moderation"))
        with CaptureQueriesContext(connection) as again:
            html = client.get(reverse("moderation")).content.decode()
    report_queries = [q for q in first if _reads_comments_or_log(q["sql"])]
    assert len(report_queries) == 2  # the comments by month, the decisions by month
    assert not [q for q in again if _reads_comments_or_log(q["sql"])]
    assert "January 2025" in html and "March 2025" in html


def _reads_comments_or_log(sql: str) -> bool:
    return 'FROM "comments_comment"' in sql or 'FROM "wagtailcore_modellogentry"' in sql


def test_the_comments_of_every_article_link_to_it(client, article):
    assert (
        '<a href="/moderation/">Moderation in public</a>'
        in client.get(article.url).content.decode()
    )
