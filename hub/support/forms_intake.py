"""The staff intake form: one page for a call handler taking a request for help."""

from django import forms
from django.core.exceptions import ValidationError

from hub.core.forms import HubForm
from hub.places.postcodes import normalise_postcode
from hub.support.forms_public import (
    DateOfBirthFields,
    drop_maxlength,
    grouped_options,
    need_choices,
)
from hub.support.models import Consent, SupportRequest
from hub.support.needs import NeedCategory
from hub.support.services.intake import (
    INTAKE_CHANNELS,
    SHARING_CONSENT,
    SHARING_NONE,
)
from hub.support.validation import normalise_nhs_number, normalise_phone

FLAGS = (
    ("shielding", "Shielding on clinical advice"),
    ("lives_alone", "Lives alone"),
    ("carer", "Is a carer"),
    ("disability", "Has a disability"),
    ("digitally_excluded", "Digitally excluded (cannot get online)"),
    ("young_person", "Young person"),
)

SUMMARY_MAX_LENGTH = 5000
DETAIL_MAX_LENGTH = 500


def _text(label, max_length, *, required=False, help_text="", required_message=""):
    messages = {"max_length": f"{label} must be {max_length:,} characters or fewer"}
    if required_message:
        messages["required"] = required_message
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        error_messages=messages,
    )


class IntakeForm(DateOfBirthFields):
    # The resident.
    first_name = _text("First name", 100, required=True, required_message="Enter their first name")
    last_name = _text("Last name", 100, required=True, required_message="Enter their last name")
    nhs_number = _text("NHS number", 20, help_text="10 digits, like 943 476 5919")
    address_line_1 = _text("Address line 1", 200)
    town = _text("Town or city", 100)
    postcode = _text("Postcode", 16)
    phone = _text("Phone number", 30, help_text="For example, 0113 496 0000")
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    preferred_language = _text("Preferred language", 60)
    communication_needs = _text(
        "Communication needs", 300, help_text="For example: large print, BSL interpreter"
    )
    flags = forms.MultipleChoiceField(
        label="About them",
        choices=FLAGS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
        error_messages={"invalid_choice": "Select from the list"},
    )
    # The request.
    channel = forms.ChoiceField(
        label="How did the request reach you?",
        choices=[(c.value, c.label) for c in INTAKE_CHANNELS],
        initial=SupportRequest.Channel.PHONE,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how the request reached you",
            "invalid_choice": "Select how the request reached you",
        },
    )
    on_behalf_name = _text(
        "Name of the person asking for them",
        200,
        help_text="Only if someone else is asking on the resident's behalf",
    )
    on_behalf_relationship = _text("Their relationship to the resident", 100)
    on_behalf_phone = _text("Their phone number", 30)
    needs = forms.MultipleChoiceField(
        label="What do they need help with?",
        choices=need_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply, and add any detail that helps.",
        error_messages={
            "required": "Select at least one thing they need help with",
            "invalid_choice": "Select what they need help with from the list",
        },
    )
    urgency = forms.ChoiceField(
        label="How urgent is it?",
        choices=SupportRequest.Urgency.choices,
        initial=SupportRequest.Urgency.ROUTINE,
        widget=forms.RadioSelect,
        help_text="Domestic abuse is always treated as same day.",
        error_messages={
            "required": "Select how urgent it is",
            "invalid_choice": "Select how urgent it is",
        },
    )
    summary = forms.CharField(
        label="Summary of the call",
        required=False,
        max_length=SUMMARY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "max_length": f"Summary must be {SUMMARY_MAX_LENGTH:,} characters or fewer"
        },
    )
    # Sharing.
    sharing = forms.ChoiceField(
        label="Can we share their details with partners?",
        choices=[
            (SHARING_CONSENT, "They consented to sharing with all partners"),
            (SHARING_NONE, "No consent yet: only the hub works on it for now"),
            (
                Consent.Basis.VITAL_INTERESTS,
                "No consent needed: vital interests (their life or safety is at risk)",
            ),
            (Consent.Basis.PUBLIC_TASK, "No consent needed: public task"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what they agreed to about sharing",
            "invalid_choice": "Select what they agreed to about sharing",
        },
    )
    how_given = forms.ChoiceField(
        label="How did they give consent?",
        required=False,
        choices=[
            (Consent.How.VERBAL, Consent.How.VERBAL.label),
            (Consent.How.WRITTEN, Consent.How.WRITTEN.label),
            (Consent.How.REPRESENTATIVE, Consent.How.REPRESENTATIVE.label),
        ],
        widget=forms.RadioSelect,
        help_text="Only if they consented",
        error_messages={"invalid_choice": "Select how they gave consent"},
    )

    field_order = [
        "first_name",
        "last_name",
        "dob_day",
        "dob_month",
        "dob_year",
        "nhs_number",
        "address_line_1",
        "town",
        "postcode",
        "phone",
        "email",
        "preferred_language",
        "communication_needs",
        "flags",
        "channel",
        "on_behalf_name",
        "on_behalf_relationship",
        "on_behalf_phone",
        "needs",
        # need details are added after "needs" in __init__
        "urgency",
        "summary",
        "sharing",
        "how_given",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_language"].initial = "English"
        for name in ("phone", "on_behalf_phone"):
            self.fields[name].widget.input_type = "tel"
        self.fields["email"].widget.attrs["spellcheck"] = "false"
        self.fields["postcode"].widget.attrs["class"] += " govuk-input--width-10"
        self.fields["nhs_number"].widget.attrs.update(
            {
                "class": self.fields["nhs_number"].widget.attrs["class"] + " govuk-input--width-10",
                "inputmode": "numeric",
            }
        )
        # One optional detail box per need, shown beside its checkbox.
        details = {}
        for category, label in need_choices():
            details[f"detail_{category}"] = forms.CharField(
                label=f"Detail about {label.lower()}",
                required=False,
                max_length=DETAIL_MAX_LENGTH,
                error_messages={
                    "max_length": f"Detail about {label.lower()} must be "
                    f"{DETAIL_MAX_LENGTH} characters or fewer"
                },
            )
        ordered = {}
        for name, field in self.fields.items():
            ordered[name] = field
            if name == "needs":
                ordered.update(details)
        for field in details.values():
            field.widget.attrs["class"] = "govuk-input"
        self.fields = ordered
        drop_maxlength(self)

    # Normalising here (the services normalise again) names the field at once and lets the
    # duplicate check compare like with like.
    def clean_nhs_number(self):
        value = self.cleaned_data["nhs_number"].strip()
        return normalise_nhs_number(value) if value else ""

    def clean_postcode(self):
        value = self.cleaned_data["postcode"].strip()
        if not value:
            return ""
        try:
            return normalise_postcode(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc

    def clean_phone(self):
        return normalise_phone(self.cleaned_data["phone"])

    def clean_on_behalf_phone(self):
        return normalise_phone(self.cleaned_data["on_behalf_phone"])

    def need_rows(self):
        """(group heading, [(checkbox, detail field), …]) for the needs section."""
        return [
            (heading, [(option, self[f"detail_{option.data['value']}"]) for option in options])
            for heading, options in grouped_options(self["needs"])
        ]

    def resident_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            name: data[name].strip() if isinstance(data[name], str) else data[name]
            for name in (
                "first_name",
                "last_name",
                "date_of_birth",
                "nhs_number",
                "address_line_1",
                "town",
                "postcode",
                "phone",
                "email",
                "preferred_language",
                "communication_needs",
            )
        }
        fields["nhs_number"] = fields["nhs_number"] or None
        fields.update({flag: flag in data["flags"] for flag, _ in FLAGS})
        return fields

    def needs_with_detail(self) -> list[tuple[str, str]]:
        return [
            (category, self.cleaned_data.get(f"detail_{category}", "").strip())
            for category in self.cleaned_data["needs"]
        ]

    @property
    def domestic_abuse(self) -> str:
        return NeedCategory.DOMESTIC_ABUSE.value


class DuplicateChoiceForm(HubForm):
    """Is the person being entered one of these residents, or someone new?"""

    resident_choice = forms.ChoiceField(
        label="Is this the same person?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the resident this is, or that they are someone new",
            "invalid_choice": "Select the resident this is, or that they are someone new",
        },
    )

    def __init__(self, *args, candidates, allow_new: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(c.pk), f"Resident {c.pk}") for c in candidates]
        if allow_new:
            choices.append(("new", "No, this is someone new"))
        self.fields["resident_choice"].choices = choices
        self.candidates = {str(c.pk): c for c in candidates}
        self.allow_new = allow_new

    def chosen(self):
        """The chosen resident, or None for someone new."""
        return self.candidates.get(self.cleaned_data["resident_choice"])
