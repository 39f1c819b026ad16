"""Forms for the public "Get help" journey: one question (or one small group) a page.

Each step's form checks and normalises what the person typed. The answers are kept in
the session as typed and checked again by these same forms whenever they are used, so a
stale or altered session can never reach the services unchecked.
"""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from hub.core.forms import HubForm
from hub.places.postcodes import normalise_postcode
from hub.support.needs import NeedCategory
from hub.support.validation import normalise_phone, validate_date_of_birth

DETAILS_MAX_LENGTH = 1500

# How the needs list is grouped on the page. A category the list gains later and that is
# not placed here lands in the last group, so the page never silently drops a need.
_NEED_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Food, medicine and essentials",
        (
            NeedCategory.EMERGENCY_FOOD,
            NeedCategory.SUPERMARKET_DELIVERY,
            NeedCategory.PREPARED_MEALS,
            NeedCategory.PRESCRIPTIONS,
            NeedCategory.OTHER_ESSENTIALS,
        ),
    ),
    (
        "Money, home and work",
        (
            NeedCategory.MONEY_AND_DEBT,
            NeedCategory.BENEFITS,
            NeedCategory.HOUSING,
            NeedCategory.FUEL_AND_UTILITIES,
            NeedCategory.JOBS_AND_TRAINING,
        ),
    ),
    (
        "Health, care and wellbeing",
        (
            NeedCategory.MENTAL_HEALTH,
            NeedCategory.LONELINESS,
            NeedCategory.BEREAVEMENT,
            NeedCategory.DISABILITY_AND_CARE,
        ),
    ),
    ("Family and getting online", (NeedCategory.CHILDREN_AND_SCHOOLS, NeedCategory.DIGITAL_ACCESS)),
    ("Safety", (NeedCategory.DOMESTIC_ABUSE,)),
    ("Something else", (NeedCategory.OTHER,)),
)


def need_groups() -> list[tuple[str, list[str]]]:
    """(heading, [category, …]) in page order, covering every category exactly once."""
    placed = {c for _, categories in _NEED_GROUPS for c in categories}
    groups = [(heading, list(categories)) for heading, categories in _NEED_GROUPS]
    groups[-1][1].extend(c for c in NeedCategory.values if c not in placed)
    return groups


def need_choices() -> list[tuple[str, str]]:
    """The needs as flat choices in page order, so ``id_needs_0`` is the first box shown."""
    return [(c, NeedCategory(c).label) for _, categories in need_groups() for c in categories]


def grouped_options(bound_field) -> list[tuple[str, list]]:
    """A needs checkbox field's options (subwidgets) under their group headings."""
    by_value = {option.data["value"]: option for option in bound_field.subwidgets}
    return [
        (heading, [by_value[c] for c in categories if c in by_value])
        for heading, categories in need_groups()
    ]


def _normalised_phone(value: str) -> str:
    return normalise_phone((value or "").strip())


def _normalised_postcode(value: str) -> str:
    try:
        return normalise_postcode(value or "")
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def drop_maxlength(form) -> None:
    """GOV.UK pattern: let people type too much and tell them, rather than have the browser
    silently cut their words off."""
    for field in form.fields.values():
        field.widget.attrs.pop("maxlength", None)


class DateOfBirthFields(HubForm):
    """A GOV.UK date input (day, month, year) giving ``cleaned_data["date_of_birth"]``.

    Optional unless ``date_required``. The message goes on the first part at fault (the
    error summary links there); ``date_error_parts`` says which boxes to highlight.
    """

    dob_day = forms.CharField(label="Day", required=False)
    dob_month = forms.CharField(label="Month", required=False)
    dob_year = forms.CharField(label="Year", required=False)

    date_label = "Date of birth"
    date_required = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.date_error_parts: set[str] = set()

    def _date_error(self, part: str, message: str, highlight=None) -> None:
        self.add_error(f"dob_{part}", message)
        self.date_error_parts.update(highlight or {part})

    def date_errors(self) -> list[str]:
        return [
            str(e) for part in ("day", "month", "year") for e in self.errors.get(f"dob_{part}", [])
        ]

    def clean(self):
        cleaned = super().clean()
        parts = {p: (cleaned.get(f"dob_{p}") or "").strip() for p in ("day", "month", "year")}
        cleaned["date_of_birth"] = None
        missing = [p for p, v in parts.items() if not v]
        if len(missing) == 3:
            if self.date_required:
                self._date_error(
                    "day", f"Enter the {self.date_label.lower()}", {"day", "month", "year"}
                )
            return cleaned
        if missing:
            self._date_error(
                missing[0],
                f"{self.date_label} must include a {' and '.join(missing)}",
                set(missing),
            )
            return cleaned
        real = f"{self.date_label} must be a real date"
        for part, pattern in (("day", r"\d{1,2}"), ("month", r"\d{1,2}")):
            if not re.fullmatch(pattern, parts[part]):
                self._date_error(part, real)
                return cleaned
        if not re.fullmatch(r"\d{4}", parts["year"]):
            self._date_error("year", "Year must include 4 numbers")
            return cleaned
        try:
            value = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        except ValueError:
            self._date_error("day", real, {"day", "month", "year"})
            return cleaned
        try:
            validate_date_of_birth(value)
        except ValidationError as exc:
            self._date_error("day", exc.messages[0], {"day", "month", "year"})
            return cleaned
        cleaned["date_of_birth"] = value
        return cleaned


class StepForm(HubForm):
    """A step of the journey. ``someone_else`` words it for a person asking on another's
    behalf, and turns off the browser filling in the asker's own details."""

    heading = ("", "")  # (for yourself, for someone else)
    autocomplete: dict[str, str] = {}

    def __init__(self, *args, someone_else: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.someone_else = someone_else
        drop_maxlength(self)
        for name, token in self.autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = "off" if someone_else else token

    @property
    def title(self) -> str:
        return self.heading[1 if self.someone_else else 0]

    def you(self, yours: str, theirs: str) -> str:
        return theirs if self.someone_else else yours


class WhoForm(StepForm):
    heading = ("Who needs help?", "Who needs help?")

    who = forms.ChoiceField(
        label="Who needs help?",
        choices=[("myself", "I do"), ("someone_else", "Someone else")],
        widget=forms.RadioSelect,
        help_text="You can ask for a friend, neighbour or relative if they agree to it.",
        error_messages={
            "required": "Select who needs help",
            "invalid_choice": "Select who needs help",
        },
    )


class AboutYouForm(StepForm):
    """The person asking on someone else's behalf."""

    heading = ("About you", "About you")

    helper_name = forms.CharField(
        label="Your name",
        max_length=200,
        error_messages={
            "required": "Enter your name",
            "max_length": "Your name must be 200 characters or fewer",
        },
    )
    relationship = forms.CharField(
        label="How do you know them?",
        max_length=100,
        help_text="For example, neighbour, daughter or friend",
        error_messages={
            "required": "Enter how you know them",
            "max_length": "How you know them must be 100 characters or fewer",
        },
    )
    helper_phone = forms.CharField(
        label="Your phone number",
        max_length=30,
        help_text="In case we need to talk to you. For example, 0113 496 0000",
        error_messages={
            "required": "Enter your phone number",
            "max_length": "Enter a phone number, like 0113 496 0000",
        },
    )
    agreed = forms.BooleanField(
        label="They agree to me asking for help for them",
        error_messages={"required": "Confirm that they agree to you asking for help for them"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The asker's own details: the browser may fill them in even on someone's behalf.
        self.fields["helper_name"].widget.attrs["autocomplete"] = "name"
        self.fields["helper_phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["helper_phone"].widget.input_type = "tel"

    def clean_helper_name(self):
        return self.cleaned_data["helper_name"].strip()

    def clean_relationship(self):
        return self.cleaned_data["relationship"].strip()

    def clean_helper_phone(self):
        return _normalised_phone(self.cleaned_data["helper_phone"])


class NeedsForm(StepForm):
    heading = ("What do you need help with?", "What do they need help with?")

    needs = forms.MultipleChoiceField(
        label="What do you need help with?",
        choices=need_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
        error_messages={
            "required": "Select at least one thing you need help with",
            "invalid_choice": "Select what you need help with from the list",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["needs"].label = self.title
        if self.someone_else:
            self.fields["needs"].error_messages["required"] = (
                "Select at least one thing they need help with"
            )

    def grouped_needs(self):
        return grouped_options(self["needs"])


class DetailsForm(StepForm):
    heading = ("Tell us more about what you need", "Tell us more about what they need")

    details = forms.CharField(
        label="Tell us more about what you need",
        required=False,
        max_length=DETAILS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="In your own words: for example, what has happened and what would help "
        f"most. You can leave this empty. Up to {DETAILS_MAX_LENGTH:,} characters.",
        error_messages={
            "max_length": f"What you tell us must be {DETAILS_MAX_LENGTH:,} characters or fewer"
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["details"].label = self.title

    def clean_details(self):
        return self.cleaned_data["details"].strip()


class NameForm(StepForm):
    heading = ("What is your name?", "What is their name?")
    autocomplete = {"first_name": "given-name", "last_name": "family-name"}

    first_name = forms.CharField(label="First name", max_length=100)
    last_name = forms.CharField(label="Last name", max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        whose = self.you("your", "their")
        for name, label in (("first_name", "first name"), ("last_name", "last name")):
            self.fields[name].error_messages.update(
                required=f"Enter {whose} {label}",
                max_length=f"{label.capitalize()} must be 100 characters or fewer",
            )

    def clean_first_name(self):
        return self.cleaned_data["first_name"].strip()

    def clean_last_name(self):
        return self.cleaned_data["last_name"].strip()


class DateOfBirthForm(DateOfBirthFields, StepForm):
    heading = ("What is your date of birth?", "What is their date of birth?")
    autocomplete = {"dob_day": "bday-day", "dob_month": "bday-month", "dob_year": "bday-year"}


class AddressForm(StepForm):
    heading = ("What is your address?", "What is their address?")
    autocomplete = {
        "address_line_1": "address-line1",
        "address_line_2": "address-line2",
        "town": "address-level2",
        "postcode": "postal-code",
    }

    address_line_1 = forms.CharField(
        label="Address line 1",
        max_length=200,
        error_messages={
            "required": "Enter address line 1, typically the building and street",
            "max_length": "Address line 1 must be 200 characters or fewer",
        },
    )
    address_line_2 = forms.CharField(
        label="Address line 2",
        max_length=200,
        required=False,
        error_messages={"max_length": "Address line 2 must be 200 characters or fewer"},
    )
    town = forms.CharField(
        label="Town or city",
        max_length=100,
        required=False,
        error_messages={"max_length": "Town or city must be 100 characters or fewer"},
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=16,
        error_messages={
            "required": "Enter a postcode, like S40 1LP",
            "max_length": "Enter a real postcode, like S40 1LP",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["postcode"].widget.attrs["class"] += " govuk-input--width-10"

    def clean_address_line_1(self):
        return self.cleaned_data["address_line_1"].strip()

    def clean_address_line_2(self):
        return self.cleaned_data["address_line_2"].strip()

    def clean_town(self):
        return self.cleaned_data["town"].strip()

    def clean_postcode(self):
        return _normalised_postcode(self.cleaned_data["postcode"])


class ContactForm(StepForm):
    heading = ("How can we contact you?", "How can we contact them?")
    autocomplete = {"phone": "tel", "email": "email"}

    phone = forms.CharField(
        label="Phone number",
        max_length=30,
        required=False,
        help_text="We will usually phone. For example, 0113 496 0000",
        error_messages={"max_length": "Enter a phone number, like 0113 496 0000"},
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        required=False,
        help_text="If there is no phone, we can email instead",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.input_type = "tel"
        self.fields["email"].widget.attrs["spellcheck"] = "false"

    def clean_phone(self):
        return _normalised_phone(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("phone") and not cleaned.get("email"):
            self.add_error(
                "phone", "Enter a phone number, or an email address if there is no phone"
            )
        return cleaned


class ConsentForm(StepForm):
    heading = (
        "Can we share your details with organisations that can help you?",
        "Can we share their details with organisations that can help them?",
    )

    share = forms.ChoiceField(
        label="Can we share your details?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select yes if we can share the details",
            "invalid_choice": "Select yes if we can share the details",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["share"].label = self.you(
            "Can we share your details?", "Do they agree to us sharing their details?"
        )
        self.fields["share"].choices = [
            ("yes", self.you("Yes, you can share my details", "Yes, they agree")),
            (
                "no",
                self.you("No, only the council should contact me", "No, only the council"),
            ),
        ]
