"""Referrals from a need to a partner organisation, and their states."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from hub.organisations.models import Role
from hub.support.models import JourneyEvent, Need, Referral, SupportRequest
from hub.support.services.errors import ConflictError
from hub.support.services.journey import journey_record
from hub.support.services.requests import need_bits_refresh
from hub.support.services.residents import consent_allows

logger = logging.getLogger(__name__)


def sees_everything(actor) -> bool:
    from hub.support.selectors import sees_everything as _sees

    return _sees(actor)


def _notify(referral: Referral) -> None:
    """E-mail the receiving organisation. No personal data: the link and the need only."""
    organisation = referral.to_organisation
    if not organisation.email:
        return
    context = {"referral": referral, "base_url": settings.HUB_BASE_URL}
    try:
        send_mail(
            subject=render_to_string("support/email/referral_subject.txt", context).strip(),
            message=render_to_string("support/email/referral.txt", context),
            from_email=None,
            recipient_list=[organisation.email],
        )
    except OSError:
        # The referral is saved and shows in the partner's inbox; a mail outage must not turn
        # that into an error page. Identifiers only in the log.
        logger.exception(
            "referral %s: notification e-mail to organisation %s failed",
            referral.pk,
            organisation.pk,
        )


def referral_send(
    *, actor, need: Need, to_organisation, message: str = "", expires_in_days: int | None = None
) -> Referral:
    """Refer a need to a partner. Refused without consent or a lawful basis to share."""
    resident = need.request.resident
    if not consent_allows(resident, to_organisation):
        raise ValidationError(
            {
                "to_organisation": f"There is no consent or lawful basis to share this resident's "
                f"details with {to_organisation}. Record consent first."
            }
        )
    if need.status not in (Need.Status.OPEN, Need.Status.REFERRED):
        raise ValidationError({"need": "This need already has an outcome"})
    now = timezone.now()
    days = expires_in_days or settings.HUB_REFERRAL_EXPIRY_DAYS
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                need=need,
                from_organisation=actor.acting.organisation,
                to_organisation=to_organisation,
                message=message.strip(),
                sent_at=now,
                sent_by=actor,
                expires_at=now + timedelta(days=days),
            )
            Need.objects.filter(pk=need.pk).update(status=Need.Status.REFERRED)
            need.status = Need.Status.REFERRED
            SupportRequest.objects.filter(
                pk=need.request_id,
                status__in=[SupportRequest.Status.NEW, SupportRequest.Status.TRIAGED],
            ).update(status=SupportRequest.Status.IN_PROGRESS)
            journey_record(
                resident=resident,
                request=need.request,
                kind=JourneyEvent.Kind.REFERRAL_SENT,
                actor=actor,
                at=now,
                summary=f"{need.get_category_display()} referred to {to_organisation}",
            )
            transaction.on_commit(lambda: _notify(referral))
    except IntegrityError as exc:
        raise ConflictError(
            {"to_organisation": f"{to_organisation} already has this need referred to them"}
        ) from exc
    return referral


def _locked(referral: Referral) -> Referral:
    # Lock only the referral row: PostgreSQL cannot lock the nullable side of an outer join.
    return (
        Referral.objects.select_for_update(of=("self",))
        # claimed_by is read after the lock (not joined), so a waiting caller sees the winner.
        .select_related("need__request__resident", "to_organisation")
        .get(pk=referral.pk)
    )


def _check_receiver(actor, referral: Referral) -> None:
    acting = actor.acting
    if acting.organisation is None or acting.organisation.pk != referral.to_organisation_id:
        raise ValidationError("Only the organisation the referral was sent to can answer it")
    if not acting.has(Role.CASEWORKER, Role.COORDINATOR):
        raise ValidationError("Only caseworkers and coordinators can answer referrals")


def _check_sender(actor, referral: Referral) -> None:
    acting = actor.acting
    request = referral.need.request
    if sees_everything(actor):
        return
    if (
        acting.organisation is not None
        and acting.organisation.pk
        in (
            request.assigned_organisation_id,
            referral.from_organisation_id,
        )
        and acting.has(Role.CASEWORKER, Role.COORDINATOR)
    ):
        return
    raise ValidationError("Only the organisation that sent the referral can withdraw it")


def _check_length(field: str, text: str, limit: int = 500) -> str:
    text = text.strip()
    if not text:
        raise ValidationError({field: "This cannot be empty"})
    if len(text) > limit:
        raise ValidationError({field: f"Keep this to {limit} characters or fewer"})
    return text


@transaction.atomic
def referral_accept(*, actor, referral: Referral) -> Referral:
    """Claim a referral for the actor. If two caseworkers try at once, one wins and the other
    gets a ConflictError naming who took it."""
    referral = _locked(referral)
    _check_receiver(actor, referral)
    if referral.status != Referral.Status.SENT:
        who = referral.claimed_by.full_name if referral.claimed_by else "someone else"
        raise ConflictError(
            f"This referral is already {referral.get_status_display().lower()}"
            + (f" by {who}" if referral.status == Referral.Status.ACCEPTED else "")
        )
    referral.status = Referral.Status.ACCEPTED
    referral.claimed_by = actor
    referral.responded_at = timezone.now()
    referral.save()
    journey_record(
        resident=referral.need.request.resident,
        request=referral.need.request,
        kind=JourneyEvent.Kind.REFERRAL_ACCEPTED,
        actor=actor,
        summary=f"{referral.to_organisation} accepted the referral for "
        f"{referral.need.get_category_display().lower()}",
    )
    return referral


@transaction.atomic
def referral_decline(*, actor, referral: Referral, reason: str) -> Referral:
    if not reason.strip():
        raise ValidationError({"reason": "Say why you are declining the referral"})
    reason = _check_length("reason", reason)
    referral = _locked(referral)
    _check_receiver(actor, referral)
    if referral.status not in (Referral.Status.SENT, Referral.Status.ACCEPTED):
        raise ConflictError(f"This referral is already {referral.get_status_display().lower()}")
    referral.status = Referral.Status.DECLINED
    referral.decline_reason = reason.strip()
    referral.responded_at = timezone.now()
    referral.save()
    _reopen_need_if_unreferred(referral.need)
    journey_record(
        resident=referral.need.request.resident,
        request=referral.need.request,
        kind=JourneyEvent.Kind.REFERRAL_DECLINED,
        actor=actor,
        summary=f"{referral.to_organisation} declined: {referral.decline_reason}"[:300],
    )
    return referral


@transaction.atomic
def referral_complete(*, actor, referral: Referral, outcome: str, need_met: bool) -> Referral:
    if not outcome.strip():
        raise ValidationError({"outcome": "Say what happened"})
    outcome = _check_length("outcome", outcome)
    referral = _locked(referral)
    _check_receiver(actor, referral)
    if referral.status != Referral.Status.ACCEPTED:
        raise ConflictError("Accept the referral before completing it")
    now = timezone.now()
    referral.status = Referral.Status.COMPLETED
    referral.outcome = outcome.strip()
    referral.completed_at = now
    referral.save()
    need = referral.need
    need.status = Need.Status.MET if need_met else Need.Status.UNMET
    need.outcome = referral.outcome
    need.outcome_at = now
    need.save()
    need_bits_refresh([need.request_id])
    journey_record(
        resident=need.request.resident,
        request=need.request,
        kind=JourneyEvent.Kind.REFERRAL_COMPLETED,
        actor=actor,
        at=now,
        summary=f"{referral.to_organisation} completed the referral: "
        f"{need.get_category_display().lower()} {need.get_status_display().lower()}",
    )
    return referral


@transaction.atomic
def referral_withdraw(*, actor, referral: Referral) -> Referral:
    referral = _locked(referral)
    _check_sender(actor, referral)
    if referral.status not in Referral.LIVE_STATUSES:
        raise ConflictError(f"This referral is already {referral.get_status_display().lower()}")
    referral.status = Referral.Status.WITHDRAWN
    referral.responded_at = timezone.now()
    referral.save()
    _reopen_need_if_unreferred(referral.need)
    journey_record(
        resident=referral.need.request.resident,
        request=referral.need.request,
        kind=JourneyEvent.Kind.REFERRAL_WITHDRAWN,
        actor=actor,
        summary=f"Referral to {referral.to_organisation} withdrawn",
    )
    return referral


def _reopen_need_if_unreferred(need: Need) -> None:
    if not need.referrals.filter(status__in=Referral.LIVE_STATUSES).exists():
        Need.objects.filter(pk=need.pk, status=Need.Status.REFERRED).update(status=Need.Status.OPEN)


def referrals_expire(*, now=None) -> int:
    """Expire referrals nobody answered in time. Safe to run as often as you like."""
    now = now or timezone.now()
    expired = 0
    due = Referral.objects.filter(status=Referral.Status.SENT, expires_at__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(due):
        with transaction.atomic():
            referral = _locked(Referral(pk=pk))
            if referral.status != Referral.Status.SENT:
                continue
            referral.status = Referral.Status.EXPIRED
            referral.save()
            _reopen_need_if_unreferred(referral.need)
            journey_record(
                resident=referral.need.request.resident,
                request=referral.need.request,
                kind=JourneyEvent.Kind.REFERRAL_EXPIRED,
                organisation=referral.to_organisation,
                summary=f"No answer from {referral.to_organisation}: referral expired",
            )
            expired += 1
    return expired
