"""An editor turns two-factor on and off from Account > Two-factor authentication."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gazette.twofactor.services import secret_for_manual_entry

from .codes import code_for, device_of

pytestmark = pytest.mark.django_db
MANAGE = "/admin/two-factor/"


def test_the_account_page_links_to_two_factor(client, editor):
    client.force_login(editor)
    response = client.get(reverse("wagtailadmin_account"))
    assert MANAGE in response.content.decode()


def test_enrolment_shows_an_inline_qr_code_and_the_secret(client, editor):
    client.force_login(editor)
    response = client.get(MANAGE)
    assert response.status_code == 200
    page = response.content.decode()
    pending = TOTPDevice.objects.get(user=editor, confirmed=False)
    assert "<svg" in page and "<img" not in page.split('id="main"')[-1]
    assert secret_for_manual_entry(pending) in page
    assert "<script>" not in page.split('id="main"')[-1]
    # A reload keeps the QR code the editor may already have scanned.
    client.get(MANAGE)
    assert TOTPDevice.objects.get(user=editor).pk == pending.pk


def test_a_wrong_code_does_not_confirm_the_device(client, editor, clock):
    client.force_login(editor)
    client.get(MANAGE)
    response = client.post(MANAGE, {"code": "000000"})
    assert response.status_code == 200
    assert "That code is not valid" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=editor, confirmed=True).exists()


def test_the_right_code_confirms_the_device_and_shows_backup_codes_once(client, editor, clock):
    client.force_login(editor)
    client.get(MANAGE)
    response = client.post(MANAGE, {"code": code_for(device_of(editor))})
    assert response.status_code == 200
    tokens = list(StaticToken.objects.filter(device__user=editor).values_list("token", flat=True))
    assert len(tokens) == 10
    page = response.content.decode()
    assert all(token in page for token in tokens)
    assert device_of(editor).confirmed
    # This session is verified: the admin opens, and the status page shows no codes again.
    assert client.get("/admin/").status_code == 200
    status_page = client.get(MANAGE).content.decode()
    assert "10 unused backup codes" in status_page
    assert tokens[0] not in status_page


def test_removal_needs_a_valid_code(client, editor, clock):
    client.force_login(editor)
    client.get(MANAGE)
    client.post(MANAGE, {"code": code_for(device_of(editor))})
    clock.shift(30)

    refused = client.post(f"{MANAGE}remove/", {"code": "123456"})
    assert "That code is not valid" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=editor).exists()

    clock.shift(30)  # past the 1 s that one wrong code costs, and on to a fresh code
    removed = client.post(f"{MANAGE}remove/", {"code": code_for(device_of(editor))}, follow=True)
    assert "Two-factor authentication is off" in removed.content.decode()
    # The page it lands on offers a fresh enrolment (a new, unconfirmed secret).
    assert not TOTPDevice.objects.filter(user=editor, confirmed=True).exists()
    assert not StaticToken.objects.filter(device__user=editor).exists()
