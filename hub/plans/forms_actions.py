"""Forms for action plans: a plan, an action, a progress update, filters and uploads."""

from django import forms

from hub.accounts.models import User
from hub.core.forms import HubForm
from hub.organisations.models import Membership, Organisation
from hub.plans.models import Action, Plan
from hub.plans.services.actions import (
    AIM_MAX,
    DESCRIPTION_MAX,
    LEADERSHIP_MAX,
    NOTE_MAX,
    OUTCOMES_MAX,
    TIMESCALE_MAX,
    UPDATE_EVERY_MAX,
)
from hub.strategy.models import Element
from hub.strategy.selectors import active_elements

DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y"]


class PlanForm(HubForm):
    name = forms.CharField(max_length=200, label="Name of the plan")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=DESCRIPTION_MAX,
        help_text="What the plan is for, and which board it reports to",
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.full_name or obj.email


class ActionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        text = " ".join(obj.description.split())
        return f"{obj.pk}: {text[:100]}{'…' if len(text) > 100 else ''}"


class ActionForm(HubForm):
    description = forms.CharField(
        label="Action",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=DESCRIPTION_MAX,
        error_messages={"required": "Describe the action"},
    )
    aim = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Strategic aim",
        empty_label="Choose an aim",
        help_text="Or name a new aim below",
    )
    new_aim = forms.CharField(max_length=AIM_MAX, required=False, label="New strategic aim")
    leadership = forms.CharField(
        max_length=LEADERSHIP_MAX,
        required=False,
        help_text="Who leads it, as the plan puts it, for example ‘Co-production team’",
    )
    lead_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), required=False, label="Lead organisation"
    )
    owner = PersonChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Owner",
        help_text="The person who keeps the action up to date",
    )
    timescale = forms.CharField(
        max_length=TIMESCALE_MAX,
        required=False,
        help_text="As the plan puts it, for example ‘September-December 2020’ or ‘Ongoing’",
    )
    starts_on = forms.DateField(
        required=False,
        input_formats=DATE_FORMATS,
        label="Start date",
        help_text="For example, 1/10/2020. Leave blank to read it from the timescale",
        error_messages={"invalid": "Enter the start date as a real date, like 1/10/2020"},
    )
    ends_on = forms.DateField(
        required=False,
        input_formats=DATE_FORMATS,
        label="End date",
        help_text="For example, 31/12/2020. Leave blank to read it from the timescale",
        error_messages={"invalid": "Enter the end date as a real date, like 31/12/2020"},
    )
    outcomes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=OUTCOMES_MAX,
        label="Expected outcomes",
    )
    status = forms.ChoiceField(choices=Action.Status.choices, widget=forms.RadioSelect)
    update_every_days = forms.IntegerField(
        min_value=1,
        max_value=UPDATE_EVERY_MAX,
        initial=30,
        label="Progress update every (days)",
        help_text="How often the owner should write a progress update",
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4"}),
    )
    depends_on = ActionChoiceField(
        queryset=Action.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Depends on",
        help_text="Other actions of this plan that must be done first",
    )
    priorities = forms.ModelMultipleChoiceField(
        queryset=Element.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Strategic priorities",
    )
    enablers = forms.ModelMultipleChoiceField(
        queryset=Element.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, plan: Plan, action: Action | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["aim"].queryset = plan.aims.order_by("position", "id")
        self.fields["lead_organisation"].queryset = Organisation.objects.active().order_by("name")
        people = Membership.objects.current().values("user_id")
        self.fields["owner"].queryset = User.objects.filter(pk__in=people).order_by(
            "full_name", "email"
        )
        others = (
            Action.objects.filter(aim__plan=plan)
            .select_related("aim")
            .order_by("aim__position", "position", "id")
        )
        if action is not None:
            others = others.exclude(pk=action.pk)
        self.fields["depends_on"].queryset = others
        self.fields["priorities"].queryset = active_elements(Element.Kind.PRIORITY)
        self.fields["enablers"].queryset = active_elements(Element.Kind.ENABLER)
        if not self.fields["priorities"].queryset.exists():
            del self.fields["priorities"]
            del self.fields["enablers"]
        if not others.exists():
            del self.fields["depends_on"]

    def clean(self):
        data = super().clean()
        if data.get("aim") is None and not data.get("new_aim") and "aim" not in self.errors:
            self.add_error("aim", "Choose the aim this action serves, or name a new one")
        elif data.get("aim") is not None and data.get("new_aim"):
            self.add_error("new_aim", "Choose an aim or name a new one, not both")
        return data


class ProgressForm(HubForm):
    status = forms.ChoiceField(
        choices=Action.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the action's status now"},
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=NOTE_MAX,
        label="What has happened since the last update?",
        error_messages={"required": "Write a note saying what has happened"},
    )


class PlanFilterForm(HubForm):
    status = forms.ChoiceField(
        choices=[("", "All statuses"), *Action.Status.choices], required=False
    )
    tag = forms.ModelChoiceField(
        queryset=Element.objects.none(),
        required=False,
        label="Priority or enabler",
        empty_label="All priorities and enablers",
    )

    def __init__(self, *args, elements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].queryset = Element.objects.filter(pk__in=[e.pk for e in elements])
        self.fields["tag"].choices = [("", "All priorities and enablers")] + [
            (e.pk, f"{e.get_kind_display()}: {e.name}") for e in elements
        ]


class UploadForm(HubForm):
    file = forms.FileField(
        label="Spreadsheet",
        help_text="A CSV file or an Excel workbook (.xlsx)",
        error_messages={
            "required": "Choose a file to upload",
            "empty": "The file is empty",
            "invalid": "Choose a file to upload",
        },
    )

    def __init__(self, *args, max_bytes: int, **kwargs):
        self.max_bytes = max_bytes
        super().__init__(*args, **kwargs)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                f"The file must be smaller than {self.max_bytes / (1024 * 1024):g} MB"
            )
        return upload


class PlanImportForm(UploadForm):
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.order_by("name"),
        label="Plan to import into",
        empty_label="Choose a plan",
        error_messages={"required": "Choose the plan to import into"},
    )

    field_order = ["plan", "file"]


class ImportConfirmForm(HubForm):
    token = forms.CharField(widget=forms.HiddenInput)
    plan = forms.ModelChoiceField(queryset=Plan.objects.all(), widget=forms.HiddenInput)
