"""Checking and normalising what people type about residents."""

import re
from datetime import date

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from nhs_number import is_valid as _nhs_checksum_ok
from nhs_number.constants import REGION_ENGLAND_WALES_IOM, REGION_SYNTHETIC


def normalise_nhs_number(value: str) -> str:
    """Ten digits, no spaces; raises ValidationError with a plain-English reason."""
    digits = re.sub(r"[\s-]", "", value or "")
    if not digits.isdigit() or len(digits) != 10:
        raise ValidationError("Enter an NHS number of 10 digits, like 943 476 5919")
    if not _nhs_checksum_ok(digits):
        raise ValidationError("Enter a real NHS number: this one fails its check digit")
    # Only the ranges issued in England, Wales and the Isle of Man are real NHS numbers for
    # this hub; the synthetic range (9xx) is accepted only where settings allow test data.
    if REGION_ENGLAND_WALES_IOM.contains_number(digits):
        return digits
    if settings.HUB_ACCEPT_TEST_NHS_NUMBERS and REGION_SYNTHETIC.contains_number(digits):
        return digits
    raise ValidationError("Enter an NHS number issued in England, Wales or the Isle of Man")


def normalise_phone(value: str) -> str:
    """A UK (or international) phone number in E.164 form, or '' for blank."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError("Enter a phone number, like 0113 496 0000") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError("Enter a phone number that exists, like 0113 496 0000")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(value: str) -> str:
    if not value:
        return ""
    try:
        return phonenumbers.format_number(
            phonenumbers.parse(value, "GB"), phonenumbers.PhoneNumberFormat.NATIONAL
        )
    except phonenumbers.NumberParseException:
        return value


def validate_date_of_birth(value: date | None, *, today: date | None = None) -> None:
    if value is None:
        return
    today = today or timezone.localdate()
    if value > today:
        raise ValidationError("Date of birth must be in the past")
    if value.year < today.year - 120:
        raise ValidationError("Date of birth must be after " + str(today.year - 120))
