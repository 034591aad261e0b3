import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction


@transaction.atomic
def ensure_admin(*, username: str, password_file: Path) -> tuple[str, bool]:
    """Make sure a superuser exists and return (password, created).

    The password is generated, never a fixed default, and kept in ``password_file`` (outside
    git, mode 0600) so that a second run can print it again without resetting it.
    """
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    stored = password_file.read_text().strip() if password_file.exists() else ""
    if user is not None and stored and user.check_password(stored):
        return stored, False
    password = secrets.token_urlsafe(12)
    if user is None:
        User.objects.create_superuser(username=username, email="", password=password)
        created = True
    else:
        # The stored password is gone or was changed by hand: issue a fresh one.
        user.set_password(password)
        user.save(update_fields=["password"])
        created = False
    password_file.parent.mkdir(parents=True, exist_ok=True)
    password_file.write_text(password + "\n")
    password_file.chmod(0o600)
    return password, created
