"""A page form no browser sends (made by hand) answers 400 with a plain reason, where Wagtail's
editor would raise and answer 500; nothing is saved. tests/stack/test_hostile_admin.py sends
the same through the real stack."""

import pytest
from django.urls import reverse

from gazette.news.models import ArticlePage
from tests.admin_forms import article_form_data
from tests.factories import SectionFactory

pytestmark = pytest.mark.django_db

TAMPERED = {
    "a block count that is no number": {"body-count": "many"},
    "a block without its fields": {"body-count": "1", "body-0-type": "paragraph"},
    "rich text that is no JSON": {
        "body-count": "1",
        "body-0-type": "paragraph",
        "body-0-value": "<script>alert(1)</script>",
        "body-0-deleted": "",
        "body-0-order": "0",
        "body-0-id": "",
    },
    "a chooser's id that is no number": {"lead_image": "1 OR 1=1"},
}


@pytest.mark.parametrize("fields", TAMPERED.values(), ids=TAMPERED.keys())
def test_a_tampered_page_form_gets_400_and_saves_nothing(editor_client, home, fields):
    section = SectionFactory(parent=home)
    add = reverse("wagtailadmin_pages:add", args=["news", "articlepage", section.pk])
    article = ArticlePage(title="Tampered", slug="tampered")
    data = {**article_form_data(article, action="publish"), **fields}
    response = editor_client.post(add, data)
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()
    assert not ArticlePage.objects.filter(slug="tampered").exists()


def test_a_form_as_the_editor_sends_it_is_not_affected(editor_client, home):
    section = SectionFactory(parent=home)
    add = reverse("wagtailadmin_pages:add", args=["news", "articlepage", section.pk])
    article = ArticlePage(title="As sent", slug="as-sent")
    response = editor_client.post(add, article_form_data(article, body="<p>Words.</p>"))
    assert response.status_code == 302
    assert ArticlePage.objects.filter(slug="as-sent").exists()
