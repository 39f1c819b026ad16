"""Forms for the shielding-list import: the upload, and which column holds what."""

from django import forms

from hub.core.forms import HubForm
from hub.support.shielding_csv import FIELDS, REQUIRED_FIELDS, too_big_message

NOT_IN_FILE = "Not in this file"


class ShieldingUploadForm(HubForm):
    file = forms.FileField(
        label="Shielded patient list",
        help_text="A CSV file with a header row naming the columns, saved as CSV UTF-8 or "
        "CSV (Comma delimited). You check the columns before anything is imported.",
        error_messages={"required": "Choose the CSV file to import"},
    )

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(too_big_message(self.max_bytes))
        return upload


def mapping_form_class(labels: list[str]) -> type[HubForm]:
    """A form with one select per field of ours, offering the file's columns."""
    choices = [("", NOT_IN_FILE), *((label, label) for label in labels)]
    fields = {}
    for name, label, _ in FIELDS:
        required = name in REQUIRED_FIELDS
        fields[name] = forms.ChoiceField(
            label=label,
            choices=choices,
            required=required,
            error_messages={
                "required": f"Choose the column that holds the {label.lower()}",
                "invalid_choice": "Choose a column from the file",
            },
        )

    def clean(self):
        cleaned = super(form_class, self).clean()
        used: dict[str, str] = {}
        for name, label, _ in FIELDS:
            column = cleaned.get(name)
            if not column:
                continue
            if column in used:
                self.add_error(
                    name,
                    f"{used[column]} already uses the column ‘{column}’: choose another "
                    f"column, or ‘{NOT_IN_FILE}’",
                )
            else:
                used[column] = label
        return cleaned

    def mapping(self) -> dict[str, str]:
        return {name: column for name, column in self.cleaned_data.items() if column}

    form_class = type(
        "ColumnMappingForm", (HubForm,), {**fields, "clean": clean, "mapping": mapping}
    )
    return form_class
