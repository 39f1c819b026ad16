"""UK postcodes: one spelling for every postcode, and the lookup of a postcode's ward.

A resident's postcode is personal data: nothing here logs it, and views take it
from a POST body, never from a URL.
"""

import re

from hub.places.models import Postcode

# The shape of every geographic UK postcode, after normalisation to upper case with
# one space before the last three characters. Outward codes: A9, A99, AA9, AA99,
# A9A, AA9A, with the letters the Royal Mail allows in each position; inward code:
# a digit then two letters (never C, I, K, M, O or V). GIR 0AA is Girobank's.
POSTCODE_RE = re.compile(
    r"^(?:GIR 0AA|"
    r"(?:[A-PR-UWYZ][0-9][0-9]?"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?"
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"
    r" [0-9][ABD-HJLNP-UW-Z]{2})$"
)

# Anything longer than this cannot be a postcode however it is spaced; checking the
# length first keeps hostile megabyte-long input away from the rest of the work.
MAX_RAW_LENGTH = 16


def normalise_postcode(value: str) -> str:
    """``value`` as a normalised UK postcode ("s401lp" → "S40 1LP").

    Guarantees the result matches ``POSTCODE_RE``; raises ``ValueError`` with a
    message fit to show to the person who typed it otherwise.
    """
    if not isinstance(value, str):
        raise ValueError("A postcode must be text")
    if len(value) > MAX_RAW_LENGTH:
        raise ValueError(f"A postcode is at most 8 characters; this is {len(value):,}")
    compact = "".join(value.split()).upper()
    if not compact:
        raise ValueError("Enter a postcode")
    if not compact.isascii() or not compact.isalnum():
        raise ValueError("A postcode has only letters and numbers, like S40 1LP")
    if not 5 <= len(compact) <= 7:
        raise ValueError("A postcode has 5 to 7 letters and numbers, like S40 1LP")
    candidate = f"{compact[:-3]} {compact[-3:]}"
    if not POSTCODE_RE.match(candidate):
        raise ValueError(f"{candidate} is not a UK postcode")
    return candidate


def postcode_lookup(postcode: str) -> Postcode | None:
    """The known postcode ``postcode`` (any spelling), with its ward and district, or None.

    Raises ``ValueError`` (from ``normalise_postcode``) if ``postcode`` is not a
    postcode at all, so a caller can tell "not a postcode" from "not one we know".
    One query.
    """
    normalised = normalise_postcode(postcode)
    return (
        Postcode.objects.select_related("ward", "ward__parent").filter(postcode=normalised).first()
    )
