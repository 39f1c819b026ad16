"""Forms a partner uses to answer a referral, and the sender uses to withdraw it.

Field names match the keys the referral services raise their errors under (``reason``,
``outcome``), so a refusal from a service lands on the field it is about.
"""

from django import forms

from hub.core.forms import HubForm
from hub.support.models import Referral

_REASON_MAX = Referral._meta.get_field("decline_reason").max_length
_OUTCOME_MAX = Referral._meta.get_field("outcome").max_length


class AcceptForm(HubForm):
    """Only a button: the form exists to carry a refusal (someone else accepted it first)."""


class WithdrawForm(HubForm):
    """Only a button, like accepting."""


class DeclineForm(HubForm):
    reason = forms.CharField(
        label="Why are you declining this referral?",
        help_text="The organisation that sent it will see this. Do not include personal details.",
        max_length=_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say why you are declining the referral",
            "max_length": f"The reason must be {_REASON_MAX} characters or fewer",
        },
    )


class CompleteForm(HubForm):
    outcome = forms.CharField(
        label="What happened?",
        help_text="For example: food parcel delivered on Tuesday, and a follow-up booked.",
        max_length=_OUTCOME_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say what happened",
            "max_length": f"What happened must be {_OUTCOME_MAX} characters or fewer",
        },
    )
    need_met = forms.TypedChoiceField(
        label="Was the need met?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Say whether the need was met",
            "invalid_choice": "Say whether the need was met: yes or no",
        },
    )


ACTION_FORMS: dict[str, type[HubForm]] = {
    "accept": AcceptForm,
    "decline": DeclineForm,
    "complete": CompleteForm,
    "withdraw": WithdrawForm,
}
