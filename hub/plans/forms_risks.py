"""Forms for risk registers and risks. Levels are offered on the register's own scale."""

from django import forms

from hub.accounts.models import User
from hub.core.forms import HubForm
from hub.plans import selectors_boards as selectors
from hub.plans.heatmap import level_label
from hub.plans.models import Action, Plan, Risk, RiskRegister
from hub.plans.services.risks import LEVEL_FIELDS, scale_message

DATE_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%Y-%m-%d"]
LONG_TEXT = 20000


class RegisterForm(HubForm):
    name = forms.CharField(
        max_length=200, error_messages={"required": "Enter a name for the register"}
    )
    scale = forms.ChoiceField(
        choices=RiskRegister.Scale.choices,
        widget=forms.RadioSelect,
        label="How risks are scored",
        help_text=(
            "High, Medium and Low for impact and likelihood, as in most council reports, "
            "or 1 to 5 for each on a 5 × 5 matrix"
        ),
        error_messages={
            "required": "Choose how risks are scored",
            "invalid_choice": "Choose how risks are scored",
        },
    )
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.none(),
        required=False,
        empty_label="No plan",
        label="Plan whose actions mitigate these risks",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = Plan.objects.order_by("name")


def _level_field(label: str, scale_max: int) -> forms.TypedChoiceField:
    levels = range(scale_max, 0, -1)
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        choices=[(n, level_label(n, scale_max)) for n in levels],
        widget=forms.RadioSelect,
        error_messages={
            "required": f"Choose the {label[0].lower()}{label[1:]}",
            "invalid_choice": scale_message(label, scale_max),
        },
    )


class RiskForm(HubForm):
    title = forms.CharField(
        max_length=300,
        label="Description of the risk",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter a description of the risk"},
    )
    category = forms.CharField(
        max_length=100, required=False, help_text="For example, partnership or resources"
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Nobody yet",
        help_text="The person who keeps this risk up to date",
    )
    mitigation = forms.CharField(
        max_length=LONG_TEXT,
        required=False,
        label="Mitigating action",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    mitigating_actions = forms.ModelMultipleChoiceField(
        queryset=Action.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Plan actions that mitigate it",
    )
    review_on = forms.DateField(
        required=False,
        label="Next review date",
        input_formats=DATE_FORMATS,
        help_text="For example, 27/3/2026",
        error_messages={"invalid": "Enter the review date as a real date, like 27/3/2026"},
    )
    trend = forms.ChoiceField(
        choices=Risk.Trend.choices,
        widget=forms.RadioSelect,
        initial=Risk.Trend.STABLE,
        error_messages={
            "required": "Choose whether the risk is improving, stable or worsening",
            "invalid_choice": "Choose whether the risk is improving, stable or worsening",
        },
    )
    status = forms.ChoiceField(
        choices=[("open", "Open"), ("closed", "Closed")],
        widget=forms.RadioSelect,
        initial="open",
        error_messages={
            "required": "Choose whether the risk is open or closed",
            "invalid_choice": "Choose whether the risk is open or closed",
        },
    )

    field_order = [
        "title",
        "category",
        "owner",
        "impact_before",
        "likelihood_before",
        "mitigation",
        "mitigating_actions",
        "impact_after",
        "likelihood_after",
        "review_on",
        "trend",
        "status",
    ]

    def __init__(self, *args, register: RiskRegister, can_reassign: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in LEVEL_FIELDS.items():
            self.fields[name] = _level_field(label, register.scale_max)
        self.order_fields(self.field_order)
        owner = self.fields["owner"]
        owner.queryset = selectors.people()
        owner.label_from_instance = lambda u: u.full_name or u.email
        if not can_reassign:
            owner.disabled = True
            owner.help_text = "Only a plan manager can give this risk to someone else"
        actions = self.fields["mitigating_actions"]
        actions.queryset = selectors.actions_for_register(register)
        actions.label_from_instance = _action_label
        # Re-style the fields added here the GOV.UK way (HubForm did the others).
        for name in LEVEL_FIELDS:
            self.fields[name].widget.attrs["class"] = "govuk-radios__input"

    @staticmethod
    def initial_from(risk: Risk) -> dict:
        return {
            "title": risk.title,
            "category": risk.category,
            "owner": risk.owner_id,
            "impact_before": risk.impact_before,
            "likelihood_before": risk.likelihood_before,
            "mitigation": risk.mitigation,
            "mitigating_actions": [a.pk for a in risk.mitigating_actions.all()],
            "impact_after": risk.impact_after,
            "likelihood_after": risk.likelihood_after,
            "review_on": risk.review_on,
            "trend": risk.trend,
            "status": "open" if risk.is_open else "closed",
        }

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data["is_open"] = data.pop("status") == "open"
        data["mitigating_actions"] = list(data["mitigating_actions"])
        return data


def _action_label(action) -> str:
    text = action.description if len(action.description) <= 120 else action.description[:117] + "…"
    return f"{text} ({action.get_status_display()})"
