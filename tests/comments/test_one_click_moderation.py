"""Issue 23: a held comment moderated in one click from the queue, as in WordPress: Approve,
Reject and Spam are small forms on each row (POST, CSRF-protected), no reason asked; the
row's ⋯ menu keeps the confirmation page for a decision that wants one."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry

from gazette.comments.admin_views import pending_queue_url
from gazette.comments.models import Comment
from gazette.comments.queries import pending_count
from gazette.users.models import User

pytestmark = pytest.mark.django_db
Status = Comment.Status


@pytest.fixture
def moderator():
    group = Group.objects.create(name="Comment moderators")
    group.permissions.add(
        Permission.objects.get(codename="moderate_comment"),
        Permission.objects.get(codename="access_admin"),
    )
    user = User.objects.create_user("mod", "mod@example.org", "pw")
    user.groups.add(group)
    return user


def _held(article, text="Held for a link", name="Ada"):
    return Comment.objects.create(article=article, author_name=name, text=text)


def _one_click_url(comment, action):
    return reverse("comments_moderate_one", args=[comment.pk, action])


def test_each_pending_row_has_three_one_click_forms(client, moderator, article):
    comment = _held(article)
    client.force_login(moderator)
    html = client.get(pending_queue_url()).content.decode()
    forms = re.findall(r'<form method="post" action="([^"]+)">(.*?)</form>', html, re.S)
    actions = {url: body for url, body in forms if "/admin/comments/" in url}
    assert set(actions) == {_one_click_url(comment, a) for a in ("approve", "reject", "spam")}
    for body in actions.values():
        assert 'name="csrfmiddlewaretoken"' in body
        assert f'name="next" value="{pending_queue_url()}"'.replace("&", "&amp;") in body
    # The ⋯ menu still leads to the confirmation page, where a reason can be given.
    assert reverse("wagtail_bulk_action", args=("comments", "comment", "reject")) in html


def test_one_click_approves_logs_and_returns_to_the_queue(client, moderator, article):
    comment = _held(article)
    other = _held(article, text="Another, still waiting", name="Bo")
    client.force_login(moderator)
    assert pending_count() == 2
    response = client.post(_one_click_url(comment, "approve"), {"next": pending_queue_url()})
    assert response.status_code == 302 and response.url == pending_queue_url()
    comment.refresh_from_db()
    assert comment.status == Status.PUBLISHED and comment.published_at is not None
    entry = ModelLogEntry.objects.get(object_id=str(comment.pk), action="comments.approve")
    assert entry.user == moderator and entry.data["reason"] == ""
    assert pending_count() == 1

    queue = client.get(response.url).content.decode()
    assert "Approved: Ada’s comment on “Ferry Service Returns”." in queue
    assert "Another, still waiting" in queue and "Held for a link" not in queue
    assert Comment.objects.get(pk=other.pk).status == Status.PENDING


@pytest.mark.parametrize(("action", "status"), [("reject", Status.REJECTED), ("spam", Status.SPAM)])
def test_reject_and_spam_need_no_reason_in_one_click(client, moderator, article, action, status):
    comment = _held(article)
    client.force_login(moderator)
    client.post(_one_click_url(comment, action))
    comment.refresh_from_db()
    assert comment.status == status
    assert ModelLogEntry.objects.filter(object_id=str(comment.pk), action=f"comments.{action}")


def test_a_get_changes_nothing(client, moderator, article):
    comment = _held(article)
    client.force_login(moderator)
    assert client.get(_one_click_url(comment, "approve")).status_code == 405
    comment.refresh_from_db()
    assert comment.status == Status.PENDING


def test_without_the_moderate_permission_nothing_changes(client, article):
    comment = _held(article)
    editor = User.objects.create_user("ed", "ed@example.org", "pw")
    editor.groups.add(Group.objects.get(name="Editors"))  # edits pages, moderates nothing
    client.force_login(editor)
    response = client.post(_one_click_url(comment, "approve"))
    assert response.status_code in (302, 403)
    assert response.get("Location") != pending_queue_url()
    comment.refresh_from_db()
    assert comment.status == Status.PENDING


def test_a_post_without_the_csrf_token_is_refused(moderator, article):
    comment = _held(article)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(moderator)
    assert browser.post(_one_click_url(comment, "approve")).status_code == 403
    comment.refresh_from_db()
    assert comment.status == Status.PENDING


def test_an_unknown_action_or_comment_is_a_404_and_a_foreign_next_is_ignored(
    client, moderator, article
):
    comment = _held(article)
    client.force_login(moderator)
    assert client.post(_one_click_url(comment, "delete")).status_code == 404
    assert client.post(reverse("comments_moderate_one", args=[99999, "approve"])).status_code == 404
    response = client.post(_one_click_url(comment, "spam"), {"next": "https://evil.example/"})
    assert response.url == pending_queue_url()


def test_the_queue_makes_the_same_queries_with_more_rows(
    client, moderator, article, django_assert_num_queries
):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    _held(article)
    client.force_login(moderator)
    client.get(pending_queue_url())
    reset_queries()  # each request empties the log: counted from zero, as the request does
    with CaptureQueriesContext(connection) as one_row:
        client.get(pending_queue_url())
    counted = len(one_row)
    for number in range(8):
        _held(article, text=f"Held number {number}")
    client.get(pending_queue_url())
    assert counted > 3
    with django_assert_num_queries(counted):
        client.get(pending_queue_url())
