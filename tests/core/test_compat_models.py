"""gazette.core.compat's reliance on Django's model internals: an instance marked as the
stored row is that row (not new) and updates it on its next save."""

import pytest
from taggit.models import Tag

from gazette.core import compat

pytestmark = pytest.mark.django_db


def test_an_instance_marked_as_stored_updates_that_row():
    stored = Tag.objects.create(name="Before", slug="before")
    copy = Tag(name="After", slug="before")
    assert copy._state.adding
    compat.mark_as_stored(copy, stored.pk)
    assert not copy._state.adding
    copy.validate_unique()  # its own slug is no clash: it is the row
    copy.save()
    assert list(Tag.objects.values_list("pk", "name")) == [(stored.pk, "After")]
