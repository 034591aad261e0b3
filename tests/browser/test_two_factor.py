"""An editor turns two-factor on in a real browser: the QR code is drawn inline (nothing
fetched from elsewhere) and a code from the secret confirms it."""

import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.twofactor.codes import code_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_editor_enrols_from_the_admin(open_page, live_server, artifacts):
    user = get_user_model().objects.create_superuser("chief", "", "pw-for-the-browser")
    page, watch = open_page("/admin/login/?next=/admin/two-factor/")
    page.fill("input[name=username]", "chief")
    page.fill("input[name=password]", "pw-for-the-browser")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/two-factor/")

    qr = page.locator("#main svg title", has_text="QR code for your authenticator app")
    assert qr.count() == 1
    secret = page.locator("#twofactor-secret").inner_text()
    assert len(secret.replace(" ", "")) == 32
    page.screenshot(path=str(artifacts / "two-factor-enrolment-1280.png"), full_page=True)

    page.fill("input[name=code]", code_for(TOTPDevice.objects.get(user=user)))
    page.click("text=Turn on two-factor authentication")
    page.wait_for_selector("#twofactor-backup-codes")
    page.screenshot(path=str(artifacts / "two-factor-backup-codes-1280.png"))
    backup_codes = page.locator("#twofactor-backup-codes li").all_inner_texts()
    assert len(backup_codes) == 10
    assert TOTPDevice.objects.get(user=user).confirmed

    # Next sign-in: the password, then the code page; a backup code gets through.
    page.context.clear_cookies()
    page.goto(live_server.url + "/admin/login/?next=/admin/pages/")
    page.fill("input[name=username]", "chief")
    page.fill("input[name=password]", "pw-for-the-browser")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/two-factor/verify/?next=*")
    page.screenshot(path=str(artifacts / "two-factor-verify-1280.png"))
    page.fill("input[name=code]", backup_codes[0])
    page.click("text=Verify")
    page.wait_for_url("**/admin/pages/")
    assert watch.foreign_requests == []
    assert watch.console_errors == []
