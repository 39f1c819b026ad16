"""Pages for administrators to manage people and their memberships."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from rules.contrib.views import permission_required

from hub.accounts.people_forms import MembershipForm, PersonInviteForm, PersonSearchForm
from hub.organisations import services
from hub.organisations.selectors import get_person_for_admin, people_visible_to

_manage = permission_required("accounts.manage_people", raise_exception=True)


@login_required
@_manage
def people_list(request: HttpRequest) -> HttpResponse:
    form = PersonSearchForm(request.GET or None)
    people = people_visible_to(request.user)
    if form.is_valid() and form.cleaned_data["q"]:
        q = form.cleaned_data["q"].strip()
        people = people.filter(Q(full_name__icontains=q) | Q(email__icontains=q))
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/people_list.html", {"form": form, "page": page})


@login_required
@_manage
@require_http_methods(["GET", "POST"])
def person_add(request: HttpRequest) -> HttpResponse:
    form = PersonInviteForm(request.POST or None, acting=request.acting)
    if form.is_valid():
        data = form.cleaned_data
        try:
            user, _ = services.person_invite(
                email=data["email"],
                full_name=data["full_name"],
                organisation=data["organisation"],
                role=data["role"],
                request=request,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"{user.full_name} has been added")
            return redirect("accounts:person_detail", pk=user.pk)
    return render(request, "accounts/person_add.html", {"form": form})


@login_required
@_manage
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_admin(request.user, pk)
    memberships = person.memberships.select_related("organisation").order_by(
        "-is_active", "organisation__name"
    )
    if not request.acting.for_host:
        memberships = memberships.filter(organisation=request.acting.organisation)
    form = MembershipForm(acting=request.acting)
    return render(
        request,
        "accounts/person_detail.html",
        {"person": person, "memberships": memberships, "form": form},
    )


@login_required
@_manage
@require_POST
def membership_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_admin(request.user, pk)
    form = MembershipForm(request.POST, acting=request.acting)
    if form.is_valid():
        try:
            services.membership_add(
                user=person,
                organisation=form.cleaned_data["organisation"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            for errors in exc.message_dict.values():
                form.add_error("role", errors)
        else:
            messages.success(request, f"{person.full_name} has a new role")
            return redirect("accounts:person_detail", pk=person.pk)
    memberships = person.memberships.select_related("organisation")
    return render(
        request,
        "accounts/person_detail.html",
        {"person": person, "memberships": memberships, "form": form},
        status=400,
    )


@login_required
@_manage
@require_POST
def membership_end(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    person = get_person_for_admin(request.user, pk)
    memberships = person.memberships.filter(is_active=True)
    if not request.acting.for_host:
        memberships = memberships.filter(organisation=request.acting.organisation)
    membership = get_object_or_404(memberships, pk=membership_pk)
    services.membership_end(membership=membership)
    messages.success(
        request,
        f"{person.full_name} is no longer {membership.get_role_display().lower()} "
        f"at {membership.organisation}",
    )
    return redirect("accounts:person_detail", pk=person.pk)
