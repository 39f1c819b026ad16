"""Forms for applying: starting, each section of the application, and the officers' filter."""

from django import forms

from hub.core.forms import HubForm
from hub.grants import documents
from hub.grants.forms_funds import HubDateField
from hub.grants.models import Application, Fund, SupportingDocument
from hub.grants.money_input import PoundsField
from hub.places.models import Area
from hub.strategy.models import Element

LONG_TEXT = 5000


def _text(label: str, *, required_message: str | None = None, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required_message is not None,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": required_message or "",
            "max_length": f"{label} must be {LONG_TEXT:,} characters or fewer",
        },
        **kwargs,
    )


def _title_field() -> forms.CharField:
    return forms.CharField(
        label="Name of your project",
        max_length=200,
        error_messages={
            "required": "Enter the name of your project",
            "max_length": "The name of your project must be 200 characters or fewer",
        },
    )


class StartForm(HubForm):
    title = _title_field()


class AboutForm(HubForm):
    title = _title_field()
    summary = _text(
        "Summary",
        required_message="Enter a summary of your project",
        help_text="What the grant will pay for and who it will help",
    )
    starts_on = HubDateField(label="Start date", error_label="the date your project starts")
    ends_on = HubDateField(label="End date", error_label="the date your project ends")

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The end date must be the same as or after the start date")
        return data


class AmountForm(HubForm):
    amount_requested = PoundsField(label="Amount requested", min_pence=1)

    field_for_service_key = {"amount_requested_pence": "amount_requested"}


class BudgetLineForm(HubForm):
    prefix = "line"

    description = forms.CharField(
        label="What the money is for",
        max_length=200,
        help_text="For example, food, van hire or a venue",
        error_messages={
            "required": "Enter what the money is for",
            "max_length": "The description must be 200 characters or fewer",
        },
    )
    amount = PoundsField(label="Cost", min_pence=1, error_label="the cost")

    field_for_service_key = {"amount_pence": "amount"}


class OutcomesForm(HubForm):
    outcomes = _text(
        "What your project will achieve",
        required_message="Say what your project will achieve",
        help_text="For example, how many people it will help and how you will know",
    )
    wards = forms.ModelMultipleChoiceField(
        label="Wards your project serves",
        queryset=Area.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose wards from the list"},
    )
    priorities = forms.ModelMultipleChoiceField(
        label="Priorities of the fund your project addresses",
        queryset=Element.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose priorities from the list"},
    )

    def __init__(self, *args, priorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wards"].queryset = Area.objects.filter(level=Area.Level.WARD).order_by("name")
        self.fields["wards"].label_from_instance = lambda area: area.name
        self.fields["priorities"].queryset = priorities
        for name in ("wards", "priorities"):
            if not self.fields[name].queryset.exists():
                del self.fields[name]


class DocumentForm(HubForm):
    prefix = "doc"

    kind = forms.ChoiceField(
        label="Type of document",
        choices=[("", "Choose a type of document"), *SupportingDocument.Kind.choices],
        error_messages={
            "required": "Choose what kind of document this is",
            "invalid_choice": "Choose what kind of document this is",
        },
    )
    file = forms.FileField(
        label="Upload a file",
        error_messages={
            "required": "Select a file to upload",
            "empty": "The selected file is empty",
            "invalid": "Select a file to upload",
            "missing": "Select a file to upload",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = documents.max_bytes()
        size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
        self.fields[
            "file"
        ].help_text = f"A {documents.ALLOWED_DESCRIPTION} file, smaller than {size}"
        self.fields["file"].widget.attrs["accept"] = ",".join(documents.ALLOWED_TYPES)


class DeclarationForm(HubForm):
    declaration_name = forms.CharField(
        label="Full name of the person making the declaration",
        max_length=200,
        error_messages={
            "required": "Enter the full name of the person making the declaration",
            "max_length": "The name must be 200 characters or fewer",
        },
    )
    confirm = forms.BooleanField(
        label="I confirm the information is true and the organisation will use the grant only "
        "for this purpose",
        error_messages={
            "required": "Confirm the information is true and the organisation will use the "
            "grant only for this purpose"
        },
    )


class ApplicationFilterForm(HubForm):
    fund = forms.ModelChoiceField(
        label="Fund",
        queryset=Fund.objects.none(),
        required=False,
        empty_label="All funds",
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *Application.Status.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = Fund.objects.order_by("name")
