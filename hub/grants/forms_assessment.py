"""Forms for assigning assessors, scoring, and the panel's decision."""

from decimal import Decimal

from django import forms
from django.db.models import Prefetch

from hub.core.forms import HubForm
from hub.grants.models import Application, Criterion, Decision
from hub.grants.money_input import PoundsField
from hub.grants.services.money import pounds
from hub.organisations.models import Membership, Role


class AssignForm(HubForm):
    assessors = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        label="Assessors",
        help_text="People who hold the assessor role. Nobody from the applicant organisation "
        "may assess its application.",
        error_messages={"required": "Choose at least one assessor"},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        # Each assessor's organisations, loaded once, so that the labels cost no queries.
        self.fields["assessors"].queryset = candidates.prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.current()
                .filter(role=Role.ASSESSOR)
                .select_related("organisation"),
                to_attr="assessor_memberships",
            )
        )
        self.fields["assessors"].label_from_instance = lambda u: (
            f"{u.full_name} ({', '.join(m.organisation.name for m in u.assessor_memberships)})"
        )


class ConflictForm(HubForm):
    conflict = forms.TypedChoiceField(
        label="Do you have a conflict of interest?",
        help_text="For example, you work for, volunteer with, are paid by or are close to "
        "someone at the applicant organisation.",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        coerce=lambda v: v == "yes",
        error_messages={"required": "Say whether you have a conflict of interest"},
    )
    reason = forms.CharField(
        label="What is the conflict?",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only if you answered yes. A grants officer will ask another assessor.",
    )

    def clean(self):
        data = super().clean()
        if data.get("conflict") and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say what the conflict of interest is")
        return data


class ScoreForm(HubForm):
    """A score (radios, 0 to the criterion's maximum) and a comment for each criterion of
    the fund, and an overall comment. Scores may be left blank while it is a draft."""

    def __init__(self, *args, criteria: list[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            self.fields[f"score_{c.pk}"] = forms.TypedChoiceField(
                label=f"{c.name}: score",
                help_text=(f"{c.guidance} " if c.guidance else "")
                + f"From 0 to {c.max_score}. Weight {c.weight}.",
                choices=[(str(n), str(n)) for n in range(c.max_score + 1)],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"comment_{c.pk}"] = forms.CharField(
                label=f"{c.name}: comment",
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        self.fields["comments"] = forms.CharField(
            label="Overall comment",
            required=False,
            max_length=10000,
            widget=forms.Textarea(attrs={"rows": 5}),
            help_text="What the panel should know about this application as a whole.",
        )
        self.style_fields()

    def entries(self) -> dict[int, tuple[int | None, str]]:
        data = self.cleaned_data
        return {
            c.pk: (data.get(f"score_{c.pk}"), data.get(f"comment_{c.pk}", ""))
            for c in self.criteria
        }

    def paired_fields(self):
        """(score field, comment field) for each criterion, for the template."""
        return [(self[f"score_{c.pk}"], self[f"comment_{c.pk}"], c) for c in self.criteria]


class DecisionForm(HubForm):
    moderated_score = forms.DecimalField(
        label="Moderated score",
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        help_text="A percentage from 0 to 100, if the panel moderated the assessors' scores.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
    )
    outcome = forms.ChoiceField(
        label="Decision",
        choices=Decision.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose award or decline"},
    )
    amount = PoundsField(
        label="Amount to award",
        required=False,
        min_pence=1,
        error_label="the amount to award",
        help_text="Only if awarding. In pounds, like 2,500 or 2,500.50",
    )
    reasons = forms.CharField(
        label="The panel's reasons",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="These go into the letter to the applicant.",
        error_messages={"required": "Give the panel's reasons"},
    )
    conditions = forms.CharField(
        label="Conditions of the grant",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only if awarding. For example: spend by 31 March; report on households helped.",
    )

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application

    def clean(self):
        data = super().clean()
        if data.get("outcome") == Decision.Outcome.AWARD and "amount" not in self.errors:
            amount = data.get("amount")
            requested = self.application.amount_requested_pence
            if not amount:
                self.add_error("amount", "Enter the amount to award")
            elif amount > requested:
                self.add_error(
                    "amount",
                    f"The amount to award cannot be more than the {pounds(requested)} requested",
                )
        return data
