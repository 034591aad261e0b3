"""Replies one level deep, with the comments' limit, rules and moderation; featured comments
first; threads a page at a time in a fixed number of queries."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from gazette.comments import services
from gazette.comments.models import Comment
from tests.factories import ArticleFactory

from .conftest import post

pytestmark = pytest.mark.django_db
Status = Comment.Status


def _comment(article, text="A first thought.", *, parent=None, status=Status.PUBLISHED, **kw):
    return Comment.objects.create(
        article=article,
        parent=parent,
        author_name=kw.pop("author_name", "Ada"),
        text=text,
        status=status,
        **kw,
    )


def _shown(html: str) -> list[str]:
    return re.findall(r'<p class="comment__text">(.*?)</p>', html)


# -- posting a reply ----------------------------------------------------------------------------


def test_a_reply_without_javascript_lands_under_its_comment(client, article):
    thread = _comment(article)
    response = post(client, article, parent=thread.pk, name="Bea", text="I agree.")
    reply = Comment.objects.get(author_name="Bea")
    assert reply.parent == thread and reply.status == Status.PUBLISHED
    assert response.status_code == 303
    assert response["Location"] == f"{article.url}?comment=published#comment-{reply.pk}"
    html = client.get(article.url).content.decode()
    replies = html.split(f'id="comment-{thread.pk}"', 1)[1].split("</ol>", 1)[0]
    assert f'id="comment-{reply.pk}"' in replies and "I agree." in replies
    assert 'class="comment__replies"' in replies


def test_the_reply_page_works_without_javascript_and_is_the_same_for_everyone(client, article):
    thread = _comment(article, "Ferries <b>are</b> back.")
    page = client.get(reverse("comments:reply", args=[thread.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Reply to Ada" in html and "Ferries &lt;b&gt;are&lt;/b&gt; back." in html
    assert f'name="parent" value="{thread.pk}"' in html
    assert f'action="/comments/{article.pk}/post/"' in html
    assert "csrfmiddlewaretoken" not in html and not page.cookies
    hidden = _comment(article, "Held", status=Status.PENDING)
    assert client.get(reverse("comments:reply", args=[hidden.pk])).status_code == 404


def test_a_reply_to_a_reply_joins_the_thread_one_level_deep(client, article):
    thread = _comment(article)
    first = _comment(article, "First reply", parent=thread, author_name="Bea")
    post(client, article, parent=first.pk, name="Cy", text="Second reply")
    second = Comment.objects.get(author_name="Cy")
    assert second.parent_id == thread.pk


def test_replies_meet_the_same_limit_rules_and_moderation(client, article, site_settings):
    thread = _comment(article)
    too_long = post(client, article, parent=thread.pk, text="x" * 301)
    assert too_long.status_code == 400 and "the limit is 300" in too_long.content.decode()
    assert f'name="parent" value="{thread.pk}"' in too_long.content.decode()  # still a reply

    post(client, article, parent=thread.pk, name="Linker", text="see example.com")
    assert Comment.objects.get(author_name="Linker").status == Status.PENDING

    site_settings.moderation = "pre"
    site_settings.save()
    response = post(client, article, parent=thread.pk, name="Later", text="Fine words.")
    assert Comment.objects.get(author_name="Later").status == Status.PENDING
    assert response["Location"] == f"{article.url}?comment=pending#comments"
    assert "Fine words." not in client.get(article.url).content.decode()


@pytest.mark.parametrize("parent_status", [Status.PENDING, Status.REJECTED])
def test_a_reply_to_a_comment_no_longer_shown_is_refused_and_keeps_the_text(
    client, article, parent_status
):
    thread = _comment(article, status=parent_status)
    response = post(client, article, parent=thread.pk, text="My careful reply")
    assert response.status_code == 409
    html = response.content.decode()
    assert "no longer shown" in html and "My careful reply</textarea>" in html
    assert not Comment.objects.filter(text="My careful reply").exists()


def test_a_reply_to_a_comment_on_another_article_is_refused(client, article):
    elsewhere = _comment(ArticleFactory(parent=article.get_parent()))
    response = post(client, article, parent=elsewhere.pk, json=True)
    assert response.status_code == 409 and response.json()["code"] == "no_parent"
    missing = post(client, article, parent=999999, json=True)
    assert missing.status_code == 409


def test_a_reply_with_javascript_answers_with_its_thread(client, article):
    thread = _comment(article)
    body = post(client, article, parent=thread.pk, json=True, text="Quick reply").json()
    assert body["ok"] and body["parent"] == thread.pk and body["count"] == 2
    assert "comment--reply" in body["html"] and "Quick reply" in body["html"]
    assert body["message"] == "Thank you. Your reply is published."


def test_replies_go_with_their_thread_when_it_is_taken_down(client, article, admin_user):
    thread = _comment(article, "Thread text")
    _comment(article, "Reply text", parent=thread, author_name="Bea")
    html = client.get(article.url).content.decode()
    assert _shown(html) == ["Thread text", "Reply text"]
    assert re.search(r"data-comment-count>2<", html)
    services.moderate_comment(comment=thread, action="reject", reason="rude", user=admin_user)
    html = client.get(article.url).content.decode()
    assert _shown(html) == [] and re.search(r"data-comment-count>0<", html)


# -- featured --------------------------------------------------------------------------------------


def test_featured_comments_come_first_and_are_marked(client, article, admin_user):
    start = timezone.now() - timedelta(hours=3)
    old, _middle, new = (
        _comment(article, text, created_at=start + timedelta(minutes=n))
        for n, text in enumerate(["Old", "Middle", "New"])
    )
    replies = [
        _comment(article, text, parent=old, created_at=start + timedelta(hours=1, minutes=n))
        for n, text in enumerate(["Reply 1", "Reply 2"])
    ]
    services.feature_comments(comments=[new, replies[1]], featured=True, user=admin_user)
    html = client.get(article.url).content.decode()
    assert _shown(html) == ["New", "Old", "Reply 2", "Reply 1", "Middle"]
    featured = html.split(f'id="comment-{new.pk}"', 1)[1].split("</li>", 1)[0]
    assert 'Featured<span class="visually-hidden"> comment</span>' in featured
    assert html.count('class="comment__badge"') == 2

    services.feature_comments(comments=[new], featured=False, user=admin_user)
    assert _shown(client.get(article.url).content.decode())[0] == "Old"


def test_moderators_feature_from_the_queue_and_it_is_logged(client, article, admin_user):
    from wagtail.models import ModelLogEntry

    comment = _comment(article)
    client.force_login(admin_user)
    url = reverse("wagtail_bulk_action", args=("comments", "comment", "feature"))
    confirm = client.get(f"{url}?id={comment.pk}").content.decode()
    assert "Feature 1 comment" in confirm and 'name="reason"' not in confirm
    response = client.post(f"{url}?id={comment.pk}", {})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.is_featured
    entry = ModelLogEntry.objects.get(action="comments.feature")
    assert entry.object_id == str(comment.pk) and entry.user == admin_user

    listing = client.get(reverse("wagtailsnippets_comments_comment:list"), {"status": ""})
    listing = listing.content.decode()
    assert "Stop featuring" in listing and "Featured" in listing


def test_the_no_javascript_redirect_finds_the_page_of_the_thread(client, article, admin_user):
    start = timezone.now() - timedelta(days=1)
    Comment.objects.bulk_create(
        Comment(
            article=article,
            author_name=f"R{n}",
            text=f"Comment {n}",
            status=Status.PUBLISHED,
            created_at=start + timedelta(minutes=n),
        )
        for n in range(120)
    )
    on_page_two = Comment.objects.get(text="Comment 60")
    response = post(client, article, parent=on_page_two.pk, name="Bea", text="Reply on two")
    reply = Comment.objects.get(author_name="Bea")
    assert response["Location"] == (
        f"{article.url}?comment=published&comments_page=2#comment-{reply.pk}"
    )
    assert "Reply on two" in client.get(f"{article.url}?comments_page=2").content.decode()
    # Featured, it moves to the first page, and so does the way to its replies.
    services.feature_comments(comments=[on_page_two], featured=True, user=admin_user)
    again = post(client, article, parent=on_page_two.pk, name="Cy", text="Another")
    assert "comments_page" not in again["Location"]


# -- queries ------------------------------------------------------------------------------------


def _threads(article, count, replies_each=0):
    start = timezone.now() - timedelta(days=2)
    threads = Comment.objects.bulk_create(
        Comment(
            article=article,
            author_name=f"Reader {n}",
            text=f"Thread {n}",
            status=Status.PUBLISHED,
            created_at=start + timedelta(minutes=n),
        )
        for n in range(count)
    )
    Comment.objects.bulk_create(
        Comment(
            article=article,
            parent=thread,
            author_name="Replier",
            text=f"Reply {r}",
            status=Status.PUBLISHED,
            created_at=start + timedelta(days=1, minutes=r),
        )
        for thread in threads
        for r in range(replies_each)
    )


def test_a_page_of_50_threads_with_their_replies_takes_a_fixed_number_of_queries(
    client, article, django_assert_num_queries
):
    from gazette.comments.presentation import comments_listing

    few = ArticleFactory(parent=article.get_parent())
    _threads(few, 1)
    _threads(article, 120, replies_each=3)
    for target in (few, article):
        # The page of threads and its count in one query; all the replies of those in one.
        with django_assert_num_queries(2):
            context = comments_listing(target, "1")
    assert len(context["comments"]) == 50
    assert all(len(thread.shown_replies) == 3 for thread in context["comments"])
    assert context["count"] == 120 * 4


def test_the_article_page_costs_the_same_with_50_threads_as_with_one(client, article):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    few = ArticleFactory(parent=article.get_parent())
    _threads(few, 1)
    _threads(article, 120, replies_each=2)

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    queries(few.url), queries(article.url)  # warm the caches both pages share
    assert queries(article.url) == queries(few.url)
    # A page of comments not rendered before: its threads and their replies, two queries.
    assert queries(f"{article.url}?comments_page=3") == queries(few.url) + 2
    assert queries(f"{article.url}?comments_page=3") == queries(few.url)


def test_posting_and_replying_cost_a_fixed_number_of_queries(
    client, article, site_settings, django_assert_num_queries
):
    site_settings.save()
    thread = _comment(article)
    _threads(article, 60, replies_each=2)
    client.get(article.url)  # warm the shared parts
    post(client, article, json=True, text="It keeps the article", headers={"REMOTE_ADDR": "::1"})
    # The insert with its repeat check (one statement, no transaction of its own), the count
    # of published comments (in the insert's statement on PostgreSQL); the article, the site
    # and its settings from the shared parts.
    counted_apart = 0 if connection.vendor == "postgresql" else 1
    with django_assert_num_queries(1 + counted_apart):
        assert post(client, article, json=True, text="A new thought").status_code == 201
    # And the comment replied to, with its thread.
    with django_assert_num_queries(2 + counted_apart):
        response = post(client, article, json=True, parent=thread.pk, text="A reply")
        assert response.status_code == 201
    # Without JavaScript: the page of the thread instead of the count.
    with django_assert_num_queries(3):
        assert post(client, article, parent=thread.pk, text="Another reply").status_code == 303
