"""Organisations: the list, one organisation, adding and editing, and switching who you act for."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from rules.contrib.views import permission_required

from hub.organisations import selectors, services
from hub.organisations.acting import SESSION_KEY, acting_for
from hub.organisations.forms import OrganisationFilterForm, OrganisationForm, SwitchForm


@login_required
@permission_required("organisations.list_organisations", raise_exception=True)
def organisation_list(request: HttpRequest) -> HttpResponse:
    form = OrganisationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    organisations = selectors.organisations_list(
        search=filters.get("q", ""), kind=filters.get("kind", "")
    )
    return render(
        request,
        "organisations/list.html",
        {"form": form, "organisations": organisations},
    )


@login_required
@permission_required("organisations.view_organisation", raise_exception=True)
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.get_organisation(pk)
    can_manage = request.user.has_perm("organisations.manage_members", organisation)
    return render(
        request,
        "organisations/detail.html",
        {
            "organisation": organisation,
            "areas": organisation.areas_served.order_by("level", "name"),
            "members": selectors.organisation_members(organisation) if can_manage else None,
            "can_edit": request.user.has_perm("organisations.change_organisation", organisation),
            "history": organisation.history.select_related("history_user")[:10]
            if can_manage
            else None,
        },
    )


def _save(request, form, organisation):
    if not form.is_valid():
        return None
    try:
        return services.organisation_save(
            organisation=form.save(commit=False), areas=form.cleaned_data["areas_served"]
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return None


@login_required
@permission_required("organisations.add_organisation", raise_exception=True)
@require_http_methods(["GET", "POST"])
def organisation_add(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    saved = _save(request, form, None) if request.method == "POST" else None
    if saved:
        messages.success(request, f"{saved.name} has been added")
        return redirect("organisations:detail", pk=saved.pk)
    return render(request, "organisations/form.html", {"form": form, "organisation": None})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.get_organisation(pk)
    if not request.user.has_perm("organisations.change_organisation", organisation):
        return render(request, "core/403.html", status=403)
    form = OrganisationForm(request.POST or None, instance=organisation)
    saved = _save(request, form, organisation) if request.method == "POST" else None
    if saved:
        messages.success(request, f"{saved.name} has been updated")
        return redirect("organisations:detail", pk=saved.pk)
    return render(request, "organisations/form.html", {"form": form, "organisation": organisation})


@login_required
@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    """Act for another of your organisations. Refuses any you do not belong to."""
    form = SwitchForm(request.POST)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    if form.is_valid():
        organisation_id = form.cleaned_data["organisation"]
        acting = acting_for(request.user, organisation_id)
        if acting.organisation and acting.organisation.pk == organisation_id:
            request.session[SESSION_KEY] = organisation_id
            request.user.last_organisation_id = organisation_id
            request.user.save(update_fields=["last_organisation"])
            messages.success(request, f"You are now acting for {acting.organisation.name}")
            return redirect(target or "core:home")
    messages.error(request, "You can only act for an organisation you belong to")
    return redirect("core:home")
