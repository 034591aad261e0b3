"""Issue 23, defect 9: a credit is required wherever an image is uploaded in the admin, and
the "is placeholder" flag is never offered to editors."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection, UploadedFile

from gazette.images.models import CustomImage
from tests.factories import ImageFactory

pytestmark = pytest.mark.django_db

REFUSED = "Every picture carries a credit"


def _file(name="harbour.png"):
    return SimpleUploadedFile(name, get_test_image_file().file.getvalue())


def _fields(**overrides):
    fields = {
        "title": "Harbour at dawn",
        "file": _file(),
        "collection": Collection.get_first_root_node().pk,
        "credit": "Staff photographer",
    }
    fields.update(overrides)
    return fields


@pytest.mark.parametrize("credit", ["", "   "])
def test_the_upload_form_refuses_an_image_without_a_credit(editor_client, credit):
    response = editor_client.post(reverse("wagtailimages:add"), _fields(credit=credit))
    assert response.status_code == 200
    html = response.content.decode()
    assert REFUSED in html
    assert 'value="Harbour at dawn"' in html  # what was typed is kept
    assert not CustomImage.objects.exists()


def test_the_upload_form_saves_an_image_with_its_credit(editor_client):
    response = editor_client.post(reverse("wagtailimages:add"), _fields(credit="  AFP "))
    assert response.status_code == 302
    assert CustomImage.objects.get().credit == "AFP"


def test_the_choosers_upload_tab_refuses_an_image_without_a_credit(editor_client):
    url = reverse("wagtailimages_chooser:create")

    def upload(credit):
        fields = {f"image-chooser-upload-{k}": v for k, v in _fields(credit=credit).items()}
        return json.loads(editor_client.post(url, fields).content)

    refused = upload("")
    assert refused["step"] == "reshow_creation_form"
    assert REFUSED in refused["htmlFragment"]
    assert "This field is required" not in refused["htmlFragment"]  # only the credit is missing
    assert not CustomImage.objects.exists()

    chosen = upload("Reuters")
    assert chosen["step"] == "chosen"
    assert CustomImage.objects.get().credit == "Reuters"


def test_a_multiple_upload_becomes_an_image_only_with_a_credit(editor_client):
    response = editor_client.post(
        reverse("wagtailimages:add_multiple"),
        {"files[]": _file("quay.png"), "collection": Collection.get_first_root_node().pk},
    )
    data = json.loads(response.content)
    # Wagtail keeps the file aside until the form is complete: no image without a credit.
    assert not CustomImage.objects.exists()
    upload_id = data["uploaded_file_id"]
    assert f'name="uploaded-image-{upload_id}-credit"' in data["form"]
    url = reverse("wagtailimages:create_multiple_from_uploaded_image", args=[upload_id])
    prefix = f"uploaded-image-{upload_id}-"
    fields = {
        prefix + "title": "Quay",
        prefix + "collection": Collection.get_first_root_node().pk,
        prefix + "credit": "",
    }
    refused = json.loads(editor_client.post(url, fields).content)
    assert refused["success"] is False and REFUSED in refused["form"]
    assert not CustomImage.objects.exists()

    fields[prefix + "credit"] = "Port authority"
    saved = json.loads(editor_client.post(url, fields).content)
    assert saved["success"] is True
    assert CustomImage.objects.get().credit == "Port authority"
    assert not UploadedFile.objects.exists()


def test_editors_are_not_offered_the_placeholder_box(editor_client):
    image = ImageFactory(is_placeholder=True)
    for url in (reverse("wagtailimages:add"), reverse("wagtailimages:edit", args=[image.pk])):
        assert "is_placeholder" not in editor_client.get(url).content.decode()
    # Saving the edit form keeps the flag the importer set.
    response = editor_client.post(
        reverse("wagtailimages:edit", args=[image.pk]),
        {
            "title": "Renamed",
            "collection": image.collection_id,
            "credit": image.credit,
            "caption": "",
            "tags": "",
            "description": "A stand-in",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    image.refresh_from_db()
    assert image.title == "Renamed" and image.is_placeholder
