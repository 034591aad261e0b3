"""The checks on every publish from the admin: a blocking failure stops it and names each
failure, a warning lets it go, and an editor with the permission publishes anyway with a reason
that is logged."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import GroupPagePermission, PageLogEntry, Site
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from gazette.checks.models import PublishingChecks
from gazette.news.models import ArticlePage
from tests.admin_forms import article_form_data
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def checks(home):
    checks, _ = PublishingChecks.objects.get_or_create(site=Site.objects.get(is_default_site=True))
    checks.byline = "block"
    checks.links = "block"
    checks.headline_length = "warn"
    checks.save()
    return checks


@pytest.fixture
def article(home):
    return ArticleFactory(
        parent=SectionFactory(parent=home), title="A draft story, long enough", live=False
    )


def _publish(client, article, *, title=None, authors=(), body="<p>Words.</p>", action="publish"):
    data = article_form_data(
        article,
        title=title or article.title,
        body=body,
        article_authors=inline_formset([{"author": a.pk} for a in authors]),
        action=action,
    )
    return client.post(reverse("wagtailadmin_pages:edit", args=[article.pk]), data, follow=True)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_a_blocking_failure_stops_the_publish_names_it_and_keeps_the_draft(
    editor_client, article, checks
):
    response = _publish(editor_client, article, body='<p><a href="http://localhost/x">x</a></p>')
    article.refresh_from_db()
    assert not article.live
    kept = article.latest_revision.as_object().body.raw_data[0]["value"]
    assert 'href="http://localhost/x"' in kept
    (message,) = _messages(response)
    assert "Not published: 2 checks failed. Your changes are saved as a draft." in message
    assert "<li>No author: add one under Authors.</li>" in message
    assert "The body links to localhost, the editor&#x27;s own computer" in message
    assert response.redirect_chain[-1][0] == reverse("wagtailadmin_pages:edit", args=[article.pk])


def test_warnings_are_shown_and_the_story_goes_out(editor_client, article, checks):
    response = _publish(editor_client, article, title="Too short", authors=[AuthorFactory()])
    assert ArticlePage.objects.get(pk=article.pk).live
    joined = " ".join(_messages(response))
    assert "Published with warnings from the checks" in joined
    assert "The headline is 9 characters long; it needs 10 at least." in joined


def test_saving_a_draft_is_never_checked(editor_client, article, checks):
    response = _publish(editor_client, article, action="save")
    assert response.status_code == 200
    assert not any("check" in message for message in _messages(response))


def test_scheduling_is_a_publish_and_is_checked(editor_client, article, checks):
    from datetime import timedelta

    from django.utils import timezone

    data = nested_form_data(
        {
            "title": article.title,
            "slug": article.slug,
            "body": streamfield([]),
            "article_authors": inline_formset([]),
            "editors_picks": inline_formset([], max=5),
            "editors_exclusions": inline_formset([]),
            "tags": "",
            "go_live_at": (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
            "action-publish": "publish",
        }
    )
    editor_client.post(reverse("wagtailadmin_pages:edit", args=[article.pk]), data)
    assert not article.revisions.exclude(approved_go_live_at=None).exists()


def _editor(*, may_override: bool):
    user = get_user_model().objects.create_user("desk", "desk@example.org", "pw")
    group = Group.objects.get(name="Moderators")  # Wagtail's Editors may not publish
    user.groups.add(group)
    if may_override:
        user.user_permissions.add(Permission.objects.get(codename="publish_despite_checks"))
    return user


def test_an_editor_with_the_permission_publishes_anyway_with_a_logged_reason(
    client, article, checks
):
    client.force_login(_editor(may_override=True))
    response = _publish(client, article)
    assert "Publish anyway…" in response.content.decode()
    revision = article.revisions.order_by("-pk").first()
    url = reverse("checks_publish_despite", args=[article.pk, revision.pk])

    page = client.get(url).content.decode()
    assert "No author: add one under Authors." in page
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 200 and "Give a reason" in refused.content.decode()
    assert not ArticlePage.objects.get(pk=article.pk).live

    done = client.post(url, {"reason": "Agency copy: the byline comes later."})
    assert done.status_code == 302
    assert ArticlePage.objects.get(pk=article.pk).live
    entry = PageLogEntry.objects.get(action="checks.published_despite")
    assert entry.user.username == "desk" and entry.page_id == article.pk
    assert entry.data["reason"] == "Agency copy: the byline comes later."
    assert entry.data["failures"] == [
        {"check": "byline", "message": "No author: add one under Authors."}
    ]
    history = client.get(reverse("wagtailadmin_pages:history", args=[article.pk])).content
    assert "Agency copy: the byline comes later." in history.decode()


def test_without_the_permission_there_is_no_way_around(client, article, checks):
    client.force_login(_editor(may_override=False))
    response = _publish(client, article)
    assert "Publish anyway" not in response.content.decode()
    revision = article.revisions.order_by("-pk").first()
    url = reverse("checks_publish_despite", args=[article.pk, revision.pk])
    refused = client.post(url, {"reason": "Because"})
    assert refused.status_code == 302 and refused["Location"] == reverse("wagtailadmin_home")
    assert not ArticlePage.objects.get(pk=article.pk).live
    assert not PageLogEntry.objects.filter(action="checks.published_despite").exists()


def test_an_override_of_an_old_version_is_refused(editor_client, article, checks):
    _publish(editor_client, article)
    old = article.revisions.order_by("-pk").first()
    _publish(editor_client, article, action="save", title="A newer draft of the story")
    url = reverse("checks_publish_despite", args=[article.pk, old.pk])
    response = editor_client.post(url, {"reason": "Urgent"})
    assert "A newer version of the story was saved since" in response.content.decode()
    assert not ArticlePage.objects.get(pk=article.pk).live


def test_bulk_publishing_from_the_explorer_is_checked_too(editor_client, article, checks):
    url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish"))
    response = editor_client.post(f"{url}?id={article.pk}", {}, follow=True)
    assert not ArticlePage.objects.get(pk=article.pk).live
    assert any("checks fail for “A draft story" in m for m in _messages(response))


def test_editors_see_the_setting_and_the_permission(editor_client, checks):
    url = reverse("wagtailsettings:edit", args=["checks", "publishingchecks", checks.site_id])
    html = editor_client.get(url).content.decode()
    assert "Block publishing" in html and "Warn, publish anyway" in html
    assert Permission.objects.filter(codename="publish_despite_checks").exists()


def test_group_page_permissions_still_apply(client, article, checks):
    """A user who may not publish the page at all cannot use the way around either."""
    user = get_user_model().objects.create_user("outsider", "o@example.org", "pw")
    user.user_permissions.add(
        Permission.objects.get(codename="publish_despite_checks"),
        Permission.objects.get(codename="access_admin"),
    )
    assert not GroupPagePermission.objects.filter(group__user=user).exists()
    client.force_login(user)
    revision = article.save_revision()
    url = reverse("checks_publish_despite", args=[article.pk, revision.pk])
    refused = client.post(url, {"reason": "Because"})
    assert refused.status_code == 302 and refused["Location"] == reverse("wagtailadmin_home")
    assert not ArticlePage.objects.get(pk=article.pk).live
