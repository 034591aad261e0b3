"""Two-factor made mandatory for chosen groups or superusers; readers never touched."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.functional import SimpleLazyObject
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from gazette.twofactor.middleware import AdminTwoFactorMiddleware

from .codes import code_for, device_of

pytestmark = pytest.mark.django_db
MANAGE = "/admin/two-factor/"


def test_a_required_group_must_enrol_before_using_the_admin(client, editor, settings, clock):
    settings.GAZETTE_2FA_REQUIRED_GROUPS = ["Editors"]
    client.force_login(editor)
    for path in ["/admin/", "/admin/pages/", "/admin/account/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(f"{MANAGE}?next="), path
    enrolment = client.get(MANAGE, follow=True)
    assert "must use two-factor authentication" in enrolment.content.decode()

    client.post(MANAGE, {"code": code_for(device_of(editor))})
    assert client.get("/admin/pages/").status_code == 200


def test_other_groups_stay_optional(client, editor, settings):
    settings.GAZETTE_2FA_REQUIRED_GROUPS = ["Moderators"]
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200


def test_superusers_can_be_required_on_their_own(client, settings):
    settings.GAZETTE_2FA_REQUIRED_FOR_SUPERUSERS = True
    admin = get_user_model().objects.create_superuser("chief", "", "pw")
    client.force_login(admin)
    assert client.get("/admin/")["Location"].startswith(MANAGE)


def test_everyone_with_a_star(client, editor, settings):
    settings.GAZETTE_2FA_REQUIRED_GROUPS = ["*"]
    editor.groups.set([Group.objects.get(name="Moderators")])
    client.force_login(editor)
    assert client.get("/admin/")["Location"].startswith(MANAGE)


def test_reset_command_removes_an_editors_devices(enrolled_editor, capsys):
    StaticDevice.objects.create(user=enrolled_editor, name="Backup codes")
    call_command("reset_2fa", "editor")
    assert "editor: two-factor reset (2 device(s) removed)" in capsys.readouterr().out
    assert not TOTPDevice.objects.filter(user=enrolled_editor).exists()
    assert not StaticDevice.objects.filter(user=enrolled_editor).exists()


def test_reset_command_names_unknown_users_and_resets_nothing(enrolled_editor):
    with pytest.raises(CommandError, match="No such user: ghost"):
        call_command("reset_2fa", "editor", "ghost")
    assert TOTPDevice.objects.filter(user=enrolled_editor).exists()


def test_after_a_reset_the_editor_is_no_longer_asked_for_a_code(client, enrolled_editor):
    client.force_login(enrolled_editor)
    assert client.get("/admin/").status_code == 302
    call_command("reset_2fa", "editor")
    assert client.get("/admin/").status_code == 200


def _user_that_must_not_be_read():
    raise AssertionError("the middleware read the user of a reader request")


@pytest.mark.parametrize("path", ["/", "/world/some-story/", "/analytics/views/1/", "/api/v1/"])
def test_reader_requests_are_not_looked_at(path, django_assert_num_queries):
    middleware = AdminTwoFactorMiddleware(lambda request: HttpResponse("page"))
    request = RequestFactory().get(path)
    request.user = SimpleLazyObject(_user_that_must_not_be_read)
    with django_assert_num_queries(0):
        response = middleware(request)
        assert middleware.process_view(request, None, (), {}) is None
    assert response.content == b"page"


def test_a_signed_in_unverified_editor_still_sees_reader_pages(client, enrolled_editor):
    client.force_login(enrolled_editor)
    assert client.get("/healthz").status_code == 200
    assert client.get("/admin/").status_code == 302


def test_anonymous_admin_requests_still_go_to_the_password_login(client, enrolled_editor):
    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get("/admin/two-factor/verify/")["Location"].startswith("/admin/login/")
