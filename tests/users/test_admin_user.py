import pytest
from django.contrib.auth import get_user_model

from gazette.users.services import ensure_admin

pytestmark = pytest.mark.django_db


def test_admin_gets_a_generated_password_kept_across_runs(tmp_path):
    password_file = tmp_path / "admin-password.txt"
    password, created = ensure_admin(username="admin", password_file=password_file)
    assert created and len(password) >= 16
    assert password_file.stat().st_mode & 0o777 == 0o600
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.check_password(password)

    again, created_again = ensure_admin(username="admin", password_file=password_file)
    assert (again, created_again) == (password, False)


def test_two_installs_get_different_passwords(tmp_path):
    first, _ = ensure_admin(username="one", password_file=tmp_path / "one.txt")
    second, _ = ensure_admin(username="two", password_file=tmp_path / "two.txt")
    assert first != second


def test_a_lost_password_file_issues_a_new_password(tmp_path):
    password_file = tmp_path / "admin-password.txt"
    old, _ = ensure_admin(username="admin", password_file=password_file)
    password_file.unlink()
    new, created = ensure_admin(username="admin", password_file=password_file)
    assert not created and new != old
    assert get_user_model().objects.get(username="admin").check_password(new)
