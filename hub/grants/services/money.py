"""Every change to committed and paid money: awards, payments, variations, clawbacks and
onward grants. Each locks the fund (and award) rows it changes, checks in Python to give a
clear message, and relies on the database's check constraints as the last word, so no
interleaving of requests can overspend a fund."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from hub.grants.models import (
    Adjustment,
    Application,
    Award,
    Decision,
    Fund,
    OnwardGrant,
    Payment,
)


def pounds(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    return f"{sign}£{abs(pence) / 100:,.2f}"


def _lock_fund(fund_id: int) -> Fund:
    return Fund.objects.select_for_update().get(pk=fund_id)


def _lock_award(award_id: int) -> Award:
    return Award.objects.select_for_update().get(pk=award_id)


def award_make(
    *,
    actor,
    application: Application,
    amount_pence: int,
    reasons: str,
    moderated_score=None,
    conditions: str = "",
    letter: str = "",
    awarded_on: date | None = None,
) -> Award:
    """Award ``amount_pence`` to ``application``. Refused if it would exceed what remains in
    the fund, however many awards are being made at the same moment."""
    if amount_pence <= 0:
        raise ValidationError({"amount_pence": "Enter an amount more than £0"})
    if not reasons.strip():
        raise ValidationError({"reasons": "Give the panel's reasons"})
    try:
        with transaction.atomic():
            application = Application.objects.select_for_update().get(pk=application.pk)
            if application.status not in (
                Application.Status.SUBMITTED,
                Application.Status.ASSESSMENT,
            ):
                raise ValidationError(
                    f"This application is {application.get_status_display().lower()}: "
                    "only submitted applications can be decided"
                )
            fund = _lock_fund(application.fund_id)
            if amount_pence > application.amount_requested_pence:
                raise ValidationError(
                    {
                        "amount_pence": "An award cannot be more than the "
                        f"{pounds(application.amount_requested_pence)} requested"
                    }
                )
            if fund.max_award_pence and amount_pence > fund.max_award_pence:
                raise ValidationError(
                    {"amount_pence": f"This fund awards at most {pounds(fund.max_award_pence)}"}
                )
            if amount_pence > fund.remaining_pence:
                raise ValidationError(
                    {"amount_pence": f"Only {pounds(fund.remaining_pence)} remains in {fund}"}
                )
            Fund.objects.filter(pk=fund.pk).update(
                committed_pence=F("committed_pence") + amount_pence
            )
            Decision.objects.create(
                application=application,
                outcome=Decision.Outcome.AWARD,
                amount_pence=amount_pence,
                reasons=reasons.strip(),
                moderated_score=moderated_score,
                decided_by=actor,
                letter=letter,
            )
            award = Award.objects.create(
                application=application,
                fund=fund,
                organisation=application.organisation,
                amount_pence=amount_pence,
                awarded_on=awarded_on or timezone.localdate(),
                conditions=conditions,
            )
            application.status = Application.Status.AWARDED
            application.save(update_fields=["status", "updated_at"])
            return award
    except IntegrityError as exc:
        # The check constraint caught what the lock should have prevented.
        raise ValidationError({"amount_pence": "This award would overspend the fund"}) from exc


@transaction.atomic
def application_decline(
    *, actor, application: Application, reasons: str, letter: str = "", moderated_score=None
) -> Decision:
    if not reasons.strip():
        raise ValidationError({"reasons": "Give the panel's reasons"})
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status not in (Application.Status.SUBMITTED, Application.Status.ASSESSMENT):
        raise ValidationError(
            f"This application is {application.get_status_display().lower()}: "
            "only submitted applications can be decided"
        )
    decision = Decision.objects.create(
        application=application,
        outcome=Decision.Outcome.DECLINE,
        amount_pence=0,
        reasons=reasons.strip(),
        decided_by=actor,
        letter=letter,
        moderated_score=moderated_score,
    )
    application.status = Application.Status.DECLINED
    application.save(update_fields=["status", "updated_at"])
    return decision


def payments_schedule(*, actor, award: Award, instalments: list[tuple[int, date]]) -> list[Payment]:
    """Add instalments (amount in pence, due date). Together with those already scheduled or
    paid they may not exceed the award."""
    try:
        with transaction.atomic():
            return _payments_schedule(award=award, instalments=instalments)
    except IntegrityError as exc:
        raise ValidationError({"instalments": "These instalments clash with others"}) from exc


def _payments_schedule(*, award: Award, instalments: list[tuple[int, date]]) -> list[Payment]:
    award = _lock_award(award.pk)
    if not instalments:
        raise ValidationError({"instalments": "Add at least one instalment"})
    if any(amount <= 0 for amount, _ in instalments):
        raise ValidationError({"instalments": "Each instalment must be more than £0"})
    planned = sum(p.amount_pence for p in award.payments.exclude(status=Payment.Status.CANCELLED))
    extra = sum(amount for amount, _ in instalments)
    if planned + extra > award.amount_pence:
        raise ValidationError(
            {
                "instalments": f"Instalments would total {pounds(planned + extra)}, more than the "
                f"award of {pounds(award.amount_pence)}"
            }
        )
    start = award.payments.order_by("-instalment").values_list("instalment", flat=True).first() or 0
    return Payment.objects.bulk_create(
        [
            Payment(award=award, instalment=start + n, amount_pence=amount, due_on=due)
            for n, (amount, due) in enumerate(instalments, start=1)
        ]
    )


def payment_mark_paid(
    *, actor, payment: Payment, paid_on: date | None = None, reference: str = ""
) -> Payment:
    try:
        with transaction.atomic():
            payment = Payment.objects.select_for_update().get(pk=payment.pk)
            if payment.status != Payment.Status.SCHEDULED:
                raise ValidationError(
                    f"This instalment is already {payment.get_status_display().lower()}"
                )
            award = _lock_award(payment.award_id)
            _lock_fund(award.fund_id)
            Award.objects.filter(pk=award.pk).update(
                paid_pence=F("paid_pence") + payment.amount_pence
            )
            Fund.objects.filter(pk=award.fund_id).update(
                paid_pence=F("paid_pence") + payment.amount_pence
            )
            payment.status = Payment.Status.PAID
            payment.paid_on = paid_on or timezone.localdate()
            payment.reference = reference.strip()
            payment.save()
            return payment
    except IntegrityError as exc:
        raise ValidationError("This payment would pay more than was awarded") from exc


def award_vary(*, actor, award: Award, change_pence: int, reason: str) -> Adjustment:
    """Increase or reduce an award. An increase needs room in the fund; a reduction cannot
    go below what has already been paid."""
    if change_pence == 0:
        raise ValidationError({"change_pence": "Enter how much the award changes by"})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the award is changing"})
    try:
        with transaction.atomic():
            award = _lock_award(award.pk)
            fund = _lock_fund(award.fund_id)
            if change_pence > fund.remaining_pence:
                raise ValidationError(
                    {"change_pence": f"Only {pounds(fund.remaining_pence)} remains in {fund}"}
                )
            if award.amount_pence + change_pence < max(award.paid_pence, award.onward_pence):
                raise ValidationError(
                    {
                        "change_pence": "An award cannot be reduced below what has been paid or "
                        "granted onward"
                    }
                )
            Award.objects.filter(pk=award.pk).update(amount_pence=F("amount_pence") + change_pence)
            Fund.objects.filter(pk=fund.pk).update(
                committed_pence=F("committed_pence") + change_pence
            )
            return Adjustment.objects.create(
                award=award,
                kind=Adjustment.Kind.VARIATION,
                amount_pence=change_pence,
                reason=reason.strip(),
                made_by=actor,
            )
    except IntegrityError as exc:
        raise ValidationError({"change_pence": "This change would overspend the fund"}) from exc


def award_clawback(*, actor, award: Award, amount_pence: int, reason: str) -> Adjustment:
    """Record money recovered from a grantee: it comes off the award, the paid total and the
    fund's commitments, and is available to award again."""
    if amount_pence <= 0:
        raise ValidationError({"amount_pence": "Enter the amount recovered"})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the money is being recovered"})
    try:
        with transaction.atomic():
            award = _lock_award(award.pk)
            _lock_fund(award.fund_id)
            if amount_pence > award.paid_pence:
                raise ValidationError(
                    {"amount_pence": f"Only {pounds(award.paid_pence)} has been paid on this award"}
                )
            Award.objects.filter(pk=award.pk).update(
                amount_pence=F("amount_pence") - amount_pence,
                paid_pence=F("paid_pence") - amount_pence,
                status=Award.Status.CLAWED_BACK,
            )
            Fund.objects.filter(pk=award.fund_id).update(
                committed_pence=F("committed_pence") - amount_pence,
                paid_pence=F("paid_pence") - amount_pence,
            )
            return Adjustment.objects.create(
                award=award,
                kind=Adjustment.Kind.CLAWBACK,
                amount_pence=-amount_pence,
                reason=reason.strip(),
                made_by=actor,
            )
    except IntegrityError as exc:
        raise ValidationError({"amount_pence": "This clawback does not add up"}) from exc


def onward_grant_record(
    *,
    actor,
    award: Award,
    recipient_kind: str,
    recipient_name: str,
    amount_pence: int,
    purpose: str,
    made_on: date,
    ward=None,
) -> OnwardGrant:
    """A partner agency reports a small grant made from its allocation."""
    if amount_pence <= 0:
        raise ValidationError({"amount_pence": "Enter an amount more than £0"})
    try:
        with transaction.atomic():
            award = _lock_award(award.pk)
            if award.fund.route != Fund.Route.PARTNER_AGENCY:
                raise ValidationError("Onward grants are only made from partner allocations")
            if award.onward_pence + amount_pence > award.amount_pence:
                raise ValidationError(
                    {
                        "amount_pence": f"Only {pounds(award.amount_pence - award.onward_pence)} "
                        "of the allocation is left"
                    }
                )
            Award.objects.filter(pk=award.pk).update(onward_pence=F("onward_pence") + amount_pence)
            grant = OnwardGrant(
                award=award,
                recipient_kind=recipient_kind,
                recipient_name=recipient_name.strip(),
                amount_pence=amount_pence,
                purpose=purpose.strip(),
                made_on=made_on,
                ward=ward,
                reported_by=actor,
            )
            grant.full_clean()
            grant.save()
            return grant
    except IntegrityError as exc:
        raise ValidationError({"amount_pence": "This would exceed the allocation"}) from exc
