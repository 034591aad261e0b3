"""Moderation: the queue in the Wagtail admin, the actions and their log, readers' reports, and
the e-mail that tells moderators a comment waits."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from gazette.comments import services
from gazette.comments.models import Comment
from gazette.comments.tasks import notify_moderators
from gazette.users.models import User
from tests.factories import ArticleFactory

from .conftest import post

pytestmark = pytest.mark.django_db
Status = Comment.Status
LIST_URL = "/admin/snippets/comments/comment/"


@pytest.fixture
def admin_user():
    return User.objects.create_superuser("chief", "chief@example.org", "pw")


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


def _comment(article, text="Some text", status=Status.PENDING, **fields):
    return Comment.objects.create(
        article=article, author_name=fields.pop("name", "Ada"), text=text, status=status, **fields
    )


def _bulk_url(action, *comments, next_url=LIST_URL):
    ids = "&".join(f"id={c.pk}" for c in comments)
    url = reverse("wagtail_bulk_action", args=("comments", "comment", action))
    return f"{url}?{ids}&next={next_url}"


# --- the queue ---------------------------------------------------------------------------------


def test_queue_filters_by_status_and_article_and_searches(client, admin_user, article):
    other = ArticleFactory(parent=article.get_parent(), title="Other Story")
    _comment(article, "waiting one")
    _comment(article, "published one", Status.PUBLISHED)
    _comment(other, "waiting elsewhere", name="Zed")
    client.force_login(admin_user)

    html = client.get(LIST_URL, {"status": "pending"}).content.decode()
    assert "waiting one" in html and "waiting elsewhere" in html and "published one" not in html
    html = client.get(LIST_URL, {"article": article.pk}).content.decode()
    assert "waiting one" in html and "published one" in html and "waiting elsewhere" not in html
    html = client.get(LIST_URL, {"q": "Zed"}).content.decode()
    assert "waiting elsewhere" in html and "waiting one" not in html
    html = client.get(LIST_URL, {"q": "ELSEWHERE"}).content.decode()
    assert "waiting elsewhere" in html


def test_approve_one_with_a_reason_is_logged_and_visible(client, moderator, article):
    comment = _comment(article)
    client.force_login(moderator)
    listing = client.get(LIST_URL, follow=True).content.decode()  # opens on Pending
    assert _bulk_url("approve", comment).split("&next")[0] in listing.replace("&amp;", "&")

    confirm = client.get(_bulk_url("approve", comment))
    assert confirm.status_code == 200 and "Some text" in confirm.content.decode()
    response = client.post(_bulk_url("approve", comment), {"reason": "Fair point"})
    assert response.status_code == 302

    comment.refresh_from_db()
    assert comment.status == Status.PUBLISHED and comment.published_at is not None
    entry = ModelLogEntry.objects.for_instance(comment).get()
    assert entry.action == "comments.approve" and entry.user == moderator
    assert entry.data == {"reason": "Fair point", "from": "pending", "to": "published"}
    assert entry.timestamp is not None

    history_url = reverse("wagtailsnippets_comments_comment:history", args=[comment.pk])
    history = client.get(history_url).content.decode()
    assert "Approved (was pending)" in history and "Fair point" in history
    site_history = client.get(reverse("wagtailadmin_reports:site_history")).content.decode()
    assert "Approved (was pending)" in site_history


def test_bulk_reject_and_spam_need_a_reason(client, admin_user, article):
    comments = [_comment(article, f"text {n}") for n in range(3)]
    client.force_login(admin_user)
    refused = client.post(_bulk_url("reject", *comments), {"reason": ""})
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    assert set(Comment.objects.values_list("status", flat=True)) == {Status.PENDING}

    client.post(_bulk_url("reject", *comments[:2]), {"reason": "Off topic"})
    client.post(_bulk_url("spam", comments[2]), {"reason": "Advert"})
    statuses = dict(Comment.objects.values_list("text", "status"))
    assert statuses == {"text 0": "rejected", "text 1": "rejected", "text 2": "spam"}
    actions = ModelLogEntry.objects.filter(action__startswith="comments.").values_list(
        "action", "data__reason", "user__username"
    )
    assert sorted(actions) == [
        ("comments.reject", "Off topic", "chief"),
        ("comments.reject", "Off topic", "chief"),
        ("comments.spam", "Advert", "chief"),
    ]


def test_only_moderators_moderate_and_nobody_writes_readers_comments(client, article):
    comment = _comment(article)
    editor = User.objects.create_user("editor", "e@example.org", "pw")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    client.post(_bulk_url("approve", comment), {"reason": "x"})
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    assert client.get(LIST_URL).status_code in (302, 403)

    admin_user = User.objects.create_superuser("chief", "chief@example.org", "pw")
    client.force_login(admin_user)
    assert client.get(LIST_URL + "add/").status_code in (302, 403)
    edit_url = reverse("wagtailsnippets_comments_comment:edit", args=[comment.pk])
    assert client.get(edit_url).status_code in (302, 403)
    inspect_url = reverse("wagtailsnippets_comments_comment:inspect", args=[comment.pk])
    assert "Some text" in client.get(inspect_url).content.decode()


# --- reports -----------------------------------------------------------------------------------


def _report(client, comment, address):
    return client.post(
        reverse("comments:report", args=[comment.pk]),
        HTTP_ORIGIN="http://testserver",
        REMOTE_ADDR=address,
    )


def test_three_different_readers_send_a_comment_back_to_pending(client, article):
    comment = _comment(article, status=Status.PUBLISHED)
    assert _report(client, comment, "198.51.100.1").status_code == 303
    _report(client, comment, "198.51.100.1")  # the same reader twice counts once
    _report(client, comment, "198.51.100.2")
    comment.refresh_from_db()
    assert comment.status == Status.PUBLISHED and comment.reports.count() == 2

    response = _report(client, comment, "198.51.100.3")
    assert response["Location"] == f"{article.url}?comment=reported#comments"
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    entry = ModelLogEntry.objects.for_instance(comment).get()
    assert entry.action == "comments.reported" and entry.user is None
    assert entry.data["reports"] == 3


def test_reports_before_a_new_approval_do_not_count_again(client, admin_user, article):
    comment = _comment(article, status=Status.PUBLISHED)
    for n in range(3):
        _report(client, comment, f"198.51.100.{n}")
    services.moderate_comment(comment=comment, action="approve", reason="Fine", user=admin_user)
    _report(client, comment, "198.51.100.9")
    comment.refresh_from_db()
    assert comment.status == Status.PUBLISHED


def test_reporting_is_same_origin_only_and_only_of_published_comments(client, article):
    published = _comment(article, status=Status.PUBLISHED)
    url = reverse("comments:report", args=[published.pk])
    assert client.post(url, HTTP_ORIGIN="https://evil.example").status_code == 403
    assert client.post(url).status_code == 403
    pending = _comment(article, "held")
    assert _report(client, pending, "198.51.100.1").status_code == 404
    json = client.post(url, HTTP_ORIGIN="http://testserver", HTTP_ACCEPT="application/json")
    assert json.json()["status"] == "reported"


# --- e-mail to moderators ----------------------------------------------------------------------


def test_a_held_comment_emails_the_moderators(
    client, article, moderator, django_capture_on_commit_callbacks
):
    User.objects.create_superuser("chief", "chief@example.org", "pw")
    User.objects.create_user("reader", "reader@example.org", "pw")  # not a moderator
    with django_capture_on_commit_callbacks(execute=True):
        post(client, article, text="Visit www.example.com now")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["chief@example.org", "mod@example.org"]
    assert "Ferry Service Returns" in message.subject
    assert "Visit www.example.com now" in message.body and "Held for: link" in message.body
    assert "http://testserver/admin/snippets/comments/comment/?status=pending" in message.body


def test_published_comments_email_nobody(
    client, article, moderator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, article, text="A fine comment")
    assert mail.outbox == []


def test_the_sites_own_list_of_addresses_wins(article, site_settings, moderator):
    site_settings.notify_emails = "desk@example.org\n\n night@example.org \n"
    site_settings.save()
    comment = _comment(article)
    assert notify_moderators.call(comment.pk) == 2
    assert mail.outbox[0].to == ["desk@example.org", "night@example.org"]


def test_no_email_for_a_comment_decided_before_the_task_ran(article, moderator):
    comment = _comment(article, status=Status.REJECTED)
    assert notify_moderators.call(comment.pk) == 0
    assert mail.outbox == []


# --- where editors set the policy ----------------------------------------------------------------


def test_site_settings_and_the_articles_policy_are_editable_in_the_admin(
    client, admin_user, article
):
    client.force_login(admin_user)
    site = article.get_site()
    settings_page = client.get(f"/admin/settings/comments/commentsettings/{site.pk}/")
    html = settings_page.content.decode()
    assert settings_page.status_code == 200
    for field in ("moderation", "close_after_days", "watched_words", "links_clickable"):
        assert f'name="{field}"' in html
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[article.pk])).content.decode()
    assert 'name="comment_policy"' in edit and "Site default" in edit


# --- the page cache ------------------------------------------------------------------------


def test_a_comment_appearing_or_leaving_purges_the_cached_article(monkeypatch, admin_user, article):
    purged = []
    monkeypatch.setattr(services, "purge_article_page", lambda page: purged.append(page.pk))

    pending = _comment(article, status=Status.PENDING)
    services.moderate_comment(comment=pending, action="approve", reason="fine", user=admin_user)
    assert purged == [article.pk]

    services.moderate_comment(comment=pending, action="reject", reason="rude", user=admin_user)
    assert purged == [article.pk, article.pk]

    # Rejecting what was never shown changes no page.
    other = _comment(article, status=Status.PENDING, text="Another")
    services.moderate_comment(comment=other, action="spam", reason="ads", user=admin_user)
    assert purged == [article.pk, article.pk]


# --- the pending count and the queue's first view (issue 23, defect 10) ------------------------


def test_the_pending_count_is_one_count_then_cached_and_forgotten_on_a_decision(
    article, moderator, django_assert_num_queries
):
    from gazette.comments.queries import pending_count
    from gazette.comments.services import moderate_comment

    waiting = [_comment(article, f"waiting {n}") for n in range(3)]
    _comment(article, "shown", Status.PUBLISHED)
    _comment(article, "junk", Status.SPAM)
    with django_assert_num_queries(1):
        assert pending_count() == 3
    with django_assert_num_queries(0):
        assert pending_count() == 3

    moderate_comment(comment=waiting[0], action="approve", reason="", user=moderator)
    with django_assert_num_queries(1):
        assert pending_count() == 2


def test_a_held_comment_counts_at_once(client, article, site_settings):
    from gazette.comments.queries import pending_count

    assert pending_count() == 0
    site_settings.watched_words = "ferry"
    site_settings.save()
    post(client, article, text="The ferry is late again")
    assert Comment.objects.get().status == Status.PENDING
    assert pending_count() == 1


def test_the_queue_opens_on_pending_oldest_first_with_the_count(client, moderator, article):
    now = timezone.now()
    _comment(article, "newer wait", created_at=now - timedelta(minutes=5))
    _comment(article, "older wait", created_at=now - timedelta(hours=2))
    _comment(article, "already shown", Status.PUBLISHED, created_at=now - timedelta(hours=3))
    client.force_login(moderator)

    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"] == LIST_URL + "?status=pending&ordering=created_at"
    html = client.get(response["Location"]).content.decode()
    assert "2 comments pending" in html
    assert "already shown" not in html
    assert html.index("older wait") < html.index("newer wait")
    # A filter chosen is kept: "Any" status shows everything.
    html = client.get(LIST_URL, {"status": ""}).content.decode()
    assert "already shown" in html


def test_the_comments_menu_item_carries_the_pending_count(client, moderator, article):
    _comment(article, "waiting")
    client.force_login(moderator)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert '"label": "Comments (1)"' in html
    # The sidebar's items travel as JSON in the page, where "&" is written \u0026.
    assert "/admin/snippets/comments/comment/?status=pending\\u0026ordering=created_at" in html

    Comment.objects.update(status=Status.PUBLISHED)
    from gazette.comments.queries import forget_pending_count

    with transaction.atomic():
        forget_pending_count()
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Comments (" not in html
