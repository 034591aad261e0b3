"""The reader pages (cached: no per-reader data), the archive of sent issues, the form on the
article page, the admin's preview, test send, counts and sending; the operator's command."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from gazette.newsletters import sending
from gazette.newsletters.models import Issue, IssueStatus, Subscriber
from tests.factories import ArticleFactory
from tests.newsletters.conftest import subscribed

pytestmark = pytest.mark.django_db


def test_newsletters_page_lists_offered_lists_with_a_tokenless_form(client, morning, weekly):
    weekly.is_offered = False
    weekly.save()
    response = client.get(reverse("newsletters:index"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Morning Brief" in page and "Weekend Reads" not in page
    assert 'action="/newsletters/subscribe/"' in page
    assert "csrfmiddlewaretoken" not in page and "csrftoken" not in response.cookies


def test_a_newsletter_page_and_its_archive(client, smtp, morning, home):
    article = ArticleFactory(title="Harbour Bridge Reopens")
    subscribed(morning, "ana@example.org")
    draft = Issue.objects.create(newsletter=morning, subject="Not yet", body=[])
    sent = Issue.objects.create(
        newsletter=morning,
        subject="Bridges",
        body=[("story", {"article": article, "note": ""})],
    )
    sending.send_issue(sent.pk)
    page = client.get(reverse("newsletters:newsletter", args=["morning-brief"])).content.decode()
    assert "Bridges" in page and "Not yet" not in page
    assert 'name="newsletters" value="morning-brief"' in page
    archive = client.get(sent.get_absolute_url())
    assert archive.status_code == 200
    body = archive.content.decode()
    assert "Harbour Bridge Reopens" in body and article.url in body
    assert "/unsubscribe/" not in body and "/preferences/" not in body  # nobody's links
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get("/newsletters/weekend-reads/").status_code == 404


def test_article_page_carries_the_form_from_the_shared_parts(client, morning, home):
    article = ArticleFactory(title="Ferry Service Returns")
    page = client.get(article.url).content.decode()
    assert 'id="article-newsletter-morning-brief"' in page
    assert "css/newsletters.css" in page and "js/newsletters.js" in page
    morning.is_offered = False
    morning.save()
    assert 'id="article-newsletter-morning-brief"' not in client.get(article.url).content.decode()


def test_admin_preview_test_send_and_send_now(
    editor_client, smtp, morning, home, django_capture_on_commit_callbacks
):
    article = ArticleFactory(title="Harbour Bridge Reopens")
    subscribed(morning, "ana@example.org", "bo@example.org")
    issue = Issue.objects.create(
        newsletter=morning, subject="Bridges", body=[("story", {"article": article, "note": ""})]
    )
    sending_url = reverse("newsletters_admin:sending", args=[issue.pk])
    page = editor_client.get(sending_url)
    assert page.status_code == 200
    assert "Send to 2 subscribers now" in page.content.decode()
    html = editor_client.get(reverse("newsletters_admin:preview", args=[issue.pk, "html"]))
    assert "Harbour Bridge Reopens" in html.content.decode()
    text = editor_client.get(reverse("newsletters_admin:preview", args=[issue.pk, "text"]))
    assert text["Content-Type"].startswith("text/plain")
    assert "* Harbour Bridge Reopens" in text.content.decode()

    editor_client.post(sending_url, {"action": "test", "address": "desk@example.org"})
    assert list(smtp.per_recipient) == ["desk@example.org"]
    bad = editor_client.post(sending_url, {"action": "schedule", "when": "2001-01-01T10:00"})
    assert bad.status_code == 200 and "Choose a moment in the future" in bad.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(sending_url, {"action": "send"})
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    assert smtp.per_recipient["ana@example.org"] == 1

    listing = editor_client.get(reverse("wagtailsnippets_newsletters_issue:list"))
    assert listing.status_code == 200
    assert "Sent" in listing.content.decode()


def test_issue_listing_counts_in_a_fixed_number_of_queries(
    editor_client, morning, django_assert_max_num_queries
):
    subscribed(morning, "ana@example.org")
    for number in range(5):
        Issue.objects.create(newsletter=morning, subject=f"Issue {number}", body=[])
    url = reverse("wagtailsnippets_newsletters_issue:list")
    editor_client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as five:
        editor_client.get(url)
    for number in range(5, 15):
        Issue.objects.create(newsletter=morning, subject=f"Issue {number}", body=[])
    with django_assert_max_num_queries(len(five)):
        editor_client.get(url)


def test_export_and_erase_a_subscriber(smtp, morning, capsys):
    [ana] = subscribed(morning, "ana@example.org")
    issue = Issue.objects.create(newsletter=morning, subject="Brief", body=[])
    sending.send_issue(issue.pk)
    call_command("newsletter_subscriber", "export", "ANA@example.org")
    data = json.loads(capsys.readouterr().out)
    assert data["email"] == "ana@example.org"
    assert data["subscriptions"][0]["newsletter"] == "Morning Brief"
    assert data["deliveries"] == [
        {"issue": "Brief", "status": "sent", "sent_at": data["deliveries"][0]["sent_at"]}
    ]
    call_command("newsletter_subscriber", "erase", "ana@example.org")
    assert not Subscriber.objects.filter(pk=ana.pk).exists()
    with pytest.raises(CommandError):
        call_command("newsletter_subscriber", "export", "ana@example.org")
