"""Funds: the list every member reads, one fund's page, and what grants officers manage
(adding and changing a fund, its criteria and its support in kind)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from rules.contrib.views import permission_required

from hub.grants import selectors
from hub.grants.forms_funds import CriterionForm, FundForm, InKindForm
from hub.grants.models import Application
from hub.grants.services import funds as services
from hub.grants.services.applications import eligibility_problems
from hub.grants.services.money import pounds
from hub.organisations.models import Organisation
from hub.strategy.models import Element
from hub.strategy.selectors import tags_for

_read = permission_required("grants.view_funds", raise_exception=True)
_manage = permission_required("grants.manage_funds", raise_exception=True)


def errors_to_form(form, exc: ValidationError) -> None:
    """Put a service's errors on ``form``, each on the field it names (or the whole form)."""
    aliases = getattr(form, "field_for_service_key", {})
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            field = aliases.get(key, key)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _fund_row(fund) -> dict:
    return {
        "fund": fund,
        "budget": pounds(fund.budget_pence),
        "committed": pounds(fund.committed_pence),
        "remaining": pounds(fund.remaining_pence),
    }


@login_required
@_read
def fund_list(request: HttpRequest) -> HttpResponse:
    funds = services.funds_by_state()
    groups = [
        ("open", "Open for applications", [_fund_row(f) for f in funds.open]),
        ("upcoming", "Opening soon", [_fund_row(f) for f in funds.upcoming]),
        ("closed", "Closed", [_fund_row(f) for f in funds.closed]),
    ]
    return render(request, "grants/funds/list.html", {"groups": groups})


@login_required
@_read
def fund_detail(request: HttpRequest, pk: int) -> HttpResponse:
    fund = selectors.get_fund(pk)
    user = request.user
    state = services.fund_state(fund)
    tags = list(tags_for(fund))
    can_apply = user.has_perm("grants.apply")
    own_applications = []
    problems = []
    if can_apply:
        own_applications = list(
            selectors.applications_visible_to(user)
            .filter(fund=fund, organisation=request.acting.organisation)
            .exclude(status=Application.Status.WITHDRAWN)
            .order_by("-created_at")
        )
        if state == "open":
            problems = eligibility_problems(organisation=request.acting.organisation, fund=fund)
    return render(
        request,
        "grants/funds/detail.html",
        {
            "fund": fund,
            "money": {
                **_fund_row(fund),
                "paid": pounds(fund.paid_pence),
                "min_award": pounds(fund.min_award_pence) if fund.min_award_pence else "",
                "max_award": pounds(fund.max_award_pence) if fund.max_award_pence else "",
            },
            "state": state,
            "criteria": fund.criteria.order_by("position", "id"),
            "priorities": [e for e in tags if e.kind == Element.Kind.PRIORITY],
            "impact_areas": [e for e in tags if e.kind == Element.Kind.IMPACT_AREA],
            "eligible_kinds": _kind_labels(fund.eligible_kinds),
            "can_apply": can_apply and state == "open",
            "eligibility_problems": problems,
            "own_applications": own_applications,
            "can_manage": user.has_perm("grants.manage_funds"),
        },
    )


def _kind_labels(kinds) -> list[str]:
    labels = dict(Organisation.Kind.choices)
    return [labels.get(k, k) for k in kinds or []]


@login_required
@_manage
@require_http_methods(["GET", "POST"])
def fund_add(request: HttpRequest) -> HttpResponse:
    form = FundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            fund = services.fund_create(
                actor=request.user, elements=form.elements(), **form.service_kwargs()
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"{fund.name} has been added")
            return redirect("grants:fund_detail", pk=fund.pk)
    return render(
        request,
        "grants/funds/form.html",
        {"form": form, "fund": None},
        status=400 if form.errors else 200,
    )


@login_required
@_manage
@require_http_methods(["GET", "POST"])
def fund_edit(request: HttpRequest, pk: int) -> HttpResponse:
    fund = selectors.get_fund(pk)
    form = FundForm(request.POST or None, initial=FundForm.initial_for(fund, tags_for(fund)))
    if request.method == "POST" and form.is_valid():
        try:
            fund = services.fund_update(
                actor=request.user, fund=fund, elements=form.elements(), **form.service_kwargs()
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"{fund.name} has been updated")
            return redirect("grants:fund_detail", pk=fund.pk)
    return render(
        request,
        "grants/funds/form.html",
        {"form": form, "fund": fund, "committed": pounds(fund.committed_pence)},
        status=400 if form.errors else 200,
    )


def _criterion(fund, value: str):
    return fund.criteria.filter(pk=int(value)).first() if (value or "").isdigit() else None


def _criterion_initial(criterion) -> dict | None:
    if criterion is None:
        return None
    return {
        "name": criterion.name,
        "guidance": criterion.guidance,
        "weight": criterion.weight,
        "max_score": criterion.max_score,
    }


@login_required
@_manage
@require_http_methods(["GET", "POST"])
def criteria(request: HttpRequest, pk: int) -> HttpResponse:
    """Add, change and remove a fund's criteria. ``?change=<id>`` opens one for changing;
    a POST carries ``action`` (add, change or remove) and, to change or remove, ``criterion``."""
    fund = selectors.get_fund(pk)
    remove_errors: list[str] = []
    changing = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        criterion = _criterion(fund, request.POST.get("criterion", ""))
        if action not in ("add", "change", "remove") or (action != "add" and criterion is None):
            messages.error(request, "That criterion has already been removed")
            return redirect("grants:fund_criteria", pk=fund.pk)
        if action == "remove":
            try:
                services.criterion_remove(actor=request.user, criterion=criterion)
            except ValidationError as exc:
                remove_errors = exc.messages
            else:
                messages.success(request, f"“{criterion.name}” has been removed")
                return redirect("grants:fund_criteria", pk=fund.pk)
            form = CriterionForm()
        else:
            changing = criterion if action == "change" else None
            form = CriterionForm(request.POST)
            if form.is_valid():
                try:
                    saved = services.criterion_save(
                        actor=request.user, fund=fund, criterion=changing, **form.cleaned_data
                    )
                except ValidationError as exc:
                    errors_to_form(form, exc)
                else:
                    verb = "changed" if changing else "added"
                    messages.success(request, f"“{saved.name}” has been {verb}")
                    return redirect("grants:fund_criteria", pk=fund.pk)
    else:
        changing = _criterion(fund, request.GET.get("change", ""))
        form = CriterionForm(initial=_criterion_initial(changing))
    failed = bool(form.errors or remove_errors)
    return render(
        request,
        "grants/funds/criteria.html",
        {
            "fund": fund,
            "criteria": services.criteria_with_use(fund),
            "form": form,
            "changing": changing,
            "remove_errors": remove_errors,
            "failed": failed,
        },
        status=400 if failed else 200,
    )


@login_required
@_manage
@require_http_methods(["GET", "POST"])
def in_kind(request: HttpRequest, pk: int) -> HttpResponse:
    fund = selectors.get_fund(pk)
    form = InKindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.in_kind_record(
                actor=request.user,
                fund=fund,
                organisation=data["organisation"],
                description=data["description"],
                value_pence=data["value"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "The support in kind has been recorded")
            return redirect("grants:fund_in_kind", pk=fund.pk)
    support, total = services.in_kind_for(fund)
    rows = [{"support": item, "value": pounds(item.value_pence)} for item in support]
    return render(
        request,
        "grants/funds/in_kind.html",
        {"fund": fund, "rows": rows, "total": pounds(total), "form": form},
        status=400 if form.errors else 200,
    )
