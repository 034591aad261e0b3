"""Who must use two-factor authentication, read from the settings (environment-driven).

Two-factor is optional for every editor; ``GAZETTE_2FA_REQUIRED_FOR_SUPERUSERS`` and
``GAZETTE_2FA_REQUIRED_GROUPS`` (group names, or ``*`` for every admin user) make it
mandatory for some.
"""

from __future__ import annotations

from django.conf import settings

EVERYONE = "*"


def is_two_factor_required(user) -> bool:
    """Whether ``user`` may use the admin only once they have enrolled a device."""
    groups = list(getattr(settings, "GAZETTE_2FA_REQUIRED_GROUPS", []))
    if EVERYONE in groups:
        return True
    if user.is_superuser and getattr(settings, "GAZETTE_2FA_REQUIRED_FOR_SUPERUSERS", False):
        return True
    return bool(groups) and user.groups.filter(name__in=groups).exists()
