"""Referrals a partner receives: the inbox, one referral, and answering or withdrawing it.

A partner's caseworkers see a referral sent to their organisation and, while it is live or
completed, only the resident details the referral needs. The sending side (the host's
coordinators, or the organisation the request is assigned to) sees it too and may withdraw it.
"""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from rules.contrib.views import permission_required

from hub.core.access_log import access_log_record
from hub.core.forms import errors_to_form as _errors_to_form
from hub.support import selectors, services
from hub.support.forms_referrals import ACTION_FORMS
from hub.support.models import Referral, Resident
from hub.support.validation import format_phone

PAGE_SIZE = 50
DUE_SOON = timedelta(days=1)
TABS = [
    (Referral.Status.SENT, "Waiting for you"),
    (Referral.Status.ACCEPTED, "Accepted"),
    (Referral.Status.COMPLETED, "Completed"),
    (Referral.Status.DECLINED, "Declined"),
    (Referral.Status.EXPIRED, "Expired"),
    (Referral.Status.WITHDRAWN, "Withdrawn"),
]
RECEIVER_ACTIONS = {"accept", "decline", "complete"}
SUCCESS = {
    "accept": "You have accepted this referral: it is yours to work on",
    "decline": "You have declined this referral",
    "complete": "This referral is complete and its outcome has been recorded",
    "withdraw": "The referral has been withdrawn",
}


def _referral(request: HttpRequest, pk: int, **_) -> Referral:
    """The referral if the user may see it (404 otherwise), loaded once per request for
    both the permission check and the view."""
    if getattr(request, "_referral", None) is None:
        request._referral = selectors.get_referral_for_user(request.user, pk)
    return request._referral


_may_see_referral = permission_required(
    "support.view_referrals", fn=_referral, raise_exception=True
)


def _is_receiver(user, referral: Referral) -> bool:
    return referral.to_organisation_id == user.acting.organisation.pk


def _is_sender(user, referral: Referral) -> bool:
    return (
        selectors.sees_everything(user)
        or referral.need.request.assigned_organisation_id == user.acting.organisation.pk
    )


@login_required
@permission_required("support.view_referrals", raise_exception=True)
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    statuses = dict(TABS)
    status = request.GET.get("status", "")
    if status not in statuses:
        status = Referral.Status.SENT
    counts = selectors.referral_counts(request.user)
    # Only the resident's first name and initial leave the database for the list.
    referrals = selectors.referrals_received(request.user, status=status).annotate(
        resident_first_name=F("need__request__resident__first_name"),
        resident_last_name=F("need__request__resident__last_name"),
    )
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    return render(
        request,
        "support/referrals/inbox.html",
        {
            "tabs": [(value, label, counts.get(value, 0)) for value, label in TABS],
            "status": status,
            "status_label": statuses[status],
            "total": counts.get(status, 0),
            "page": page,
            "query": f"status={status}",
            "now": now,
            "due_soon": now + DUE_SOON,
        },
    )


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def _resident_rows(resident: Resident) -> list[tuple[str, str]]:
    """The resident details a referral needs, and nothing more: no NHS number, no date of
    birth (their age instead), no other needs, no case notes."""
    address = ", ".join(
        part for part in (resident.address_line_1, resident.address_line_2, resident.town) if part
    )
    rows = [
        ("Name", resident.full_name),
        (
            "Age",
            f"{_age(resident.date_of_birth, timezone.localdate())} years"
            if resident.date_of_birth
            else "Not known",
        ),
        ("Phone", format_phone(resident.phone) or "Not known"),
    ]
    if resident.phone_other:
        rows.append(("Other phone", format_phone(resident.phone_other)))
    rows += [
        ("Address", address or "Not known"),
        ("Postcode", resident.postcode or "Not known"),
        ("Preferred language", resident.preferred_language or "Not known"),
        ("Communication needs", resident.communication_needs or "None recorded"),
        ("Lives alone", _yes_no(resident.lives_alone)),
        ("Has a disability", _yes_no(resident.disability)),
        ("Digitally excluded", _yes_no(resident.digitally_excluded)),
    ]
    return rows


def _timeline(referral: Referral) -> list[dict]:
    """Each change of status, from the referral's history, oldest first."""
    details = {
        Referral.Status.SENT: f"Sent by {referral.from_organisation}"
        + (f" ({referral.sent_by.full_name})" if referral.sent_by else ""),
        Referral.Status.ACCEPTED: f"Accepted by {referral.claimed_by.full_name}"
        if referral.claimed_by
        else "Accepted",
        Referral.Status.DECLINED: f"Declined by {referral.to_organisation}",
        Referral.Status.COMPLETED: f"Completed by {referral.to_organisation}",
        Referral.Status.WITHDRAWN: "Withdrawn by the sender",
        Referral.Status.EXPIRED: "Expired: nobody answered in time",
    }
    entries, last = [], None
    for row in referral.history.order_by("history_date", "history_id").only(
        "status", "history_date"
    ):
        if row.status != last:
            entries.append({"at": row.history_date, "text": details[row.status]})
            last = row.status
    return entries


def _available_actions(user, referral: Referral) -> list[str]:
    actions = []
    if _is_receiver(user, referral):
        if referral.status == Referral.Status.SENT:
            actions += ["accept", "decline"]
        elif referral.status == Referral.Status.ACCEPTED:
            actions += ["complete", "decline"]
    if _is_sender(user, referral) and referral.status in Referral.LIVE_STATUSES:
        actions.append("withdraw")
    return actions


def _render_detail(request, referral: Referral, *, failed=None, status=200) -> HttpResponse:
    """The referral page; ``failed`` is the (action, bound form) that was refused, if any."""
    user = request.user
    resident = referral.need.request.resident
    # Once a referral is declined, withdrawn or expired, the partner no longer needs the
    # resident's details; the sending side always has them.
    shares_resident = referral.status in selectors.VISIBLE_REFERRAL_STATUSES or _is_sender(
        user, referral
    )
    if shares_resident:
        access_log_record(request=request, obj=resident, purpose=f"referral {referral.pk}")
    failed_action, failed_form = failed or (None, None)
    forms = {
        action: failed_form if action == failed_action else ACTION_FORMS[action]()
        for action in _available_actions(user, referral)
    }
    return render(
        request,
        "support/referrals/detail.html",
        {
            "referral": referral,
            "need": referral.need,
            "support_request": referral.need.request,
            "resident_rows": _resident_rows(resident) if shares_resident else None,
            "timeline": _timeline(referral),
            "forms": forms,
            "error_form": failed_form,
            "now": timezone.now(),
        },
        status=status,
    )


@login_required
@require_GET
@_may_see_referral
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _referral(request, pk))


def _perform(action: str, *, actor, referral: Referral, data: dict) -> Referral:
    if action == "accept":
        return services.referral_accept(actor=actor, referral=referral)
    if action == "decline":
        return services.referral_decline(actor=actor, referral=referral, reason=data["reason"])
    if action == "complete":
        return services.referral_complete(
            actor=actor, referral=referral, outcome=data["outcome"], need_met=data["need_met"]
        )
    return services.referral_withdraw(actor=actor, referral=referral)


@login_required
@require_POST
@_may_see_referral
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTION_FORMS:
        raise Http404("No such action")
    user = request.user
    referral = _referral(request, pk)
    allowed = (
        _is_receiver(user, referral) if action in RECEIVER_ACTIONS else _is_sender(user, referral)
    )
    if not allowed:
        raise PermissionDenied
    form = ACTION_FORMS[action](request.POST)
    status = 400
    if form.is_valid():
        try:
            _perform(action, actor=user, referral=referral, data=form.cleaned_data)
        except ValidationError as exc:
            status = 409 if isinstance(exc, services.ConflictError) else 400
            _errors_to_form(form, exc)
            # Someone else may have changed it: show it as it is now.
            referral = selectors.get_referral_for_user(user, pk)
        else:
            messages.success(request, SUCCESS[action])
            return redirect("support:referral_detail", pk=pk)
    return _render_detail(request, referral, failed=(action, form), status=status)
