"""Action plans: the list, a plan with its aims and actions, adding and changing actions,
progress updates (one at a time or from a spreadsheet), importing a plan, and the list of
overdue actions and late updates."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from rules.contrib.views import permission_required

from hub.core.forms import errors_to_form as _errors_to_form
from hub.core.forms import posted as _posted
from hub.plans import selectors_actions as selectors
from hub.plans.forms_actions import (
    ActionForm,
    ImportConfirmForm,
    PlanFilterForm,
    PlanForm,
    PlanImportForm,
    ProgressForm,
    UploadForm,
)
from hub.plans.models import Action, Plan
from hub.plans.services import actions as services
from hub.plans.services import imports
from hub.plans.timescales import format_dates

_view = permission_required("plans.view_plans", raise_exception=True)
_manage = permission_required("plans.manage_plans", raise_exception=True)


def _files(request):
    return request.FILES if request.method == "POST" else None


def _error_on_fresh_form(form, field: str, errors) -> None:
    """Put ``errors`` on a form the person has not filled in yet (the upload step)."""
    form.full_clean()
    form.cleaned_data = {}
    form.add_error(field, errors)


def _forbidden(request) -> HttpResponse:
    return render(request, "core/403.html", status=403)


# Plans --------------------------------------------------------------------------------------


@login_required
@_view
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = list(selectors.plans_list())
    for plan in plans:
        plan.status_cells = [getattr(plan, f"n_{value}") for value in Action.Status.values]
    user = request.user
    return render(
        request,
        "plans/actions/plan_list.html",
        {
            "plans": plans,
            "statuses": Action.Status.labels,
            "can_manage": selectors.is_plan_manager(user),
            "can_upload": selectors.may_update_some_action(user),
        },
    )


@login_required
@_manage
@require_http_methods(["GET", "POST"])
def plan_add(request: HttpRequest) -> HttpResponse:
    form = PlanForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, f"{plan.name} has been added")
            return redirect("plans:plan_detail", slug=plan.slug)
    return render(
        request, "plans/actions/plan_form.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@_view
def plan_detail(request: HttpRequest, slug: str) -> HttpResponse:
    plan = selectors.get_plan(slug)
    elements = selectors.tag_choices()
    form = PlanFilterForm(request.GET or None, elements=elements)
    filters = form.cleaned_data if form.is_valid() else {}
    tree = selectors.plan_tree(plan, status=filters.get("status", ""), element=filters.get("tag"))
    user = request.user
    for row in tree:
        for action in row.actions:
            action.can_update = user.has_perm("plans.update_action", action)
            action.dates_text = format_dates((action.starts_on, action.ends_on))
    counts = selectors.status_counts(plan)
    return render(
        request,
        "plans/actions/plan_detail.html",
        {
            "plan": plan,
            "tree": tree,
            "counts": counts,
            "total": sum(c[3] for c in counts),
            "shown": sum(len(row.actions) for row in tree),
            "form": form,
            "filtered": bool(filters.get("status") or filters.get("tag")),
            "has_tags": bool(elements),
            "can_manage": selectors.is_plan_manager(user),
        },
    )


# Actions ------------------------------------------------------------------------------------


@login_required
@_manage
@require_http_methods(["GET", "POST"])
def action_add(request: HttpRequest, slug: str) -> HttpResponse:
    plan = selectors.get_plan(slug)
    form = ActionForm(
        _posted(request),
        plan=plan,
        initial={"status": Action.Status.NOT_STARTED, "update_every_days": 30},
    )
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_create(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, f"Action {action.pk} has been added")
            return redirect("plans:action_detail", pk=action.pk)
    return render(
        request,
        "plans/actions/action_form.html",
        {"form": form, "plan": plan, "action": None},
        status=400 if form.errors else 200,
    )


@login_required
@_view
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.get_action(pk)
    user = request.user
    dependencies = list(action.depends_on.order_by("id"))
    dependents = list(action.dependents.order_by("id"))
    for other in [*dependencies, *dependents]:
        other.tag_class = selectors.STATUS_TAG_CLASSES[other.status]
    return render(
        request,
        "plans/actions/action_detail.html",
        {
            "action": action,
            "plan": action.aim.plan,
            "tag_class": selectors.STATUS_TAG_CLASSES[action.status],
            "dates_text": format_dates((action.starts_on, action.ends_on)),
            "elements": selectors.action_elements(action),
            "dependencies": dependencies,
            "dependents": dependents,
            "updates": selectors.action_updates(action)[:100],
            "changes": selectors.action_changes(action),
            "can_update": user.has_perm("plans.update_action", action),
            "can_manage": selectors.is_plan_manager(user),
        },
    )


def _initial(action: Action) -> dict:
    elements = selectors.action_elements(action)
    return {
        "description": action.description,
        "aim": action.aim_id,
        "leadership": action.leadership,
        "lead_organisation": action.lead_organisation_id,
        "owner": action.owner_id,
        "timescale": action.timescale,
        "starts_on": action.starts_on,
        "ends_on": action.ends_on,
        "outcomes": action.outcomes,
        "status": action.status,
        "update_every_days": action.update_every_days,
        "depends_on": list(action.depends_on.values_list("pk", flat=True)),
        "priorities": [e.pk for e in elements if e.kind == "priority"],
        "enablers": [e.pk for e in elements if e.kind == "enabler"],
    }


@login_required
@_manage
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.get_action(pk)
    plan = action.aim.plan
    if request.method == "POST":
        form = ActionForm(request.POST, plan=plan, action=action)
    else:
        form = ActionForm(initial=_initial(action), plan=plan, action=action)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_edit(actor=request.user, action=action, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, f"Action {action.pk} has been updated")
            return redirect("plans:action_detail", pk=action.pk)
    return render(
        request,
        "plans/actions/action_form.html",
        {"form": form, "plan": plan, "action": action},
        status=400 if form.errors else 200,
    )


@login_required
@_view
@require_http_methods(["GET", "POST"])
def action_update(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.get_action(pk)
    if not request.user.has_perm("plans.update_action", action):
        return _forbidden(request)
    form = ProgressForm(_posted(request), initial={"status": action.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.progress_record(actor=request.user, action=action, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, f"Your progress update on action {action.pk} is saved")
            waiting = selectors.incomplete_dependencies(action)
            if action.status == Action.Status.COMPLETE and waiting:
                messages.warning(request, _dependencies_warning(waiting))
            return redirect("plans:action_detail", pk=action.pk)
    return render(
        request,
        "plans/actions/action_update.html",
        {
            "form": form,
            "action": action,
            "plan": action.aim.plan,
            "waiting": selectors.incomplete_dependencies(action),
        },
        status=400 if form.errors else 200,
    )


def _dependencies_warning(waiting: list[Action]) -> str:
    numbers = ", ".join(str(a.pk) for a in waiting)
    noun = "action it depends on is" if len(waiting) == 1 else "actions it depends on are"
    return f"This action is marked complete, but the {noun} not complete yet: {numbers}"


# Overdue and late updates -------------------------------------------------------------------


@login_required
@_view
def overdue(request: HttpRequest) -> HttpResponse:
    user = request.user
    overdue_actions = list(selectors.overdue_actions(user))
    stale = list(selectors.stale_actions(user))
    for action in [*overdue_actions, *stale]:
        action.tag_class = selectors.STATUS_TAG_CLASSES[action.status]
    return render(
        request,
        "plans/actions/overdue.html",
        {
            "overdue_actions": overdue_actions,
            "stale": stale,
            "everyone": selectors.is_plan_manager(user),
        },
    )


# Bulk progress updates ----------------------------------------------------------------------


@login_required
@_view
@require_http_methods(["GET", "POST"])
def progress_upload(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not selectors.may_update_some_action(user):
        return _forbidden(request)
    if request.method == "GET" and request.GET.get("format") == "csv":
        return _progress_template(user)
    limit = imports.max_bytes()
    form = UploadForm(_posted(request), _files(request), max_bytes=limit)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = imports.read_progress_file(upload.read(), upload.name)
            updates = services.progress_record_many(actor=user, rows=rows, source="csv")
        except services.RowErrors as exc:
            row_errors = exc.rows
            form.add_error(
                "file",
                f"{len(row_errors)} problem{'s' if len(row_errors) != 1 else ''} in the file: "
                "nothing has been saved. Correct the rows listed below and upload it again",
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            count = len(updates)
            messages.success(request, f"{count} progress update{'s' if count != 1 else ''} saved")
            for update in updates:
                waiting = update.status == Action.Status.COMPLETE and (
                    selectors.incomplete_dependencies(update.action)
                )
                if waiting:
                    messages.warning(
                        request, f"Action {update.action_id}: " + _dependencies_warning(waiting)
                    )
            return redirect("plans:progress_upload")
    return render(
        request,
        "plans/actions/progress_upload.html",
        {"form": form, "row_errors": row_errors, "max_megabytes": f"{limit / 1048576:g}"},
        status=400 if form.errors else 200,
    )


def _progress_template(user) -> HttpResponse:
    """A CSV of the actions this person may update, ready to fill in."""
    actions = Action.objects.exclude(status=Action.Status.COMPLETE).select_related("aim__plan")
    if not selectors.is_plan_manager(user):
        actions = actions.filter(owner=user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="progress-updates.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(["Action ID", "Plan", "Action", "Status", "Note"])
    for action in actions.order_by("aim__plan__name", "aim__position", "position", "id"):
        writer.writerow(
            [
                action.pk,
                action.aim.plan.slug,
                _csv_safe(" ".join(action.description.split())),
                action.get_status_display(),
                "",
            ]
        )
    return response


def _csv_safe(text: str) -> str:
    """Text a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# Import -------------------------------------------------------------------------------------


@login_required
@_manage
@require_http_methods(["GET", "POST"])
def plan_import(request: HttpRequest) -> HttpResponse:
    limit = imports.max_bytes()
    if request.method == "POST" and "token" in request.POST:
        return _import_confirm(request, limit)
    initial_plan = Plan.objects.filter(slug=request.GET.get("plan", "")).first()
    form = PlanImportForm(
        _posted(request),
        _files(request),
        max_bytes=limit,
        initial={"plan": initial_plan},
    )
    if request.method == "POST" and form.is_valid():
        upload, plan = form.cleaned_data["file"], form.cleaned_data["plan"]
        try:
            table = imports.read_plan_file(upload.read(), upload.name)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            counts = imports.plan_import_compare(plan=plan, rows=table.rows)
            problems = table.problems
            for row in table.rows:
                row.dates_text = format_dates(row.dates)
            return render(
                request,
                "plans/actions/import_preview.html",
                {
                    "plan": plan,
                    "table": table,
                    "counts": counts,
                    "problems": problems,
                    "confirm": None
                    if problems
                    else ImportConfirmForm(
                        initial={
                            "plan": plan.pk,
                            "token": imports.rows_token(plan=plan, rows=table.rows),
                        }
                    ),
                    "filename": upload.name,
                },
                status=400 if problems else 200,
            )
    return render(
        request,
        "plans/actions/import.html",
        {"form": form, "max_megabytes": f"{limit / 1048576:g}"},
        status=400 if form.errors else 200,
    )


def _import_confirm(request: HttpRequest, limit: int) -> HttpResponse:
    confirm = ImportConfirmForm(request.POST)
    form = PlanImportForm(max_bytes=limit)
    if confirm.is_valid():
        plan = confirm.cleaned_data["plan"]
        try:
            rows = imports.rows_from_token(plan=plan, token=confirm.cleaned_data["token"])
            result = imports.plan_import(actor=request.user, plan=plan, rows=rows)
        except ValidationError as exc:
            _error_on_fresh_form(form, "file", exc.messages)
        else:
            messages.success(
                request,
                f"Imported into {plan.name}: {result.created} new actions, "
                f"{result.updated} updated, {result.unchanged} unchanged, "
                f"{result.aims_created} new aims",
            )
            return redirect("plans:plan_detail", slug=plan.slug)
    else:
        _error_on_fresh_form(form, "file", "The preview could not be read: upload the file again")
    return render(
        request,
        "plans/actions/import.html",
        {"form": form, "max_megabytes": f"{limit / 1048576:g}"},
        status=400,
    )
