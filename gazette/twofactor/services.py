"""Enrolling, checking and removing an editor's second factor.

An editor's second factor is one TOTP device (an authenticator app) plus a set of single-use
backup codes (a django-otp static device) issued when the TOTP device is confirmed. Every
check goes through django-otp's devices, whose exponential throttling (1, 2, 4, 8... seconds
after each wrong code, per device) is what stops guessing.
"""

from __future__ import annotations

import base64
import math
import re
from dataclasses import dataclass
from datetime import datetime

import segno
from django.db import transaction
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
BACKUP_CODE_COUNT = 10
TOTP_CODE = re.compile(r"^\d{6}$")
THROTTLE_NOTICE_AFTER = 3


class CodeRejected(Exception):
    """A code that did not verify; ``message`` is for the editor."""

    def __init__(self, message: str, *, retry_at: datetime | None = None):
        super().__init__(message)
        self.message = message
        self.retry_at = retry_at

    @property
    def throttled(self) -> bool:
        return self.retry_at is not None


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    backup_codes: list[str]


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def remaining_backup_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def pending_device(*, user) -> TOTPDevice:
    """The unconfirmed device an enrolment shows, created on first use and kept until it is
    confirmed, so reloading the page does not change the QR code the editor has scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_for_manual_entry(device: TOTPDevice) -> str:
    """The base32 secret an app asks for when the QR code cannot be scanned, in groups of 4."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalise_code(code: str) -> str:
    # Apps show "123 456"; backup codes are lower case.
    return re.sub(r"[\s-]", "", code or "").lower()


def confirm_enrolment(*, user, code: str) -> Enrolment:
    """Confirm the pending device with a code from the app; issue fresh backup codes."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None:
            raise CodeRejected("This set-up page has expired. Scan the new QR code and try again.")
        # A rejection is raised only after the block: the failure it counted must be kept.
        rejection = _verify(device, normalise_code(code))
        if rejection is None:
            codes = _activate(device)
    if rejection is not None:
        raise rejection
    return Enrolment(device=device, backup_codes=codes)


def check_code(*, user, code: str) -> Device:
    """The confirmed device that accepts ``code`` (six digits: the app; else a backup code)."""
    code = normalise_code(code)
    model = TOTPDevice if TOTP_CODE.match(code) else StaticDevice
    with transaction.atomic():
        # Locked so that two concurrent guesses cannot both slip past the throttle.
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            raise CodeRejected("That code is not valid.")
        rejection = _verify(device, code)
    if rejection is not None:
        raise rejection
    return device


def remove_two_factor(*, user, code: str) -> None:
    """Turn two-factor off for ``user``, who proves it with a current code."""
    check_code(user=user, code=code)
    reset_two_factor(user=user)


@transaction.atomic
def reset_two_factor(*, user) -> int:
    """Delete all of ``user``'s devices and backup codes (an operator's reset); returns how
    many devices went."""
    totp_count = TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
    static_count = (
        StaticDevice.objects.filter(user=user).delete()[1].get(StaticDevice._meta.label, 0)
    )
    return totp_count + static_count


def _activate(device: TOTPDevice) -> list[str]:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # One authenticator per editor: an earlier one (or another pending one) is replaced.
    TOTPDevice.objects.filter(user=device.user_id).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=device.user_id).delete()
    backup = StaticDevice.objects.create(
        user_id=device.user_id, name=BACKUP_DEVICE_NAME, confirmed=True
    )
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=code) for code in codes)
    return codes


def _verify(device: Device, code: str) -> CodeRejected | None:
    """None if ``code`` verifies on ``device``, else why not. Never raises, so that the
    failure django-otp just counted is committed with the caller's transaction."""
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return _throttled(details)
    if code and device.verify_token(code):
        return None
    # Say so as soon as the throttle starts to be felt (4 s from the third wrong code on).
    allowed, details = device.verify_is_allowed()
    if not allowed and details.get("failure_count", 0) >= THROTTLE_NOTICE_AFTER:
        return _throttled(details)
    return CodeRejected(
        "That code is not valid. Check that your phone's clock is right and try again."
    )


def _throttled(details: dict) -> CodeRejected:
    retry_at = details.get("locked_until") or timezone.now()
    seconds = max(1, math.ceil((retry_at - timezone.now()).total_seconds()))
    return CodeRejected(
        f"Too many wrong codes. Wait {seconds} second{'s' if seconds != 1 else ''} and try again.",
        retry_at=retry_at,
    )


def enrolment_qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code: drawn here, so the page
    loads nothing from elsewhere and needs no image library."""
    qr = segno.make(device.config_url, error="m")
    return qr.svg_inline(
        scale=5, border=2, dark="#000", light="#fff", title="QR code for your authenticator app"
    )
