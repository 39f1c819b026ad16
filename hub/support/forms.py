"""Forms for the coordinator and caseworker pages: triage, requests, residents, gaps."""

from django import forms
from django.utils import timezone

from hub.accounts.models import User
from hub.core.forms import HubForm
from hub.organisations.models import Organisation
from hub.support.models import Consent, Contact, Need, SupportRequest
from hub.support.needs import NeedCategory

_DATETIME_FORMATS = ["%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y"]


class QueueFilterForm(HubForm):
    """Filters for the triage queue. Values are ids and codes only, so they may sit in the URL."""

    status = forms.ChoiceField(
        required=False,
        choices=[("open", "All open"), *SupportRequest.Status.choices],
        initial="open",
    )
    urgency = forms.ChoiceField(
        required=False, choices=[("", "Any urgency"), *SupportRequest.Urgency.choices]
    )
    need = forms.ChoiceField(required=False, choices=[("", "Any need"), *NeedCategory.choices])
    # Ids chosen from lists read as plain values (no model instances, and no query to look
    # the chosen one up again): the queue is the busiest page of the hub.
    ward = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    organisation = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Assigned organisation"
    )
    unassigned = forms.BooleanField(required=False, label="Only requests nobody has yet")
    assignee = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Assigned to"
    )

    def __init__(self, *args, wards, organisations, assignees, **kwargs):
        """``wards``, ``organisations`` and ``assignees`` are (id, name) pairs."""
        super().__init__(*args, **kwargs)
        self.fields["ward"].choices = [("", "Any ward"), *wards]
        self.fields["organisation"].choices = [("", "Any organisation"), *organisations]
        self.fields["assignee"].choices = [("", "Anyone"), *assignees]


class BulkAssignForm(HubForm):
    requests = forms.ModelMultipleChoiceField(
        queryset=SupportRequest.objects.none(),
        error_messages={"required": "Select the requests to assign"},
    )
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none())
    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Nobody yet",
        label="Person (optional)",
    )

    def __init__(self, *args, visible, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requests"].queryset = visible.filter(status__in=SupportRequest.OPEN_STATUSES)
        self.fields["organisation"].queryset = (
            Organisation.objects.active().only("pk", "name").order_by("name")
        )
        self.fields["assignee"].queryset = (
            User.objects.filter(is_active=True, memberships__is_active=True)
            .only("pk", "full_name")
            .distinct()
            .order_by("full_name")
        )
        self.fields["assignee"].label_from_instance = lambda u: u.full_name


class TriageForm(HubForm):
    urgency = forms.ChoiceField(choices=SupportRequest.Urgency.choices, widget=forms.RadioSelect)
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label="Organisation to work it"
    )
    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Nobody yet",
        label="Person (optional)",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            Organisation.objects.active().only("pk", "name").order_by("name")
        )
        self.fields["assignee"].queryset = (
            User.objects.filter(is_active=True, memberships__is_active=True)
            .only("pk", "full_name")
            .distinct()
            .order_by("full_name")
        )
        self.fields["assignee"].label_from_instance = lambda u: u.full_name


class StatusForm(HubForm):
    status = forms.ChoiceField(choices=SupportRequest.Status.choices)


class ContactForm(HubForm):
    direction = forms.ChoiceField(choices=Contact.Direction.choices, widget=forms.RadioSelect)
    outcome = forms.ChoiceField(choices=Contact.Outcome.choices, widget=forms.RadioSelect)
    at = forms.DateTimeField(
        label="When",
        required=False,
        input_formats=_DATETIME_FORMATS,
        help_text="Leave blank for now. For example, 27/3/2026 14:30",
    )
    callback_due_at = forms.DateTimeField(
        label="Call back by",
        required=False,
        input_formats=_DATETIME_FORMATS,
        help_text="For example, 28/3/2026 10:00",
    )
    notes = forms.CharField(
        required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_at(self):
        return self.cleaned_data["at"] or timezone.now()


class NoteForm(HubForm):
    text = forms.CharField(
        label="Case note", max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class NeedOutcomeForm(HubForm):
    status = forms.ChoiceField(
        label="Outcome",
        choices=[(s, Need.Status(s).label) for s in Need.CLOSED_STATUSES],
        widget=forms.RadioSelect,
    )
    outcome = forms.CharField(
        label="What happened",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReferForm(HubForm):
    to_organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="Refer to")
    message = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the partner needs to know. Only what they need.",
    )

    def __init__(self, *args, exclude_organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        partners = Organisation.objects.active().order_by("name")
        if exclude_organisation is not None:
            partners = partners.exclude(pk=exclude_organisation.pk)
        self.fields["to_organisation"].queryset = partners


class ConsentForm(HubForm):
    basis = forms.ChoiceField(
        label="Why can we share their details?",
        choices=Consent.Basis.choices,
        widget=forms.RadioSelect,
    )
    how_given = forms.ChoiceField(
        label="How was this given?", choices=Consent.How.choices, widget=forms.RadioSelect
    )
    all_partners = forms.BooleanField(
        required=False, label="They agreed to share with any partner that can help"
    )
    partners = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Or only with these partners",
    )
    notes = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"].queryset = Organisation.objects.active().order_by("name")


class ResidentSearchForm(HubForm):
    q = forms.CharField(
        label="Name, NHS number or request reference",
        max_length=100,
        help_text="For example, CH-4KX7PQ or 943 476 5919",
    )


class GapsFilterForm(HubForm):
    since = forms.DateField(
        required=False,
        label="From",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        help_text="For example, 1/4/2026",
    )
    until = forms.DateField(
        required=False,
        label="To",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        help_text="For example, 30/4/2026",
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The ‘To’ date must be the same as or after the ‘From’ date")
        return data
