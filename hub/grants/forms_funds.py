"""Forms for funds: the fund itself, its criteria and support in kind."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from hub.core.forms import HubForm
from hub.grants.models import Fund
from hub.grants.money_input import PoundsField
from hub.grants.services.funds import MAX_SCORE_RANGE, WEIGHT_RANGE
from hub.organisations.models import Organisation
from hub.strategy.models import Element
from hub.strategy.selectors import active_elements

DATE_HINT = "For example, 27/3/2026"
_EARLIEST, _LATEST = date(2000, 1, 1), date(2100, 12, 31)


class HubDateField(forms.DateField):
    """A date typed as day/month/year ("27/3/2026"), refused with a message naming the field
    when it is not a real date or is outside 2000 to 2100."""

    def __init__(self, *, label: str, error_label: str | None = None, **kwargs):
        kwargs.setdefault("help_text", DATE_HINT)
        kwargs.setdefault(
            "widget",
            forms.DateInput(
                format="%d/%m/%Y",
                attrs={"class": "govuk-input--width-10", "spellcheck": "false"},
            ),
        )
        super().__init__(label=label, input_formats=["%d/%m/%Y", "%Y-%m-%d"], **kwargs)
        self.error_label = error_label or f"the {label.lower()}"
        self.error_messages["required"] = f"Enter {self.error_label}"
        self.error_messages["invalid"] = f"Enter {self.error_label} as a real date, like 27/3/2026"

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
            if len(value) > 20:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
        day = super().to_python(value)
        if day is not None and not _EARLIEST <= day <= _LATEST:
            raise ValidationError(
                f"Enter {self.error_label} between 2000 and 2100", code="out_of_range"
            )
        return day


def _elements(kind: str):
    return active_elements(kind)


class FundForm(HubForm):
    name = forms.CharField(
        label="Name of the fund",
        max_length=200,
        error_messages={"required": "Enter the name of the fund"},
    )
    source = forms.CharField(
        label="Where the money comes from",
        max_length=200,
        help_text="For example, the budget risk reserve",
        error_messages={"required": "Enter where the money comes from"},
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    eligibility = forms.CharField(
        label="Who may apply",
        required=False,
        max_length=5000,
        help_text="In plain English: who may apply and for what",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    eligible_kinds = forms.MultipleChoiceField(
        label="Types of organisation that may apply",
        required=False,
        help_text="Leave all unticked if any type of organisation may apply",
        choices=[c for c in Organisation.Kind.choices if c[0] != Organisation.Kind.COUNCIL],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose types of organisation from the list"},
    )
    budget = PoundsField(label="Budget")
    min_award = PoundsField(label="Smallest award", required=False)
    max_award = PoundsField(label="Largest award", required=False)
    opens_on = HubDateField(label="Opening date", error_label="the date the fund opens")
    closes_on = HubDateField(label="Closing date", error_label="the date the fund closes")
    route = forms.ChoiceField(
        label="How the fund pays out",
        choices=Fund.Route.choices,
        initial=Fund.Route.DIRECT,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how the fund pays out",
            "invalid_choice": "Choose how the fund pays out",
        },
    )
    priorities = forms.ModelMultipleChoiceField(
        label="Priorities it targets",
        queryset=Element.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose priorities from the list"},
    )
    impact_areas = forms.ModelMultipleChoiceField(
        label="Impact areas it targets",
        queryset=Element.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose impact areas from the list"},
    )

    # Service errors are keyed by model field; these are the form fields that show them.
    field_for_service_key = {
        "budget_pence": "budget",
        "min_award_pence": "min_award",
        "max_award_pence": "max_award",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priorities"].queryset = _elements(Element.Kind.PRIORITY)
        self.fields["impact_areas"].queryset = _elements(Element.Kind.IMPACT_AREA)
        for name in ("priorities", "impact_areas"):
            if not self.fields[name].queryset.exists():
                del self.fields[name]

    @classmethod
    def initial_for(cls, fund: Fund, tags) -> dict:
        tags = list(tags)
        return {
            "name": fund.name,
            "source": fund.source,
            "description": fund.description,
            "eligibility": fund.eligibility,
            "eligible_kinds": list(fund.eligible_kinds or []),
            "budget": fund.budget_pence,
            "min_award": fund.min_award_pence or None,
            "max_award": fund.max_award_pence,
            "opens_on": fund.opens_on,
            "closes_on": fund.closes_on,
            "route": fund.route,
            "priorities": [e.pk for e in tags if e.kind == Element.Kind.PRIORITY],
            "impact_areas": [e.pk for e in tags if e.kind == Element.Kind.IMPACT_AREA],
        }

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error(
                "closes_on", "The closing date must be the same as or after the opening date"
            )
        budget, low, high = data.get("budget"), data.get("min_award"), data.get("max_award")
        if low is not None and high is not None and high < low:
            self.add_error("max_award", "The largest award must be at least the smallest award")
        elif high is not None and budget is not None and high > budget:
            self.add_error("max_award", "The largest award cannot be more than the budget")
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "source": data["source"],
            "description": data["description"],
            "eligibility": data["eligibility"],
            "eligible_kinds": data["eligible_kinds"],
            "budget_pence": data["budget"],
            "min_award_pence": data["min_award"] or 0,
            "max_award_pence": data["max_award"],
            "opens_on": data["opens_on"],
            "closes_on": data["closes_on"],
            "route": data["route"],
        }

    def elements(self) -> list[Element]:
        return [
            *self.cleaned_data.get("priorities", []),
            *self.cleaned_data.get("impact_areas", []),
        ]


def _int_field(what: str, low: int, high: int, **kwargs) -> forms.IntegerField:
    message = f"Enter {what} from {low} to {high}"
    return forms.IntegerField(
        min_value=low,
        max_value=high,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "required": message,
            "invalid": message,
            "min_value": message,
            "max_value": message,
        },
        **kwargs,
    )


class CriterionForm(HubForm):
    name = forms.CharField(
        label="Criterion",
        max_length=200,
        help_text="For example, meets a recovery priority",
        error_messages={"required": "Enter the name of the criterion"},
    )
    guidance = forms.CharField(
        label="Guidance for assessors",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    weight = _int_field(
        "a weight",
        *WEIGHT_RANGE,
        label="Weight",
        initial=1,
        help_text="From 1 to 10: how much this criterion counts towards the total",
    )
    max_score = _int_field("a maximum score", *MAX_SCORE_RANGE, label="Maximum score", initial=5)


class InKindForm(HubForm):
    organisation = forms.ModelChoiceField(
        label="Organisation supported",
        queryset=Organisation.objects.none(),
        empty_label="Choose an organisation",
        error_messages={
            "required": "Choose the organisation supported",
            "invalid_choice": "Choose the organisation supported from the list",
        },
    )
    description = forms.CharField(
        label="Support given",
        max_length=300,
        help_text="For example, a rent-free period for a charitable tenant",
        error_messages={"required": "Describe the support given"},
    )
    value = PoundsField(label="Value", min_pence=1, error_label="the value")
    starts_on = HubDateField(label="Start date")
    ends_on = HubDateField(label="End date", required=False)

    field_for_service_key = {"value_pence": "value"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(is_host=False).order_by(
            "name"
        )

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The end date must be the same as or after the start date")
        return data
