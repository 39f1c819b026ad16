"""Forms for the award pages: filters, instalments, payments, variations, clawbacks and
onward grants. Money is typed in pounds and cleaned to whole pence by ``PoundsField``."""

from django import forms
from django.utils import timezone

from hub.core.forms import HubForm
from hub.grants.models import Award, Fund, OnwardGrant, Payment
from hub.grants.money_input import PoundsField
from hub.grants.services.money import pounds
from hub.places.models import Area

DATE_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%Y-%m-%d"]
DATE_HINT = "For example, 27/3/2026"
SCHEDULE_ROWS = 4


def _date(label: str, *, required: bool = True, help_text: str = DATE_HINT) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        help_text=help_text,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} as a real date, for example 27/3/2026",
        },
        widget=forms.DateInput(attrs={"class": "govuk-input--width-10"}),
    )


class AwardFilterForm(HubForm):
    fund = forms.ModelChoiceField(
        queryset=Fund.objects.none(), required=False, empty_label="Any fund"
    )
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Award.Status.choices])

    def __init__(self, *args, funds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds


class ScheduleForm(HubForm):
    """Up to four instalments at a time; blank rows are ignored."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, SCHEDULE_ROWS + 1):
            self.fields[f"amount_{n}"] = PoundsField(
                label=f"Instalment {n}: amount",
                required=False,
                min_pence=1,
                error_label=f"the amount of instalment {n}",
                help_text="In pounds, like 1,250 or 1,250.50" if n == 1 else "",
            )
            self.fields[f"due_{n}"] = _date(
                f"Instalment {n}: due date",
                required=False,
                help_text=DATE_HINT if n == 1 else "",
            )
        self.style_fields()

    def clean(self):
        data = super().clean()
        rows = []
        for n in range(1, SCHEDULE_ROWS + 1):
            amount, due = data.get(f"amount_{n}"), data.get(f"due_{n}")
            if f"amount_{n}" in self.errors or f"due_{n}" in self.errors:
                continue
            if amount and not due:
                self.add_error(f"due_{n}", f"Enter the date instalment {n} is due")
            elif due and not amount:
                self.add_error(f"amount_{n}", f"Enter the amount of instalment {n}")
            elif amount and due:
                rows.append((amount, due))
        if not rows and not self.errors:
            self.add_error("amount_1", "Enter at least one instalment: an amount and a due date")
        data["instalments"] = rows
        return data


class PayForm(HubForm):
    payment = forms.ModelChoiceField(
        queryset=Payment.objects.none(),
        label="Instalment",
        empty_label="Choose an instalment",
        error_messages={
            "required": "Choose the instalment that has been paid",
            "invalid_choice": "Choose an instalment of this award",
        },
    )
    paid_on = _date("Date paid", required=False, help_text="Leave blank for today. " + DATE_HINT)
    reference = forms.CharField(
        label="Payment reference",
        max_length=50,
        help_text="The finance system's reference for the payment",
        error_messages={"required": "Enter the payment reference"},
    )

    def __init__(self, *args, award: Award, **kwargs):
        super().__init__(*args, **kwargs)
        # Every instalment of the award, so that paying one twice gets the service's answer.
        self.fields["payment"].queryset = award.payments.all()
        self.fields["payment"].label_from_instance = lambda p: (
            f"Instalment {p.instalment}: {pounds(p.amount_pence)} due "
            f"{p.due_on.day} {p.due_on:%b %Y} ({p.get_status_display().lower()})"
        )

    def clean_paid_on(self):
        paid_on = self.cleaned_data.get("paid_on")
        if paid_on and paid_on > timezone.localdate():
            raise forms.ValidationError("The date paid cannot be in the future")
        return paid_on


class VaryForm(HubForm):
    direction = forms.ChoiceField(
        label="Change",
        choices=[("increase", "Increase the award"), ("decrease", "Reduce the award")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the award goes up or down"},
    )
    amount = PoundsField(label="By how much", min_pence=1, error_label="the change")
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the award is changing"},
    )

    def change_pence(self) -> int:
        amount = self.cleaned_data["amount"]
        return amount if self.cleaned_data["direction"] == "increase" else -amount


class ClawbackForm(HubForm):
    amount = PoundsField(label="Amount recovered", min_pence=1)
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the money is being recovered"},
    )


class OnwardForm(HubForm):
    recipient_kind = forms.ChoiceField(
        label="Who received the grant",
        choices=OnwardGrant.Recipient.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a community group or an individual"},
    )
    recipient_name = forms.CharField(
        label="Recipient",
        max_length=200,
        help_text="A group's name. For an individual, enter your own case reference only, "
        "never their name or any other detail that could identify them.",
        error_messages={"required": "Enter the group's name or your reference"},
    )
    ward = forms.ModelChoiceField(
        queryset=Area.objects.none(), required=False, empty_label="Not known", label="Ward"
    )
    amount = PoundsField(label="Amount", min_pence=1, error_label="the amount granted")
    purpose = forms.CharField(
        label="What it paid for",
        max_length=300,
        error_messages={"required": "Say what the grant paid for"},
    )
    made_on = _date("Date granted")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ward"].queryset = Area.objects.filter(level=Area.Level.WARD).order_by("name")

    def clean_made_on(self):
        made_on = self.cleaned_data.get("made_on")
        if made_on and made_on > timezone.localdate():
            raise forms.ValidationError("The date granted cannot be in the future")
        return made_on
