"""Signing in and out, two-factor, password reset and the person's own account page."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user
from django_otp import login as otp_login

from hub.accounts import forms as account_forms
from hub.accounts.services import (
    TooManyAttempts,
    api_token_create,
    api_token_exists,
    api_token_revoke,
    totp_check,
    totp_confirm,
    totp_device_for_setup,
    totp_qr_svg,
    totp_secret_base32,
)

_WAIT = "Too many wrong codes in a row. Wait a few seconds, then enter the code your app shows"


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = account_forms.SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = account_forms.HubPasswordResetForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = account_forms.HubSetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():
        return redirect("core:home")
    if any(devices_for_user(request.user, confirmed=True)):
        return redirect("accounts:two_factor_verify")
    device = totp_device_for_setup(user=request.user)
    form = account_forms.TokenForm(request.POST or None)
    if form.is_valid():
        if totp_confirm(device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            messages.success(request, "Two-factor authentication is set up for your account")
            return redirect("core:home")
        form.add_error(
            "token", "That code is not right. Check the time on your phone and try again"
        )
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "qr_svg": totp_qr_svg(device), "secret": totp_secret_base32(device)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():
        return redirect("core:home")
    devices = list(devices_for_user(request.user, confirmed=True))
    if not devices:
        return redirect("accounts:two_factor_setup")
    form = account_forms.TokenForm(request.POST or None)
    if form.is_valid():
        try:
            for device in devices:
                if totp_check(device=device, token=form.cleaned_data["token"]):
                    otp_login(request, device)
                    return redirect("core:home")
            form.add_error("token", "That code is not right. Enter the code your app shows now")
        except TooManyAttempts:
            form.add_error("token", _WAIT)
    return render(request, "accounts/two_factor_verify.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """The person's own account; POST makes (or replaces) their API token and shows it once."""
    new_token = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            api_token_revoke(user=request.user)
            messages.success(request, "Your API token has been revoked")
            return redirect("accounts:profile")
        new_token = api_token_create(user=request.user)
    memberships = request.user.memberships.current().select_related("organisation")
    has_device = any(devices_for_user(request.user, confirmed=True))
    return render(
        request,
        "accounts/profile.html",
        {
            "memberships": memberships,
            "has_device": has_device,
            "new_token": new_token,
            "has_token": new_token is not None or api_token_exists(user=request.user),
        },
    )


def locked_out(request: HttpRequest, credentials=None, *args, **kwargs) -> HttpResponse:
    return render(request, "accounts/locked_out.html", status=429)
