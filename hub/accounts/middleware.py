from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

# Pages a signed-in person may reach before finishing the second factor.
_OPEN_PREFIXES = (
    "/account/two-factor/",
    "/account/sign-out/",
    "/static/",
    "/accessibility/",
    "/privacy/",
    "/healthz",
)


class TwoFactorRequiredMiddleware:
    """Outside demo mode, staff must finish TOTP two-factor before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.REQUIRE_2FA
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(_OPEN_PREFIXES)
            and not request.path.startswith("/api/")
        ):
            from django_otp import devices_for_user

            has_device = any(devices_for_user(user, confirmed=True))
            target = "accounts:two_factor_verify" if has_device else "accounts:two_factor_setup"
            return redirect(f"{reverse(target)}")
        return self.get_response(request)
