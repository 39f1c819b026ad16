from django import forms

from hub.core.forms import HubForm, HubModelForm
from hub.organisations.models import Organisation
from hub.places.models import Area


class OrganisationForm(HubModelForm):
    areas_served = forms.ModelMultipleChoiceField(
        queryset=Area.objects.filter(level__in=[Area.Level.DISTRICT, Area.Level.WARD]).order_by(
            "level", "name"
        ),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Areas served",
        help_text="Select all that apply. Choose the district if they serve all of it.",
    )
    website = forms.URLField(
        required=False, assume_scheme="https", help_text="For example, https://example.org"
    )
    active_from = forms.DateField(
        required=False, help_text="For example, 1/4/2020", input_formats=["%d/%m/%Y", "%Y-%m-%d"]
    )
    active_until = forms.DateField(
        required=False,
        help_text="Leave blank if they still work with the hub",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "kind",
            "charity_number",
            "company_number",
            "ods_code",
            "email",
            "phone",
            "website",
            "description",
            "areas_served",
            "active_from",
            "active_until",
        ]
        labels = {"kind": "Type of organisation", "charity_number": "Registered charity number"}
        widgets = {"kind": forms.RadioSelect, "description": forms.Textarea(attrs={"rows": 4})}


class OrganisationFilterForm(HubForm):
    q = forms.CharField(label="Name", required=False, max_length=200)
    kind = forms.ChoiceField(
        label="Type", required=False, choices=[("", "All types"), *Organisation.Kind.choices]
    )


class SwitchForm(forms.Form):
    organisation = forms.IntegerField()
    next = forms.CharField(required=False, max_length=500)
