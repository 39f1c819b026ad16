"""Writes about people: creating them, two-factor devices."""

import base64

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from hub.accounts.models import User


@transaction.atomic
def user_create(*, email: str, full_name: str, password: str | None = None) -> User:
    """A new person who can sign in; with no password they set one through the reset link."""
    return User.objects.create_user(email=email, full_name=full_name, password=password)


def totp_device_for_setup(*, user: User) -> TOTPDevice:
    """The person's unconfirmed authenticator, made if they have none yet."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def totp_secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def totp_qr_svg(device: TOTPDevice) -> str:
    """The provisioning address as an inline SVG QR code (no image files, no JavaScript)."""
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2
    )
    return image.to_string(encoding="unicode")


class TooManyAttempts(Exception):
    """Wrong codes were entered too often; the person must wait before trying again."""


def totp_check(*, device: TOTPDevice, token: str) -> bool:
    """Whether ``token`` is right for ``device``, honouring django-otp's growing delays."""
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        raise TooManyAttempts
    return device.verify_token(token.strip().replace(" ", ""))


def totp_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm the device if the token is right; then older unconfirmed ones are removed."""
    if not totp_check(device=device, token=token):
        return False
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    return True


@transaction.atomic
def api_token_create(*, user: User) -> str:
    """A new API token for ``user``, replacing any old one. The key is shown only once."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user).key


def api_token_revoke(*, user: User) -> None:
    Token.objects.filter(user=user).delete()


def api_token_exists(*, user: User) -> bool:
    return Token.objects.filter(user=user).exists()
