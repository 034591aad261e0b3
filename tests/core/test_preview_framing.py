"""The admin's preview of a reader page may be framed by the admin's own origin (its preview
panel); the reader page itself by nobody."""

import pytest

from gazette.news.models import ArticlePage
from tests.admin_forms import article_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(seeded_once):
    """The reference article, imported once for the module (both tests only read it), read
    afresh for each test."""
    return ArticlePage.objects.get(pk=seeded_once.article.pk)


def _frame_ancestors(response) -> str:
    directives = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    return dict(directive.split(" ", 1) for directive in directives if directive)["frame-ancestors"]


def test_the_preview_panel_may_frame_the_preview_and_nobody_else_the_page(editor_client, article):
    preview_url = f"/admin/pages/{article.pk}/edit/preview/"
    posted = editor_client.post(
        preview_url, article_form_data(article, body="A paragraph only the preview has.")
    )
    assert posted.json()["is_valid"] is True

    preview = editor_client.get(preview_url, {"mode": "", "in_preview_panel": "true"})

    assert preview.status_code == 200
    assert "A paragraph only the preview has." in preview.content.decode()
    assert _frame_ancestors(preview) == "'self'"
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    # The rest of the reader policy is kept in the preview.
    assert "script-src 'self'" in preview["Content-Security-Policy"]

    page = editor_client.get(article.url)
    assert _frame_ancestors(page) == "'none'"
    assert page["X-Frame-Options"] == "DENY"


def test_a_request_cannot_ask_for_the_preview_policy(client, article):
    page = client.get(article.url, {"in_preview_panel": "true", "is_preview": "1"})
    assert _frame_ancestors(page) == "'none'"
    assert page["X-Frame-Options"] == "DENY"
