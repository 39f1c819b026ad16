"""Awards and money: the award list and page, payment actions, onward grants and the ledger.

Grants officers see and manage every award. An awarded organisation reads its own award
page; a partner agency's caseworkers and administrators report onward grants from it.
"""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from rules.contrib.views import permission_required

from hub.grants import selectors_awards
from hub.grants.forms_awards import (
    AwardFilterForm,
    ClawbackForm,
    OnwardForm,
    PayForm,
    ScheduleForm,
    VaryForm,
)
from hub.grants.models import Award, Fund, Payment
from hub.grants.selectors import get_award_for_user, get_fund
from hub.grants.services import money
from hub.grants.views.assessment import errors_to_form
from hub.organisations.models import Role


def _is_officer(user) -> bool:
    return user.has_perm("grants.manage_funds")


def _may_read_awards(user) -> bool:
    # Officers read every award; organisations that can apply read their own. Board viewers
    # and others see the published figures instead.
    return _is_officer(user) or user.has_perm("grants.apply")


def _may_report_onward(user, award: Award) -> bool:
    if award.fund.route != Fund.Route.PARTNER_AGENCY:
        return False
    acting = user.acting
    own = acting.organisation is not None and acting.organisation.pk == award.organisation_id
    return _is_officer(user) or (own and acting.has(Role.CASEWORKER, Role.ADMINISTRATOR))


@login_required
@require_GET
def award_list(request: HttpRequest) -> HttpResponse:
    if not _may_read_awards(request.user):
        raise PermissionDenied
    funds = list(Fund.objects.order_by("name"))
    form = AwardFilterForm(request.GET or None, funds=Fund.objects.order_by("name"))
    filters = form.cleaned_data if form.is_valid() else {}
    awards = selectors_awards.awards_list(
        request.user, fund=filters.get("fund"), status=filters.get("status", "")
    )
    return render(
        request,
        "grants/awards/list.html",
        {
            "form": form,
            "awards": awards,
            "is_officer": _is_officer(request.user),
            "funds": funds,
        },
    )


def _award_context(request, award: Award) -> dict:
    user = request.user
    return {
        "award": award,
        "remaining_to_pay": award.amount_pence - award.paid_pence,
        "payments": award.payments.all(),
        "scheduled": sum(
            p.amount_pence for p in award.payments.all() if p.status != Payment.Status.CANCELLED
        ),
        "adjustments": [
            (adj, money.pounds(adj.amount_pence))
            for adj in award.adjustments.select_related("made_by")
        ],
        "onward_grants": award.onward_grants.select_related("ward")
        if award.fund.route == Fund.Route.PARTNER_AGENCY
        else None,
        "onward_left": award.amount_pence - award.onward_pence,
        "can_manage": _is_officer(user),
        "can_report_onward": _may_report_onward(user, award),
    }


@login_required
@require_GET
def award_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not _may_read_awards(request.user):
        raise PermissionDenied
    award = get_award_for_user(request.user, pk)
    return render(request, "grants/awards/detail.html", _award_context(request, award))


# Each action: its form, the page heading, the button, and whether only officers may do it.
_ACTIONS = {
    "schedule": (ScheduleForm, "Schedule instalments", "Add instalments", True),
    "pay": (PayForm, "Record a payment", "Mark as paid", True),
    "vary": (VaryForm, "Vary the award", "Change the award", True),
    "clawback": (ClawbackForm, "Record a clawback", "Record the money recovered", True),
    "onward": (OnwardForm, "Report an onward grant", "Report the grant", False),
}


def _run(action: str, request, award: Award, form) -> str:
    """Call the money service for ``action``; returns the success message."""
    data = form.cleaned_data
    actor = request.user
    if action == "schedule":
        made = money.payments_schedule(actor=actor, award=award, instalments=data["instalments"])
        return f"{len(made)} instalment{'s' if len(made) != 1 else ''} scheduled"
    if action == "pay":
        payment = money.payment_mark_paid(
            actor=actor,
            payment=data["payment"],
            paid_on=data["paid_on"],
            reference=data["reference"],
        )
        return f"Instalment {payment.instalment} is marked as paid"
    if action == "vary":
        money.award_vary(
            actor=actor, award=award, change_pence=form.change_pence(), reason=data["reason"]
        )
        return "The award has been changed"
    if action == "clawback":
        money.award_clawback(
            actor=actor, award=award, amount_pence=data["amount"], reason=data["reason"]
        )
        return f"{money.pounds(data['amount'])} recovered has been recorded"
    grant = money.onward_grant_record(
        actor=actor,
        award=award,
        recipient_kind=data["recipient_kind"],
        recipient_name=data["recipient_name"],
        amount_pence=data["amount"],
        purpose=data["purpose"],
        made_on=data["made_on"],
        ward=data["ward"],
    )
    return f"The onward grant of {money.pounds(grant.amount_pence)} has been recorded"


# Where each service's error keys belong on the forms.
_RENAME = {
    "schedule": {"instalments": "amount_1"},
    "vary": {"change_pence": "amount"},
    "clawback": {"amount_pence": "amount"},
    "onward": {"amount_pence": "amount"},
}


@login_required
@require_http_methods(["GET", "POST"])
def award_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in _ACTIONS:
        raise Http404("No such action")
    if not _may_read_awards(request.user):
        raise PermissionDenied
    award = get_award_for_user(request.user, pk)
    form_class, heading, button, officers_only = _ACTIONS[action]
    allowed = (
        _is_officer(request.user) if officers_only else _may_report_onward(request.user, award)
    )
    if not allowed:
        raise PermissionDenied
    kwargs = {"award": award} if form_class is PayForm else {}
    initial = {}
    if action == "pay" and request.GET.get("payment", "").isdigit():
        initial["payment"] = int(request.GET["payment"])
    form = form_class(request.POST if request.method == "POST" else None, initial=initial, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            message = _run(action, request, award, form)
        except ValidationError as exc:
            if action == "pay" and not hasattr(exc, "error_dict"):
                form.add_error("payment", exc.messages)
            else:
                errors_to_form(form, exc, rename=_RENAME.get(action))
        else:
            messages.success(request, message)
            return redirect("grants:award_detail", pk=award.pk)
    return render(
        request,
        "grants/awards/action.html",
        {
            "award": award,
            "form": form,
            "action": action,
            "heading": heading,
            "button": button,
            "remaining_to_pay": award.amount_pence - award.paid_pence,
            "onward_left": award.amount_pence - award.onward_pence,
        },
        status=400 if form.errors else 200,
    )


_CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    """Keep a spreadsheet from running text that looks like a formula."""
    text = str(text)
    return f"'{text}" if text.startswith(_CSV_FORMULA_START) else text


def _csv_pounds(pence: int) -> str:
    return f"{pence / 100:.2f}"


@login_required
@permission_required("grants.manage_funds", raise_exception=True)
@require_GET
def ledger(request: HttpRequest, pk: int) -> HttpResponse:
    fund = get_fund(pk)
    book = selectors_awards.ledger_for_fund(fund)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="ledger-{fund.slug}.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [
                "Date",
                "Entry",
                "Reference",
                "Organisation",
                "Details",
                "Committed change",
                "Paid change",
                "Committed",
                "Paid",
            ]
        )
        for e in book.entries:
            writer.writerow(
                [
                    e.on.isoformat(),
                    e.kind,
                    _cell(e.award.application.reference),
                    _cell(e.award.organisation.name),
                    _cell(e.details),
                    _csv_pounds(e.committed_change),
                    _csv_pounds(e.paid_change),
                    _csv_pounds(e.committed),
                    _csv_pounds(e.paid),
                ]
            )
        return response
    return render(
        request,
        "grants/awards/ledger.html",
        {
            "fund": fund,
            "ledger": book,
            "rows": [
                (
                    e,
                    money.pounds(e.committed_change) if e.committed_change else "",
                    money.pounds(e.paid_change) if e.paid_change else "",
                )
                for e in book.entries
            ],
        },
    )
