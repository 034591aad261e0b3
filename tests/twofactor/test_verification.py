"""After the password, an editor with two-factor gives a code before any admin page."""

import pytest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from .codes import PASSWORD, code_for, device_of

pytestmark = pytest.mark.django_db
VERIFY = "/admin/two-factor/verify/"


def _password_login(client):
    response = client.post("/admin/login/", {"username": "editor", "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_admin_pages_wait_for_the_code_after_the_password(client, enrolled_editor):
    _password_login(client)
    for path in ["/admin/", "/admin/pages/", "/admin/two-factor/", "/admin/account/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(f"{VERIFY}?next="), path
        assert "no-store" in response["Cache-Control"]
    assert client.get(VERIFY).status_code == 200


def test_a_wrong_code_is_refused_with_a_message(client, enrolled_editor, clock):
    _password_login(client)
    for code in ["000000", "not a code", ""]:
        response = client.post(VERIFY, {"code": code, "next": "/admin/pages/"})
        assert response.status_code == 200
        assert client.get("/admin/").status_code == 302
        clock.shift(1)  # each wrong code costs a second (exponential throttle)
    assert "That code is not valid" in client.post(VERIFY, {"code": "999999"}).content.decode()
    assert "This field is required" in client.post(VERIFY, {"code": ""}).content.decode()


def test_the_right_code_opens_the_admin_and_cannot_be_used_twice(client, enrolled_editor, clock):
    _password_login(client)
    code = code_for(device_of(enrolled_editor))
    response = client.post(VERIFY, {"code": code, "next": "/admin/pages/"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/pages/"
    assert client.get("/admin/").status_code == 200

    client.post("/admin/logout/")
    _password_login(client)
    replayed = client.post(VERIFY, {"code": code})
    assert replayed.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_wrong_codes_are_throttled_even_for_the_right_code(client, enrolled_editor, clock):
    _password_login(client)
    for wait in [1, 2, 0]:
        refused = client.post(VERIFY, {"code": "000000"})
        clock.shift(wait)  # each wait as long as the throttle asks: the next try is counted
    assert "Too many wrong codes. Wait 4 seconds" in refused.content.decode()
    throttled = client.post(VERIFY, {"code": code_for(device_of(enrolled_editor))})
    assert throttled.status_code == 429
    assert "Too many wrong codes. Wait 4 seconds" in throttled.content.decode()
    assert client.get("/admin/").status_code == 302

    clock.shift(30)
    assert client.post(VERIFY, {"code": code_for(device_of(enrolled_editor))}).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_backup_code_works_once(client, enrolled_editor):
    backup = StaticDevice.objects.create(user=enrolled_editor, name="Backup codes")
    backup.token_set.create(token="abcd2345")
    _password_login(client)
    assert client.post(VERIFY, {"code": "ABCD 2345"}).status_code == 302
    assert client.get("/admin/").status_code == 200
    assert not StaticToken.objects.filter(token="abcd2345").exists()


def test_next_never_leaves_the_site(client, enrolled_editor, clock):
    _password_login(client)
    code = code_for(device_of(enrolled_editor))
    response = client.post(VERIFY, {"code": code, "next": "https://evil.example/"})
    assert response["Location"] == "/admin/"


def test_editors_without_a_device_are_not_asked(client, editor):
    _password_login(client)
    assert client.get("/admin/").status_code == 200
    assert client.get(VERIFY).status_code == 302  # nothing to verify: on to the admin
