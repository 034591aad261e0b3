"""What an editor's authenticator app shows, computed from the device's secret."""

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "correct horse battery"


def code_for(device: TOTPDevice) -> str:
    """The code the editor's app shows now (time-machine's clock in the tests that freeze it)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def device_of(user) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user)
