"""Keep personal data out of application logs."""

import logging
import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_NHS_NUMBER = re.compile(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
_PHONE = re.compile(r"(?<!\d)(?:\+44\s?|0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\d)")


def scrub(text: str) -> str:
    """Mask e-mail addresses, NHS numbers, postcodes and UK phone numbers in ``text``."""
    text = _EMAIL.sub("[email]", text)
    text = _NHS_NUMBER.sub("[number]", text)
    text = _PHONE.sub("[phone]", text)
    return _POSTCODE.sub("[postcode]", text)


class PersonalDataFilter(logging.Filter):
    """A last line of defence: our code logs identifiers only, and this masks any slip."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = ()
        return True
