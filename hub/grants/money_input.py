"""Money typed by people, in pounds and pence, turned into whole pence.

``parse_pounds("£2,500.50") == 250050``. Accepted: digits with an optional "£", commas only as
thousands separators ("2,500", "1,250,000") and at most two decimal places. Refused, each with a
message that says what to type instead: nothing at all, negatives, a third decimal place,
letters or exponents ("1e5"), and absurd sizes. Every grants form that takes money uses
``PoundsField`` (or ``parse_pounds`` directly), so the rules and the words are the same
everywhere.
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

# £100 million: far beyond any community grant, small enough that nobody's typo becomes a budget.
MAX_PENCE = 10_000_000_000
# Longer than any sensible amount ("£100,000,000.00" is 15): refuse before doing any work.
_MAX_LENGTH = 24
# ASCII digits only: str.isdigit() and Decimal() would take Arabic-Indic or full-width digits.
_AMOUNT = re.compile(r"^(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)?(?:\.([0-9]+))?$")
_EXAMPLE = "like 2,500 or 2,500.50"


def _strip(text: str) -> tuple[str, bool]:
    """The text without spaces and a leading "£"; and whether it started with a minus sign."""
    value = re.sub(r"\s+", "", str(text))
    negative = False
    if value.startswith(("-", "−")):  # a hyphen or a typographic minus
        negative, value = True, value[1:]
    if value.startswith("£"):
        value = value[1:]
    if value.startswith(("-", "−")):  # "£-5"
        negative, value = True, value[1:]
    if value.startswith("(") and value.endswith(")"):  # accountants' negatives: "(500)"
        negative, value = True, value[1:-1]
    return value, negative


def parse_pounds(text, *, label: str = "the amount", max_pence: int = MAX_PENCE) -> int:
    """Whole pence for ``text`` in pounds. Raises ``ValidationError`` with a message naming
    ``label`` (for example "the budget") and saying what to type instead."""
    shown = label[:1].upper() + label[1:]
    if text is None or not str(text).strip():
        raise ValidationError(f"Enter {label}", code="required")
    if len(str(text)) > _MAX_LENGTH:
        raise ValidationError(
            f"{shown} must be {_pounds_text(max_pence)} or less", code="too_large"
        )
    value, negative = _strip(text)
    match = _AMOUNT.match(value)
    if not value or value == "." or not match:
        raise ValidationError(f"Enter {label} in pounds and pence, {_EXAMPLE}", code="invalid")
    if negative:
        raise ValidationError(f"{shown} cannot be negative", code="negative")
    decimals = match.group(1)
    if decimals is not None and len(decimals) > 2:
        raise ValidationError(
            f"Enter {label} to the nearest penny, with no more than 2 decimal places, "
            "like 2,500.50",
            code="precision",
        )
    try:
        pence = int(Decimal(value.replace(",", "")) * 100)
    except InvalidOperation as exc:  # unreachable after the pattern, kept as a guard
        raise ValidationError(
            f"Enter {label} in pounds and pence, {_EXAMPLE}", code="invalid"
        ) from exc
    if pence > max_pence:
        raise ValidationError(
            f"{shown} must be {_pounds_text(max_pence)} or less", code="too_large"
        )
    return pence


def _pounds_text(pence: int) -> str:
    if pence % 100 == 0:
        return f"£{pence // 100:,}"
    return f"£{pence / 100:,.2f}"


def pence_to_input(pence: int | None) -> str:
    """What to put back in a form field for ``pence``: "2,500" or "2,500.50"."""
    if pence is None:
        return ""
    return _pounds_text(pence).lstrip("£")


class PoundsInput(forms.TextInput):
    def __init__(self, attrs=None):
        base = {"inputmode": "decimal", "spellcheck": "false", "class": "govuk-input--width-10"}
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return pence_to_input(value)
        return super().format_value(value)


class PoundsField(forms.Field):
    """A form field for money in pounds whose cleaned value is whole pence (``int``).

    ``min_pence`` refuses amounts below it ("must be more than £0" when it is 1);
    ``error_label`` is how messages name the field (default: "the " + lower-cased label).
    Initial values are given in pence and shown in pounds.
    """

    widget = PoundsInput

    def __init__(
        self,
        *,
        min_pence: int = 0,
        max_pence: int = MAX_PENCE,
        error_label: str | None = None,
        **kwargs,
    ):
        kwargs.setdefault("help_text", f"In pounds, {_EXAMPLE}")
        super().__init__(**kwargs)
        self.min_pence = min_pence
        self.max_pence = max_pence
        self.error_label = error_label

    def _label(self) -> str:
        if self.error_label:
            return self.error_label
        return f"the {str(self.label or 'amount').lower()}"

    def clean(self, value):
        if value is None or not str(value).strip():
            if self.required:
                raise ValidationError(f"Enter {self._label()}", code="required")
            return None
        label = self._label()
        pence = parse_pounds(value, label=label, max_pence=self.max_pence)
        if pence < self.min_pence:
            shown = label[:1].upper() + label[1:]
            if self.min_pence == 1:
                raise ValidationError(f"{shown} must be more than £0", code="too_small")
            raise ValidationError(
                f"{shown} must be {_pounds_text(self.min_pence)} or more", code="too_small"
            )
        self.run_validators(pence)
        return pence

    def has_changed(self, initial, data):
        try:
            return self.clean(data) != initial
        except ValidationError:
            return True
