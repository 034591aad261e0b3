"""Readers subscribe through the real SMTP server on loopback: double opt-in, one-click
unsubscribe (RFC 8058), preferences by signed link, bad input and rate limits."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from gazette.newsletters import sending, tokens
from gazette.newsletters.models import Issue, Subscriber, Subscription
from tests.factories import ArticleFactory
from tests.newsletters.conftest import SAME_ORIGIN

pytestmark = pytest.mark.django_db


def subscribe(client, *, json=False, headers=None, **data):
    """Post the form as a reader's browser on this site would; the confirmation e-mail goes
    when the transaction commits, as it would outside the test's transaction."""
    from django.test import TestCase

    extra = dict(SAME_ORIGIN)
    if json:
        extra["HTTP_ACCEPT"] = "application/json"
    extra.update(headers or {})
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("newsletters:subscribe"), data, **extra)


def link_in(message, name: str) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(rf"http://\S+/newsletters/{name}/\S+/", text).group(0)


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def an_issue(newsletter, home):
    article = ArticleFactory(title="Harbour Bridge Reopens")
    return Issue.objects.create(
        newsletter=newsletter,
        subject="Tuesday's brief",
        body=[("heading", "Top stories"), ("story", {"article": article, "note": "Read it."})],
    )


def test_opt_in_is_required_before_anything_is_sent(client, smtp, morning, home):
    response = subscribe(client, email="Reader@Example.org", newsletters=["morning-brief"])
    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")

    [confirmation] = smtp.to("reader@example.org")
    assert "Confirm your subscription" in confirmation["Subject"]
    subscription = Subscription.objects.get(subscriber__email="reader@example.org")
    assert subscription.confirmed_at is None

    issue = an_issue(morning, home)
    report = sending.send_issue(issue.pk)
    assert report.sent == 0 and report.finished
    assert len(smtp.to("reader@example.org")) == 1  # still only the confirmation

    confirm_path = path_of(link_in(confirmation, "confirm"))
    assert client.get(confirm_path).status_code == 200  # a mail scanner opening the link
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None
    answer = client.post(confirm_path)
    assert answer.status_code == 200 and "Morning Brief" in answer.content.decode()
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None

    second = an_issue(morning, home)
    assert sending.send_issue(second.pk).sent == 1
    assert len(smtp.to("reader@example.org")) == 2


def test_every_issue_carries_one_click_unsubscribe_that_works(client, smtp, morning, home):
    from tests.newsletters.conftest import subscribed

    subscribed(morning, "ana@example.org", "bo@example.net")
    issue = an_issue(morning, home)
    assert sending.send_issue(issue.pk).sent == 2
    [message] = smtp.to("ana@example.org")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header_url = re.fullmatch(r"<(https?://\S+)>", message["List-Unsubscribe"].strip()).group(1)
    assert message["Message-ID"].startswith(f"<issue-{issue.pk}.subscriber-")
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Harbour Bridge Reopens" in html and 'style="' in html  # CSS inlined
    assert "<img" not in html or 'alt="' in html
    assert len(html.encode()) < 100 * 1024
    assert "/newsletters/preferences/" in html

    # A mail program's one-click POST: no Origin, no token of ours, the body RFC 8058 fixes.
    response = client.post(
        path_of(header_url), "List-Unsubscribe=One-Click", content_type="text/plain"
    )
    assert response.status_code == 200
    subscription = Subscription.objects.get(subscriber__email="ana@example.org")
    assert subscription.unsubscribed_at is not None
    assert subscription.unsubscribed_from_id == issue.pk
    assert client.post(path_of(header_url)).status_code == 200  # again: no error, no change

    from gazette.newsletters.queries import issue_counts

    assert issue_counts(issue) == {"sent_count": 2, "failed_count": 0, "unsubscribed_count": 1}
    following = an_issue(morning, home)
    sending.send_issue(following.pk)
    assert len(smtp.to("ana@example.org")) == 1
    assert len(smtp.to("bo@example.net")) == 2


def test_unsubscribe_link_opened_changes_nothing_until_the_button(client, morning, home):
    from tests.newsletters.conftest import subscribed

    [ana] = subscribed(morning, "ana@example.org")
    url = reverse("newsletters:unsubscribe", args=[tokens.unsubscribe_token(ana.pk, morning.pk, 0)])
    page = client.get(url)
    assert page.status_code == 200 and "<button" in page.content.decode()
    assert Subscription.objects.active().filter(subscriber=ana).exists()


def test_preferences_by_signed_link(client, smtp, morning, weekly):
    from tests.newsletters.conftest import subscribed

    [ana] = subscribed(morning, "ana@example.org")
    url = reverse("newsletters:preferences", args=[tokens.preferences_token(ana.pk)])
    page = client.get(url).content.decode()
    assert 'value="morning-brief" id="pref-morning-brief" checked' in page
    assert 'value="weekend-reads" id="pref-weekend-reads">' in page

    response = client.post(url, {"newsletters": ["weekend-reads"]}, **SAME_ORIGIN)
    assert response.status_code == 200 and "Saved." in response.content.decode()
    active = Subscription.objects.active().filter(subscriber=ana)
    assert list(active.values_list("newsletter__slug", flat=True)) == ["weekend-reads"]

    client.post(url, {"leave_all": "1"}, **SAME_ORIGIN)
    assert not Subscription.objects.active().filter(subscriber=ana).exists()

    tampered = url.replace(str(ana.pk), str(ana.pk + 1), 1)
    assert client.get(tampered).status_code == 404
    assert client.post(url, {"leave_all": "1"}, HTTP_SEC_FETCH_SITE="cross-site").status_code == 403


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not an address", "newsletters": ["morning-brief"]}, "Enter an e-mail address"),
        ({"email": "ana@example.org"}, "Choose at least one newsletter."),
        ({"email": "ana@example.org", "newsletters": ["gone"]}, "no longer offered"),
        ({"email": "", "newsletters": ["morning-brief"]}, "Enter your e-mail address."),
    ],
)
def test_bad_input_says_why_and_keeps_what_was_typed(client, morning, weekly, data, message):
    response = subscribe(client, **data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    if data.get("email"):
        assert f'value="{data["email"]}"' in page
    if data.get("newsletters") == ["morning-brief"]:
        assert 'value="morning-brief" id="subscribe-again-morning-brief" checked' in page
    assert not Subscriber.objects.exists()


def test_json_answers_for_the_script(client, morning):
    response = subscribe(client, json=True, email="x", newsletters=["morning-brief"])
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "email" in response.json()["fields"]
    response = subscribe(client, json=True, email="ana@example.org", newsletters=["morning-brief"])
    assert response.json()["ok"] is True


def test_cross_site_posts_are_refused(client, morning):
    response = client.post(
        reverse("newsletters:subscribe"),
        {"email": "ana@example.org", "newsletters": ["morning-brief"]},
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    assert not Subscriber.objects.exists()


def test_rate_limited_per_client_with_the_form_kept(client, morning):
    for number in range(5):
        assert (
            subscribe(
                client, email=f"r{number}@example.org", newsletters=["morning-brief"]
            ).status_code
            == 200
        )
    response = subscribe(client, email="sixth@example.org", newsletters=["morning-brief"])
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert 'value="sixth@example.org"' in response.content.decode()


def test_one_address_gets_few_confirmations(client, smtp, morning, settings):
    from gazette.newsletters import limits

    for number in range(3):
        answer = subscribe(
            client,
            email="victim@example.org",
            newsletters=["morning-brief"],
            headers={"REMOTE_ADDR": f"198.51.100.{number}"},
        )
        assert answer.status_code == 200
    refused = subscribe(
        client,
        email="Victim@example.org",
        newsletters=["morning-brief"],
        headers={"REMOTE_ADDR": "198.51.100.9"},
    )
    assert refused.status_code == 429
    assert len(smtp.to("victim@example.org")) == 3
    assert limits.PER_ADDRESS[0] == "3/h"


def test_the_trap_field_sends_nothing(client, smtp, morning):
    response = subscribe(
        client, email="bot@example.org", newsletters=["morning-brief"], website="http://spam"
    )
    assert response.status_code == 200
    assert not Subscriber.objects.exists() and not smtp.messages


def test_forged_and_expired_confirm_links(client, morning, time_machine):
    subscriber = Subscriber.objects.create(email="ana@example.org")
    Subscription.objects.create(subscriber=subscriber, newsletter=morning)
    token = tokens.confirm_token(subscriber.pk, [morning.pk])
    assert client.post(reverse("newsletters:confirm", args=[token + "x"])).status_code == 404
    time_machine.move_to(timezone.now() + timezone.timedelta(seconds=tokens.CONFIRM_MAX_AGE + 60))
    assert client.post(reverse("newsletters:confirm", args=[token])).status_code == 404
    assert Subscription.objects.get().confirmed_at is None
