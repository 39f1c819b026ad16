from django import forms
from django.contrib.contenttypes.models import ContentType

from hub.accounts.models import User
from hub.core.forms import HubForm
from hub.core.models import AccessLogEntry
from hub.organisations.models import Organisation


class AccessLogFilterForm(HubForm):
    person = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Who",
        help_text="People who have opened a record",
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(), required=False, label="Acting for"
    )
    record_type = forms.ModelChoiceField(
        queryset=ContentType.objects.none(), required=False, label="Type of record"
    )
    record_id = forms.CharField(label="Record number", required=False, max_length=64)
    since = forms.DateField(
        label="From",
        required=False,
        help_text="For example, 27/3/2026",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
    )
    until = forms.DateField(
        label="To",
        required=False,
        help_text="For example, 31/3/2026",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # People are chosen from a list (their id goes in the address, never their e-mail).
        self.fields["person"].queryset = User.objects.filter(
            pk__in=AccessLogEntry.objects.values("user")
        ).order_by("full_name")
        logged_types = AccessLogEntry.objects.values("content_type").distinct()
        self.fields["record_type"].queryset = ContentType.objects.filter(pk__in=logged_types)
        self.fields["record_type"].label_from_instance = lambda ct: ct.name.capitalize()

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The ‘To’ date must be the same as or after the ‘From’ date")
        return data
