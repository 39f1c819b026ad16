"""One request for help: its details, triage, status, contacts, notes, needs and referrals."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from rules.contrib.views import permission_required

from hub.core.access_log import access_log_record
from hub.core.forms import errors_to_form as _errors_to_form
from hub.support import selectors, services
from hub.support.forms import (
    ContactForm,
    NeedOutcomeForm,
    NoteForm,
    ReferForm,
    StatusForm,
    TriageForm,
)
from hub.support.models import SupportRequest

_case = permission_required("support.view_queue", raise_exception=True)


def _render_detail(request, support_request: SupportRequest, *, status=200, **forms):
    user = request.user
    full = selectors.is_full_view(user, support_request)
    resident = support_request.resident
    access_log_record(request=request, obj=resident, purpose=f"request {support_request.reference}")
    can_triage = user.has_perm("support.triage")
    context = {
        "r": support_request,
        "resident": resident,
        "full_view": full,
        "needs": selectors.needs_visible_to(user, support_request).prefetch_related(
            "referrals__to_organisation"
        ),
        "contacts": support_request.contacts.select_related("by", "organisation")
        if full
        else support_request.contacts.filter(
            organisation=request.acting.organisation
        ).select_related("by", "organisation"),
        "notes": support_request.notes.select_related("author", "organisation")
        if full
        else support_request.notes.filter(organisation=request.acting.organisation).select_related(
            "author", "organisation"
        ),
        "events": support_request.events.select_related("actor", "organisation")
        if full
        else support_request.events.none(),
        "can_triage": can_triage,
        "triage_form": forms.get("triage_form")
        or (
            TriageForm(
                initial={
                    "urgency": support_request.urgency,
                    "organisation": support_request.assigned_organisation_id,
                    "assignee": support_request.assigned_to_id,
                }
            )
            if can_triage
            else None
        ),
        "status_form": forms.get("status_form")
        or StatusForm(initial={"status": support_request.status}),
        "contact_form": forms.get("contact_form") or ContactForm(),
        "note_form": forms.get("note_form") or NoteForm(),
        "duplicates": services.resident_duplicates(resident)[:5] if can_triage else [],
    }
    return render(request, "support/request_detail.html", context, status=status)


@login_required
@_case
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = selectors.get_request_for_user(request.user, pk)
    return _render_detail(request, support_request)


@login_required
@permission_required("support.triage", raise_exception=True)
@require_POST
def triage(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = selectors.get_request_for_user(request.user, pk)
    form = TriageForm(request.POST)
    if form.is_valid():
        try:
            services.request_triage(
                actor=request.user,
                request=support_request,
                urgency=form.cleaned_data["urgency"],
                organisation=form.cleaned_data["organisation"],
                assignee=form.cleaned_data["assignee"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, f"{support_request.reference} has been triaged")
            return redirect("support:request_detail", pk=pk)
    return _render_detail(request, support_request, status=400, triage_form=form)


@login_required
@_case
@require_POST
def status(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = selectors.get_request_for_user(request.user, pk)
    if not selectors.is_full_view(request.user, support_request):
        return render(request, "core/403.html", status=403)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.request_set_status(
                actor=request.user, request=support_request, status=form.cleaned_data["status"]
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, f"{support_request.reference} has been updated")
            return redirect("support:request_detail", pk=pk)
    return _render_detail(request, support_request, status=400, status_form=form)


@login_required
@_case
@require_POST
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = selectors.get_request_for_user(request.user, pk)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            services.contact_log(actor=request.user, request=support_request, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "The contact has been recorded")
            return redirect("support:request_detail", pk=pk)
    return _render_detail(request, support_request, status=400, contact_form=form)


@login_required
@_case
@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = selectors.get_request_for_user(request.user, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.note_add(
            actor=request.user, request=support_request, text=form.cleaned_data["text"]
        )
        messages.success(request, "The note has been added")
        return redirect("support:request_detail", pk=pk)
    return _render_detail(request, support_request, status=400, note_form=form)


def _need(request, pk: int, need_pk: int):
    support_request = selectors.get_request_for_user(request.user, pk)
    need = get_object_or_404(selectors.needs_visible_to(request.user, support_request), pk=need_pk)
    return support_request, need


@login_required
@_case
@require_http_methods(["GET", "POST"])
def need_outcome(request: HttpRequest, pk: int, need_pk: int) -> HttpResponse:
    support_request, need = _need(request, pk, need_pk)
    form = NeedOutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.need_record_outcome(actor=request.user, need=need, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(
                request, f"The outcome for {need.get_category_display().lower()} has been recorded"
            )
            return redirect("support:request_detail", pk=pk)
    return render(
        request,
        "support/need_outcome.html",
        {"r": support_request, "need": need, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@_case
@require_http_methods(["GET", "POST"])
def refer(request: HttpRequest, pk: int, need_pk: int) -> HttpResponse:
    support_request, need = _need(request, pk, need_pk)
    if not selectors.is_full_view(request.user, support_request):
        return render(request, "core/403.html", status=403)
    form = ReferForm(request.POST or None, exclude_organisation=request.acting.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_send(actor=request.user, need=need, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(
                request,
                f"{need.get_category_display()} has been referred to {referral.to_organisation}",
            )
            return redirect("support:request_detail", pk=pk)
    return render(
        request,
        "support/refer.html",
        {"r": support_request, "need": need, "form": form},
        status=400 if form.errors else 200,
    )
