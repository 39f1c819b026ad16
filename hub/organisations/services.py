"""Writes about organisations and memberships. Views, commands and the API all call these."""

from urllib.parse import urlparse

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify

from hub.accounts.models import User
from hub.organisations.models import Membership, Organisation
from hub.organisations.validators import normalise_registration_number


def _unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:190] or "organisation"
    slug, n = base, 2
    others = Organisation.objects.exclude(pk=exclude_pk)
    while others.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organisation_save(*, organisation: Organisation, areas=None) -> Organisation:
    """Validate and save a new or changed organisation (slug kept stable once set)."""
    organisation.charity_number = normalise_registration_number(organisation.charity_number)
    organisation.company_number = normalise_registration_number(organisation.company_number)
    if not organisation.slug:
        organisation.slug = _unique_slug(organisation.name, exclude_pk=organisation.pk)
    organisation.full_clean()
    organisation.save()
    if areas is not None:
        organisation.areas_served.set(areas)
    return organisation


def membership_add(*, user: User, organisation: Organisation, role: str) -> Membership:
    """Give ``user`` ``role`` in ``organisation``; re-opens an ended membership of that role."""
    with transaction.atomic():
        membership, created = Membership.objects.select_for_update().get_or_create(
            user=user, organisation=organisation, role=role, defaults={"is_active": True}
        )
        if not created and membership.is_active:
            raise ValidationError(
                {"role": f"{user} is already {membership.get_role_display().lower()} here"}
            )
        if not created:
            membership.is_active = True
            membership.save(update_fields=["is_active", "updated_at"])
    return membership


@transaction.atomic
def membership_end(*, membership: Membership) -> Membership:
    membership.is_active = False
    membership.save(update_fields=["is_active", "updated_at"])
    return membership


def person_invite(
    *, email: str, full_name: str, organisation: Organisation, role: str, request=None
) -> tuple[User, Membership]:
    """Add a person (or find them by e-mail) with a role, and e-mail them a link to set a password.

    All or nothing: if the membership cannot be made, no new account is left behind.
    """
    email = email.strip().lower()
    try:
        with transaction.atomic():
            user = User.objects.filter(email__iexact=email).first()
            is_new = user is None
            if is_new:
                user = User.objects.create_user(email=email, full_name=full_name.strip())
            membership = membership_add(user=user, organisation=organisation, role=role)
    except IntegrityError as exc:  # two administrators adding the same person at once
        raise ValidationError({"email": "Someone else has just added this person"}) from exc
    if is_new:
        transaction.on_commit(
            lambda: _send_invitation(user=user, membership=membership, request=request)
        )
    return user, membership


def _send_invitation(*, user: User, membership: Membership, request=None) -> None:
    """E-mail a new person a one-time link to set their password (the reset mechanism)."""
    base = urlparse(settings.HUB_BASE_URL)
    context = {
        "user": user,
        "organisation": membership.organisation,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "protocol": ("https" if request.is_secure() else "http") if request else base.scheme,
        "domain": request.get_host() if request else base.netloc,
    }
    send_mail(
        subject=render_to_string("accounts/email/invitation_subject.txt", context).strip(),
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
