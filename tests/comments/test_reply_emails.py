""" "E-mail me replies": one e-mail per published reply, sent by a task, with a signed stop link
that works in one click; no account, and the address is never shown."""

import pytest
from django.core import mail
from django.urls import reverse

from gazette.comments import services
from gazette.comments.models import Comment
from gazette.comments.reply_emails import stop_token
from gazette.comments.tasks import notify_reply

from .conftest import post

pytestmark = pytest.mark.django_db
Status = Comment.Status


@pytest.fixture
def thread(client, article, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, article, name="Ada", email="Ada@Example.org", notify_replies="1")
    return Comment.objects.get(author_name="Ada")


def _reply(client, article, thread, callbacks, **fields):
    fields.setdefault("name", "Bea")
    fields.setdefault("text", "A kind reply.")
    with callbacks(execute=True):
        return post(
            client, article, parent=thread.pk, headers={"REMOTE_ADDR": "10.0.0.9"}, **fields
        )


def test_the_opt_in_is_kept_and_needs_an_address(client, article, thread):
    assert thread.notify_replies and thread.email == "Ada@Example.org"
    refused = post(client, article, name="Nomail", notify_replies="1", text="Tell me")
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "give your e-mail address" in html and "Tell me</textarea>" in html
    assert 'name="notify_replies" type="checkbox" value="1" checked' in html


def test_a_published_reply_sends_one_email_with_a_one_click_stop_link(
    client, article, thread, django_capture_on_commit_callbacks
):
    _reply(client, article, thread, django_capture_on_commit_callbacks, email="bea@example.org")
    reply = Comment.objects.get(author_name="Bea")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Ada@Example.org"]
    assert message.subject == "A reply to your comment on “Ferry Service Returns”"
    assert "Bea replied to your comment" in message.body and "A kind reply." in message.body
    assert f"{article.full_url}#comment-{reply.pk}" in message.body
    stop = f"http://localhost/comments/stop-reply-emails/{stop_token(thread)}/"
    assert stop in message.body
    assert message.extra_headers["List-Unsubscribe"] == f"<{stop}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Nobody's address is in the text: the replier's, or the reader's own.
    assert "bea@example.org" not in message.body
    assert "ada@example.org" not in message.body.lower()

    # The task again (a retry), or the reply approved again: no second e-mail.
    assert notify_reply.call(reply.pk) is False
    assert len(mail.outbox) == 1


def test_a_held_reply_sends_nothing_until_a_moderator_approves_it(
    client, article, thread, site_settings, admin_user, django_capture_on_commit_callbacks
):
    site_settings.moderation = "pre"
    site_settings.save()
    _reply(client, article, thread, django_capture_on_commit_callbacks)
    reply = Comment.objects.get(author_name="Bea")
    assert reply.status == Status.PENDING
    assert [m.subject for m in mail.outbox if "reply" in m.subject] == []
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.moderate_comment(comment=reply, action="approve", reason="", user=admin_user)
    assert [m.to for m in mail.outbox] == [["Ada@Example.org"]]


def test_no_email_without_the_opt_in_or_to_oneself(
    client, article, django_capture_on_commit_callbacks
):
    post(client, article, name="Quiet", email="quiet@example.org")
    quiet = Comment.objects.get(author_name="Quiet")
    _reply(client, article, quiet, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, article, name="Self", email="self@example.org", notify_replies="1", text="Me")
    mine = Comment.objects.get(author_name="Self")
    _reply(client, article, mine, django_capture_on_commit_callbacks, email="SELF@example.org")
    assert mail.outbox == []


def test_the_stop_link_asks_once_and_a_post_stops_every_comment_of_that_address(
    client, article, thread
):
    other = Comment.objects.create(
        article=article,
        author_name="Ada again",
        email="ada@example.org",
        text="More",
        status=Status.PUBLISHED,
        notify_replies=True,
    )
    url = reverse("comments:stop_reply_emails", args=[stop_token(thread)])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "Stop the e-mails" in html
    assert "ada@example.org" not in html.lower()
    thread.refresh_from_db()
    assert thread.notify_replies  # opening the link (a mail scanner does) stops nothing

    # A mail program's one-click POST (RFC 8058): no origin, no token of ours but the link's.
    done = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "no more e-mails" in done.content.decode()
    assert "no-store" in done["Cache-Control"]
    assert not Comment.objects.filter(notify_replies=True).exists()
    assert other.pk  # the other comment, signed with the same address, stopped as well


def test_a_forged_or_cut_stop_link_changes_nothing(client, thread):
    token = stop_token(thread)
    for bad in (token[:-3], token.replace(token[5], "x" if token[5] != "x" else "y"), "nonsense"):
        response = client.post(reverse("comments:stop_reply_emails", args=[bad]))
        assert response.status_code == 404
        assert "not one we sent" in response.content.decode()
    thread.refresh_from_db()
    assert thread.notify_replies
