"""The risk register: registers, their risks and heat maps, adding and changing risks.

Every member reads registers (they hold no personal data); plan managers add registers
and risks; a risk's owner may change their own risk (rule ``plans.update_risk``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from rules.contrib.views import permission_required

from hub.core.forms import errors_to_form as _errors_to_form
from hub.core.forms import posted as _posted
from hub.plans import selectors_boards as selectors
from hub.plans.forms_risks import RegisterForm, RiskForm
from hub.plans.services import risks as services

_view = permission_required("plans.view_risks", raise_exception=True)
_manage = permission_required("plans.manage_risks", raise_exception=True)


@login_required
@_view
def register_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "plans/risks/register_list.html", {"registers": selectors.registers_list()}
    )


@login_required
@_manage
@require_http_methods(["GET", "POST"])
def register_add(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            register = services.register_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, f"{register.name} has been added")
            return redirect("plans:register_detail", slug=register.slug)
    return render(
        request,
        "plans/risks/register_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@_view
def register_detail(request: HttpRequest, slug: str) -> HttpResponse:
    register = selectors.get_register(slug)
    risks = selectors.register_risks(register)
    today = timezone.localdate()
    before, after = selectors.heat_maps(register, risks)
    user = request.user
    rows = [
        {
            "risk": risk,
            "levels": selectors.risk_levels(risk, register.scale_max),
            "overdue": selectors.risk_is_overdue(risk, today),
            "can_edit": user.has_perm("plans.update_risk", risk),
        }
        for risk in risks
    ]
    return render(
        request,
        "plans/risks/register_detail.html",
        {
            "register": register,
            "rows": rows,
            "before": before,
            "after": after,
            "can_manage": user.has_perm("plans.manage_risks"),
        },
    )


@login_required
@_manage
@require_http_methods(["GET", "POST"])
def risk_add(request: HttpRequest, slug: str) -> HttpResponse:
    register = selectors.get_register(slug)
    form = RiskForm(_posted(request), register=register)
    if request.method == "POST" and form.is_valid():
        try:
            risk = services.risk_create(
                actor=request.user, register=register, **form.service_values()
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "The risk has been added")
            return redirect("plans:risk_detail", pk=risk.pk)
    return render(
        request,
        "plans/risks/risk_form.html",
        {"form": form, "register": register, "risk": None},
        status=400 if form.errors else 200,
    )


@login_required
@_view
def risk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    risk = selectors.get_risk(pk)
    return render(
        request,
        "plans/risks/risk_detail.html",
        {
            "risk": risk,
            "register": risk.register,
            "levels": selectors.risk_levels(risk, risk.register.scale_max),
            "overdue": selectors.risk_is_overdue(risk),
            "actions": risk.mitigating_actions.select_related("aim").order_by("id"),
            "history": selectors.risk_history(risk),
            "can_edit": request.user.has_perm("plans.update_risk", risk),
        },
    )


@login_required
@_view
@require_http_methods(["GET", "POST"])
def risk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    risk = selectors.get_risk(pk)
    if not request.user.has_perm("plans.update_risk", risk):
        raise PermissionDenied
    can_reassign = request.user.has_perm("plans.manage_risks")
    form = RiskForm(
        _posted(request),
        register=risk.register,
        can_reassign=can_reassign,
        initial=RiskForm.initial_from(risk),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_update(actor=request.user, risk=risk, **form.service_values())
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "The risk has been updated")
            return redirect("plans:risk_detail", pk=risk.pk)
    return render(
        request,
        "plans/risks/risk_form.html",
        {"form": form, "register": risk.register, "risk": risk},
        status=400 if form.errors else 200,
    )
