"""A resident's record, consent, journey, search and merging duplicates."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from rules.contrib.views import permission_required

from hub.core.access_log import access_log_record
from hub.support import selectors, services
from hub.support.forms import ConsentForm, ResidentSearchForm

_case = permission_required("support.view_queue", raise_exception=True)


@login_required
@_case
@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """Searching is a POST: names and NHS numbers must never sit in an address or a log."""
    form = ResidentSearchForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        results = list(selectors.residents_search(request.user, form.cleaned_data["q"]))
    return render(request, "support/resident_search.html", {"form": form, "results": results})


def _render(request, resident, *, consent_form=None, status=200):
    access_log_record(request=request, obj=resident, purpose="resident record")
    return render(
        request,
        "support/resident_detail.html",
        {
            "resident": resident,
            "requests": resident.requests.select_related("assigned_organisation").order_by(
                "-created_at"
            ),
            "consents": resident.consents.prefetch_related("partners").select_related(
                "recorded_by"
            ),
            "events": selectors.journey_for(resident),
            "consent_form": consent_form or ConsentForm(),
            "duplicates": services.resident_duplicates(resident)
            if request.user.has_perm("support.merge_residents")
            else [],
        },
        status=status,
    )


@login_required
@_case
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    resident = selectors.get_resident_for_user(request.user, pk)
    if (
        not selectors.sees_everything(request.user)
        and not resident.requests.filter(assigned_organisation=request.acting.organisation).exists()
    ):
        # Partners who only hold a referral see the referral, not the whole record.
        return render(request, "core/403.html", status=403)
    return _render(request, resident)


@login_required
@_case
@require_POST
def consent(request: HttpRequest, pk: int) -> HttpResponse:
    resident = selectors.get_resident_for_user(request.user, pk)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.consent_record(actor=request.user, resident=resident, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Consent has been recorded")
            return redirect("support:resident_detail", pk=pk)
    return _render(request, resident, consent_form=form, status=400)


@login_required
@permission_required("support.merge_residents", raise_exception=True)
@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, pk: int, other_pk: int) -> HttpResponse:
    keep = selectors.get_resident_for_user(request.user, pk)
    duplicate = selectors.get_resident_for_user(request.user, other_pk)
    error = None
    if request.method == "POST":
        try:
            services.residents_merge(actor=request.user, keep=keep, duplicate=duplicate)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"Resident {other_pk} has been merged into this record")
            return redirect("support:resident_detail", pk=pk)
    access_log_record(request=request, obj=keep, purpose="merge duplicates")
    access_log_record(request=request, obj=duplicate, purpose="merge duplicates")
    return render(
        request,
        "support/resident_merge.html",
        {"keep": keep, "duplicate": duplicate, "error": error},
        status=400 if error else 200,
    )
