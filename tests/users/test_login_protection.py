"""Admin logins are protected against brute force by django-axes."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

AXES_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]


@pytest.fixture
def editor(settings):
    settings.AUTHENTICATION_BACKENDS = AXES_BACKENDS
    settings.AXES_FAILURE_LIMIT = 3
    return get_user_model().objects.create_user("editor", password="correct horse battery")


def _login(client, password):
    return client.post(
        "/admin/login/", {"username": "editor", "password": password}, REMOTE_ADDR="192.0.2.10"
    )


def test_repeated_failures_lock_the_login_out(client, editor):
    for _ in range(2):
        assert _login(client, "wrong").status_code == 200  # the form again, with an error
    assert _login(client, "wrong").status_code == 429  # the third failure locks the login
    locked = _login(client, "correct horse battery")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_correct_password_logs_in_before_the_limit(client, editor):
    _login(client, "wrong")
    response = _login(client, "correct horse battery")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)
