from django import forms

from hub.core.forms import HubForm
from hub.organisations.models import Organisation, Role


class PersonSearchForm(HubForm):
    q = forms.CharField(label="Name or email address", required=False, max_length=200)


class MembershipForm(HubForm):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none())
    role = forms.ChoiceField(choices=Role.choices)

    def __init__(self, *args, acting, **kwargs):
        super().__init__(*args, **kwargs)
        if acting.for_host:
            self.fields["organisation"].queryset = Organisation.objects.order_by("name")
        else:
            self.fields["organisation"].queryset = Organisation.objects.filter(
                pk=acting.organisation.pk
            )
            self.fields["organisation"].initial = acting.organisation.pk


class PersonInviteForm(MembershipForm):
    full_name = forms.CharField(label="Full name", max_length=150)
    email = forms.EmailField(
        label="Email address",
        help_text="We will email them a link to set their password",
    )

    field_order = ["full_name", "email", "organisation", "role"]
