from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm

from hub.core.forms import GovukMixin, HubForm


class SignInForm(GovukMixin, AuthenticationForm):
    username = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": (
            "Enter the email address and password of your Community Hub account. "
            "Both are case-sensitive apart from the email address."
        ),
        "inactive": "This account has been closed. Ask your organisation's administrator.",
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class HubPasswordResetForm(GovukMixin, PasswordResetForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class HubSetPasswordForm(GovukMixin, SetPasswordForm):
    pass


class TokenForm(HubForm):
    token = forms.CharField(
        label="Security code",
        help_text="The 6-digit code your authenticator app shows now",
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit() or len(token) != 6:
            raise forms.ValidationError("Enter the 6-digit security code, like 123456")
        return token
