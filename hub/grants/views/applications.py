"""Applying for a grant: the list, starting (eligibility is checked first), the task list,
each section with save and return, checking and submitting, withdrawing, and supporting
documents (uploaded into private storage, served only to those who may see the application).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from rules.contrib.views import permission_required

from hub.grants import documents, selectors
from hub.grants.forms_applications import (
    AboutForm,
    AmountForm,
    ApplicationFilterForm,
    BudgetLineForm,
    DeclarationForm,
    DocumentForm,
    OutcomesForm,
    StartForm,
)
from hub.grants.models import Application, Decision, SupportingDocument
from hub.grants.services import applications as services
from hub.grants.services.money import pounds
from hub.grants.views.funds import errors_to_form
from hub.strategy.selectors import tags_for

SECTION_TITLES = {
    "about": "About your project",
    "money": "Money",
    "outcomes": "Outcomes",
    "documents": "Supporting documents",
    "declaration": "Declaration",
    "check": "Check and submit",
}
ORDER = [*services.SECTIONS, "check"]
PAGE_SIZE = 50


def _visible(request: HttpRequest, pk: int) -> Application:
    """The application if this person may see it; 404 otherwise, never a hint it exists."""
    application = selectors.get_application_for_user(request.user, pk)
    if not request.user.has_perm("grants.view_application", application):
        raise Http404("No such application")
    return application


# The list ------------------------------------------------------------------------------------


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    """Grants officers see every application, filtered by fund and status; an applicant
    organisation sees its own. Assessors have their own queue."""
    user = request.user
    officer = user.has_perm("grants.manage_funds")
    if not officer and not user.has_perm("grants.apply"):
        raise PermissionDenied
    applications = selectors.applications_visible_to(user).select_related("fund", "organisation")
    form = None
    query = ""
    if officer:
        form = ApplicationFilterForm(request.GET or None)
        if form.is_valid():
            if form.cleaned_data["fund"]:
                applications = applications.filter(fund=form.cleaned_data["fund"])
            if form.cleaned_data["status"]:
                applications = applications.filter(status=form.cleaned_data["status"])
            query = urlencode(
                {
                    k: v
                    for k, v in (
                        ("fund", form.cleaned_data["fund"].pk if form.cleaned_data["fund"] else ""),
                        ("status", form.cleaned_data["status"]),
                    )
                    if v
                }
            )
    else:
        applications = applications.filter(organisation=request.acting.organisation)
    page = Paginator(applications.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [{"application": a, "amount": pounds(a.amount_requested_pence)} for a in page]
    return render(
        request,
        "grants/applications/list.html",
        {"rows": rows, "page": page, "form": form, "officer": officer, "query": query},
    )


# Starting ------------------------------------------------------------------------------------


@login_required
@permission_required("grants.apply", raise_exception=True)
@require_http_methods(["GET", "POST"])
def application_start(request: HttpRequest, fund_pk: int) -> HttpResponse:
    fund = selectors.get_fund(fund_pk)
    organisation = request.acting.organisation
    problems = services.eligibility_problems(organisation=organisation, fund=fund)
    form = StartForm(request.POST or None)
    if request.method == "POST" and not problems and form.is_valid():
        try:
            application = services.application_start(
                actor=request.user, fund=fund, title=form.cleaned_data["title"]
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(
                request,
                f"Application {application.reference} has been started: you can "
                "save each section and come back to it later",
            )
            return redirect("grants:application_detail", pk=application.pk)
    drafts = selectors.applications_visible_to(request.user).filter(
        fund=fund, organisation=organisation, status=Application.Status.DRAFT
    )
    refused = request.method == "POST" and (problems or form.errors)
    return render(
        request,
        "grants/applications/start.html",
        {"fund": fund, "problems": problems, "form": form, "drafts": drafts},
        status=400 if refused else 200,
    )


# One application -----------------------------------------------------------------------------


def _summary(application: Application) -> dict:
    """Everything the summary of an application shows, with money already in pounds."""
    lines = list(application.budget_lines.all())
    total = sum(line.amount_pence for line in lines)
    return {
        "amount": pounds(application.amount_requested_pence),
        "lines": [{"line": line, "amount": pounds(line.amount_pence)} for line in lines],
        "lines_total": pounds(total),
        "lines_match": bool(lines) and total == application.amount_requested_pence,
        "wards": list(application.wards.order_by("name")),
        "priorities": list(
            services.fund_priorities(application.fund).filter(
                pk__in=tags_for(application).values("pk")
            )
        ),
        "documents": list(application.documents.all()),
    }


def _decision(application: Application) -> Decision | None:
    if application.status not in (Application.Status.AWARDED, Application.Status.DECLINED):
        return None
    return Decision.objects.filter(application=application).first()


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _visible(request, pk)
    user = request.user
    is_applicant = user.has_perm("grants.edit_application", application)
    editable = is_applicant and application.status == Application.Status.DRAFT
    statuses = services.section_statuses(application)
    tasks = [
        {
            "slug": slug,
            "title": SECTION_TITLES[slug],
            "status": statuses[slug],
            "url": reverse("grants:application_section", args=[application.pk, slug]),
        }
        for slug in services.SECTIONS
    ]
    ready = all(s == services.COMPLETED for s in statuses.values())
    decision = _decision(application)
    return render(
        request,
        "grants/applications/detail.html",
        {
            "application": application,
            "editable": editable,
            "tasks": tasks,
            "ready": ready,
            "completed": sum(1 for s in statuses.values() if s == services.COMPLETED),
            "summary": _summary(application),
            "decision": decision,
            "decision_amount": pounds(decision.amount_pence) if decision else "",
            "can_withdraw": is_applicant and application.status in services.WITHDRAWABLE,
        },
    )


def _next(request: HttpRequest, application: Application, section: str):
    if request.POST.get("then") == "return" or section == ORDER[-1]:
        return redirect("grants:application_detail", pk=application.pk)
    following = ORDER[ORDER.index(section) + 1]
    return redirect("grants:application_section", pk=application.pk, section=following)


def _back_to(application: Application, section: str):
    return redirect("grants:application_section", pk=application.pk, section=section)


def _section_page(request, application, section, form, *, template="section.html", **extra):
    return render(
        request,
        f"grants/applications/{template}",
        {
            "application": application,
            "section": section,
            "heading": SECTION_TITLES.get(section, ""),
            "form": form,
            **extra,
        },
        status=400 if form is not None and form.errors else 200,
    )


def _about(request, application):
    form = AboutForm(
        request.POST or None,
        initial={
            "title": application.title,
            "summary": application.summary,
            "starts_on": application.starts_on,
            "ends_on": application.ends_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.application_save_about(
                actor=request.user, application=application, **form.cleaned_data
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            return _next(request, application, "about")
    return _section_page(request, application, "about", form)


def _money(request, application):
    amount_form = AmountForm(
        initial={"amount_requested": application.amount_requested_pence or None}
    )
    line_form = BudgetLineForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "amount":
            amount_form = AmountForm(request.POST)
            if amount_form.is_valid():
                try:
                    services.application_save_amount(
                        actor=request.user,
                        application=application,
                        amount_requested_pence=amount_form.cleaned_data["amount_requested"],
                    )
                except ValidationError as exc:
                    errors_to_form(amount_form, exc)
                else:
                    messages.success(request, "The amount requested has been saved")
                    return _back_to(application, "money")
        elif action == "add_line":
            line_form = BudgetLineForm(request.POST)
            if line_form.is_valid():
                try:
                    services.budget_line_add(
                        actor=request.user,
                        application=application,
                        description=line_form.cleaned_data["description"],
                        amount_pence=line_form.cleaned_data["amount"],
                    )
                except ValidationError as exc:
                    errors_to_form(line_form, exc)
                else:
                    messages.success(request, "The budget line has been added")
                    return _back_to(application, "money")
        elif action == "remove_line":
            line_id = request.POST.get("line", "")
            try:
                services.budget_line_remove(
                    actor=request.user,
                    application=application,
                    line_id=int(line_id) if line_id.isdigit() else 0,
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, "The budget line has been removed")
            return _back_to(application, "money")
    failed = amount_form.errors or line_form.errors
    return render(
        request,
        "grants/applications/money.html",
        {
            "application": application,
            "section": "money",
            "heading": SECTION_TITLES["money"],
            "amount_form": amount_form,
            "line_form": line_form,
            "failed": failed,
            "summary": _summary(application),
            "max_award": pounds(application.fund.max_award_pence)
            if application.fund.max_award_pence
            else "",
        },
        status=400 if failed else 200,
    )


def _outcomes(request, application):
    priorities = services.fund_priorities(application.fund)
    form = OutcomesForm(
        request.POST or None,
        priorities=priorities,
        initial={
            "outcomes": application.outcomes,
            "wards": list(application.wards.values_list("pk", flat=True)),
            "priorities": list(
                priorities.filter(pk__in=tags_for(application).values("pk")).values_list(
                    "pk", flat=True
                )
            ),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.application_save_outcomes(
                actor=request.user,
                application=application,
                outcomes=form.cleaned_data["outcomes"],
                wards=form.cleaned_data.get("wards", []),
                priorities=form.cleaned_data.get("priorities", []),
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            return _next(request, application, "outcomes")
    return _section_page(request, application, "outcomes", form)


def _documents(request, application):
    form = DocumentForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "upload":
            form = DocumentForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    document = services.document_add(
                        actor=request.user,
                        application=application,
                        kind=form.cleaned_data["kind"],
                        upload=form.cleaned_data["file"],
                    )
                except ValidationError as exc:
                    errors_to_form(form, exc)
                else:
                    messages.success(request, f"{document.original_name} has been uploaded")
                    return _back_to(application, "documents")
        elif action == "remove":
            document_id = request.POST.get("document", "")
            try:
                services.document_remove(
                    actor=request.user,
                    application=application,
                    document_id=int(document_id) if document_id.isdigit() else 0,
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, "The document has been removed")
            return _back_to(application, "documents")
        elif action == "continue":
            return _next(request, application, "documents")
    return _section_page(
        request,
        application,
        "documents",
        form,
        template="documents.html",
        documents=application.documents.all(),
    )


def _declaration(request, application):
    form = DeclarationForm(
        request.POST or None, initial={"declaration_name": application.declaration_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.application_declare(
                actor=request.user,
                application=application,
                name=form.cleaned_data["declaration_name"],
                confirmed=form.cleaned_data["confirm"],
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            return _next(request, application, "declaration")
    return _section_page(request, application, "declaration", form)


def _problems_list(application, problems: dict[str, str] | list[str]) -> list[tuple[str, str]]:
    if isinstance(problems, dict):
        return [
            (reverse("grants:application_section", args=[application.pk, key]), message)
            if key in services.SECTIONS
            else ("", message)
            for key, message in problems.items()
        ]
    return [("", message) for message in problems]


def _check(request, application):
    status = 200
    if request.method == "POST":
        try:
            services.application_submit(actor=request.user, application=application)
        except ValidationError as exc:
            problems = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            if isinstance(problems, dict):
                problems = {k: " ".join(v) for k, v in problems.items()}
            errors = _problems_list(application, problems)
            status = 400
        else:
            messages.success(
                request,
                f"Application {application.reference} has been submitted. The grants team "
                "will tell you their decision.",
            )
            return redirect("grants:application_detail", pk=application.pk)
    else:
        errors = []
    to_do = _problems_list(application, services.submission_problems(application))
    return render(
        request,
        "grants/applications/check.html",
        {
            "application": application,
            "section": "check",
            "heading": SECTION_TITLES["check"],
            "errors": errors,
            "to_do": to_do,
            "summary": _summary(application),
        },
        status=status,
    )


def _withdraw(request, application):
    if application.status not in services.WITHDRAWABLE:
        messages.error(request, f"Application {application.reference} cannot be withdrawn")
        return redirect("grants:application_detail", pk=application.pk)
    if request.method == "POST":
        try:
            services.application_withdraw(actor=request.user, application=application)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Application {application.reference} has been withdrawn")
        return redirect("grants:application_detail", pk=application.pk)
    return render(request, "grants/applications/withdraw.html", {"application": application})


_SECTIONS = {
    "about": _about,
    "money": _money,
    "outcomes": _outcomes,
    "documents": _documents,
    "declaration": _declaration,
    "check": _check,
}


@login_required
@require_http_methods(["GET", "POST"])
def application_section(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    """One page of the application. Only its own organisation may open it, and only while
    it is a draft (withdrawing is also open once submitted)."""
    handler = _withdraw if section == "withdraw" else _SECTIONS.get(section)
    if handler is None:
        raise Http404("No such section")
    application = _visible(request, pk)
    if not request.user.has_perm("grants.edit_application", application):
        raise PermissionDenied
    if handler is not _withdraw and application.status != Application.Status.DRAFT:
        messages.info(
            request,
            f"Application {application.reference} has been "
            f"{application.get_status_display().lower()}, so it can no longer be changed",
        )
        return redirect("grants:application_detail", pk=application.pk)
    return handler(request, application)


# Documents -----------------------------------------------------------------------------------


@login_required
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The file, as a download, to those who may see its application; 404 to anyone else."""
    visible = selectors.applications_visible_to(request.user).values("pk")
    document = (
        SupportingDocument.objects.select_related("application", "application__organisation")
        .filter(pk=pk, application_id__in=visible)
        .first()
    )
    if document is None or not request.user.has_perm(
        "grants.view_application", document.application
    ):
        raise Http404("No such document")
    try:
        handle = documents.stored_path(document.stored_name).open("rb")
    except OSError as exc:
        raise Http404("No such document") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=documents.download_name(document.original_name),
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
