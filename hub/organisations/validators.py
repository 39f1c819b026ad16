"""Formats of UK charity and company registration numbers."""

import re

from django.core.exceptions import ValidationError

# England and Wales: 6 or 7 digits (with an optional -N for a linked charity);
# Scotland: SC + 6 digits; Northern Ireland: NIC + 6 digits, or the older 100000-199999 range.
_CHARITY = re.compile(r"^(?:\d{6,7}(?:-\d{1,2})?|SC\d{6}|NIC\d{6}|NI\d{6})$")
# Companies House: 8 characters, either 8 digits or a two-letter prefix and 6 digits.
_COMPANY = re.compile(
    r"^(?:\d{8}|(?:SC|NI|OC|SO|NC|R0|IP|SP|RS|SI|NP|NO|GS|SL|SZ|FC|SF|NF|LP|NL|ZC)\d{6})$"
)


def normalise_registration_number(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def validate_charity_number(value: str) -> None:
    if value and not _CHARITY.match(normalise_registration_number(value)):
        raise ValidationError(
            "Enter a registered charity number in the right format, like 1234567, SC012345 "
            "or NIC100123",
            code="invalid_charity_number",
        )


def validate_company_number(value: str) -> None:
    if value and not _COMPANY.match(normalise_registration_number(value)):
        raise ValidationError(
            "Enter a company number in the right format: 8 digits, like 01234567, or two "
            "letters and 6 digits, like SC123456",
            code="invalid_company_number",
        )
