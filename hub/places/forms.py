from django import forms
from django.core.exceptions import ValidationError

from hub.core.forms import HubForm
from hub.places.postcodes import MAX_RAW_LENGTH, normalise_postcode

NOT_A_POSTCODE = "Enter a real postcode, like S40 1LP"


class PostcodeLookupForm(HubForm):
    postcode = forms.CharField(
        label="Postcode",
        help_text="For example, S40 1LP",
        # Longer input is refused by clean_postcode with the same message as any other
        # non-postcode, rather than Django's "at most N characters".
        strip=True,
        error_messages={"required": "Enter a postcode"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "postal-code",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
                "maxlength": str(MAX_RAW_LENGTH),
            }
        ),
    )

    def clean_postcode(self) -> str:
        try:
            return normalise_postcode(self.cleaned_data["postcode"])
        except ValueError:
            raise ValidationError(NOT_A_POSTCODE, code="invalid") from None
