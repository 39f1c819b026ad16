"""Forms for boards, meetings and board reports."""

from django import forms

from hub.accounts.models import User
from hub.core.forms import HubForm
from hub.organisations.models import Organisation
from hub.plans import selectors_boards as selectors
from hub.plans.models import Board, Plan, RiskRegister

DATE_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%Y-%m-%d"]
LONG_TEXT = 20000


class BoardForm(HubForm):
    name = forms.CharField(max_length=200, error_messages={"required": "Enter the board's name"})
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Organisation the board belongs to",
        error_messages={
            "required": "Choose the organisation the board belongs to",
            "invalid_choice": "Choose the organisation the board belongs to",
        },
    )
    update_frequency = forms.ChoiceField(
        choices=Board.Frequency.choices,
        widget=forms.RadioSelect,
        label="How often the board has agreed to receive a report",
        error_messages={
            "required": "Choose how often the board receives a report",
            "invalid_choice": "Choose how often the board receives a report",
        },
    )
    members = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Members",
    )
    plans = forms.ModelMultipleChoiceField(
        queryset=Plan.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Plans the board oversees",
    )
    risk_registers = forms.ModelMultipleChoiceField(
        queryset=RiskRegister.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Risk registers the board oversees",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.active().order_by("name")
        self.fields["members"].queryset = selectors.people()
        self.fields["members"].label_from_instance = lambda u: u.full_name or u.email
        self.fields["plans"].queryset = Plan.objects.order_by("name")
        self.fields["risk_registers"].queryset = RiskRegister.objects.order_by("name")


class MeetingForm(HubForm):
    held_on = forms.DateField(
        label="Date of the meeting",
        input_formats=DATE_FORMATS,
        help_text="For example, 14/5/2026",
        error_messages={
            "required": "Enter the date of the meeting",
            "invalid": "Enter the date of the meeting as a real date, like 14/5/2026",
        },
    )
    title = forms.CharField(
        max_length=200, required=False, help_text="For example, Quarterly review"
    )


def _text(label: str, hint: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class ReportForm(HubForm):
    title = forms.CharField(max_length=300, error_messages={"required": "Enter the report's title"})
    summary = _text("Summary", "What the board needs to know, in a few paragraphs")
    recommendations = _text("Recommendations", "What the board is asked to agree")
    financial_implications = _text("Financial implications")
    legal_implications = _text("Legal implications")
    equality_implications = _text("Equality implications")
    climate_implications = _text("Climate change implications")


class IssueForm(HubForm):
    confirm = forms.BooleanField(
        label="I have checked this report and it is ready to go to the board",
        help_text="Once issued, the report cannot be changed",
        error_messages={"required": "Confirm that the report is ready to issue"},
    )
