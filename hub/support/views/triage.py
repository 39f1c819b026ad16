"""The triage queue: open requests by due time, with filters, counts and bulk assignment."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from hub.accounts.models import User
from hub.organisations.models import Organisation, Role
from hub.support import selectors, services
from hub.support.forms import BulkAssignForm, QueueFilterForm
from hub.support.models import SupportRequest

PAGE_SIZE = 50


def _filter_form(request: HttpRequest) -> QueueFilterForm:
    acting = request.acting
    if selectors.sees_everything(request.user):
        organisations = Organisation.objects.active().order_by("name")
        # Anyone who can work cases; never derived from the requests table (a million rows).
        assignees = User.objects.filter(
            memberships__is_active=True,
            memberships__role__in=[Role.COORDINATOR, Role.CASEWORKER],
        ).distinct()
    else:
        organisations = Organisation.objects.filter(pk=acting.organisation.pk)
        assignees = User.objects.filter(
            memberships__organisation=acting.organisation, memberships__is_active=True
        ).distinct()
    return QueueFilterForm(
        request.GET or None,
        organisations=organisations,
        assignees=assignees.order_by("full_name"),
    )


@login_required
@permission_required("support.view_queue", raise_exception=True)
def queue(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    filters = form.cleaned_data if form.is_valid() else {}
    requests = selectors.queue_requests(request.user, filters=filters)
    paginator = Paginator(requests, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    now = timezone.now()
    rows = selectors.queue_table(selectors.queue_page_rows(page.object_list), now=now)
    query = request.GET.copy()
    query.pop("page", None)
    can_triage = request.user.has_perm("support.triage")
    return render(
        request,
        "support/queue.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "counts": selectors.queue_counts(request.user, filters=filters),
            "callbacks": selectors.callbacks_due(
                request.user, until=timezone.localtime(now).replace(hour=23, minute=59)
            ),
            "query": query.urlencode(),
            "can_triage": can_triage,
            "assign_form": BulkAssignForm(visible=SupportRequest.objects.none())
            if can_triage
            else None,
            # One reverse() for the page rather than one per row.
            "detail_base": reverse("support:request_detail", args=[0])[:-2],
        },
    )


@login_required
@permission_required("support.triage", raise_exception=True)
@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    form = BulkAssignForm(request.POST, visible=selectors.requests_visible_to(request.user))
    back = request.POST.get("back", "")
    # Back to the same filtered view; the filters are ids and codes, never personal data.
    target = reverse("support:queue") + (f"?{back}" if back and "//" not in back else "")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(target)
    try:
        changed = services.requests_bulk_assign(
            actor=request.user,
            request_ids=[r.pk for r in form.cleaned_data["requests"]],
            organisation=form.cleaned_data["organisation"],
            assignee=form.cleaned_data["assignee"],
        )
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
        return redirect(target)
    messages.success(
        request,
        f"{changed} request{'s' if changed != 1 else ''} assigned to "
        f"{form.cleaned_data['organisation']}",
    )
    return redirect(target)
