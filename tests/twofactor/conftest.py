import pytest
import time_machine
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from .codes import PASSWORD


@pytest.fixture
def clock():
    """Frozen time that tests move on by whole TOTP steps (a code is accepted only once)."""
    with time_machine.travel("2026-11-26 09:00:00 +0000", tick=False) as traveller:
        yield traveller


@pytest.fixture
def editor(db):
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user("editor", password=PASSWORD)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def enrolled_editor(editor):
    TOTPDevice.objects.create(user=editor, name="Authenticator app", confirmed=True)
    return editor
