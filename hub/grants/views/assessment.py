"""Assessment: the assessor's queue and scoring, assigning assessors, and the panel decision."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from rules.contrib.views import permission_required

from hub.grants import letters
from hub.grants import selectors_assessment as assessing
from hub.grants.forms_assessment import AssignForm, ConflictForm, DecisionForm, ScoreForm
from hub.grants.models import Application, Decision
from hub.grants.selectors import get_application_for_user
from hub.grants.services import assessment as services
from hub.grants.services import money

_CONFLICT_ANSWERED = "grants_no_conflict"


def errors_to_form(form, exc: ValidationError, rename: dict[str, str] | None = None) -> None:
    """Put a service's messages on the form, next to the field they name where there is one."""
    rename = rename or {}
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            field = rename.get(key, key)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- The assessment overview: an assessor's own queue, or every live application for officers.


@login_required
def assessor_queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    is_officer = user.has_perm("grants.decide")
    if not (is_officer or user.has_perm("grants.assess")):
        raise PermissionDenied
    context = {"is_officer": is_officer, "is_assessor": user.has_perm("grants.assess")}
    if context["is_assessor"]:
        context["assignments"] = assessing.assignments_for_assessor(user)
    if is_officer:
        context["in_assessment"] = assessing.assessment_overview()
    return render(request, "grants/assessment/queue.html", context)


# --- Scoring (the assigned assessor).


def _conflict_answered(request, assignment) -> bool:
    answered = request.session.get(_CONFLICT_ANSWERED, [])
    return (
        assignment.pk in answered
        or assignment.submitted_at is not None
        or bool(assignment.comments)
        or assignment.scores.exists()
    )


@login_required
@permission_required("grants.assess", raise_exception=True)
@require_http_methods(["GET", "POST"])
def score(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_application_for_user(request.user, pk)
    assignment = assessing.get_assignment_for_assessor(request.user, application)
    criteria = list(application.fund.criteria.all())
    is_open = application.status in services.ASSESSABLE and assignment.submitted_at is None
    conflict_form = score_form = None
    status = 200

    if request.method == "POST" and not is_open:
        messages.error(request, "This assessment is closed: nothing was changed")
        return redirect("grants:score", pk=pk)

    if request.method == "POST" and request.POST.get("step") == "conflict":
        conflict_form = ConflictForm(request.POST)
        if conflict_form.is_valid():
            if conflict_form.cleaned_data["conflict"]:
                try:
                    services.conflict_declare(
                        actor=request.user,
                        assignment=assignment,
                        reason=conflict_form.cleaned_data["reason"],
                    )
                except ValidationError as exc:
                    errors_to_form(conflict_form, exc)
                else:
                    messages.success(
                        request,
                        f"Thank you. You will not assess {application.reference}: a grants "
                        "officer will ask someone else.",
                    )
                    return redirect("grants:assessor_queue")
            else:
                answered = request.session.get(_CONFLICT_ANSWERED, [])
                request.session[_CONFLICT_ANSWERED] = [*answered, assignment.pk]
                return redirect("grants:score", pk=pk)
        status = 400
    elif request.method == "POST":
        score_form = ScoreForm(request.POST, criteria=criteria)
        submitting = request.POST.get("action") == "submit"
        if score_form.is_valid():
            call = services.assessment_submit if submitting else services.scores_save
            try:
                call(
                    actor=request.user,
                    assignment=assignment,
                    scores=score_form.entries(),
                    comments=score_form.cleaned_data["comments"],
                )
            except ValidationError as exc:
                errors_to_form(score_form, exc)
            else:
                if submitting:
                    messages.success(
                        request, f"Your assessment of {application.reference} has been submitted"
                    )
                    return redirect("grants:assessor_queue")
                messages.success(request, "Your scores have been saved as a draft")
                return redirect("grants:score", pk=pk)
        status = 400

    scores = {s.criterion_id: s for s in assignment.scores.all()}
    if conflict_form is None and score_form is None:
        if is_open and not _conflict_answered(request, assignment):
            conflict_form = ConflictForm()
        else:
            initial = {"comments": assignment.comments}
            for c in criteria:
                if c.pk in scores:
                    initial[f"score_{c.pk}"] = str(scores[c.pk].score)
                    initial[f"comment_{c.pk}"] = scores[c.pk].comment
            score_form = ScoreForm(initial=initial, criteria=criteria)
    weighted = services.weighted_score(criteria, {k: s.score for k, s in scores.items()})
    return render(
        request,
        "grants/assessment/score.html",
        {
            "application": application,
            "assignment": assignment,
            "criteria_scores": [(c, scores.get(c.pk)) for c in criteria],
            "is_open": is_open,
            "conflict_form": conflict_form,
            "form": conflict_form or score_form,
            "weighted": weighted,
        },
        status=status,
    )


# --- Assigning assessors (grants officers).


@login_required
@permission_required("grants.decide", raise_exception=True)
@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_application_for_user(request.user, pk)
    assignments = list(application.assignments.select_related("assessor").order_by("pk"))
    candidates = assessing.assessor_candidates().exclude(
        pk__in=[a.assessor_id for a in assignments]
    )
    form = AssignForm(request.POST if request.method == "POST" else None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.assessment_assign(
                actor=request.user,
                application=application,
                assessors=form.cleaned_data["assessors"],
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            names = ", ".join(a.assessor.full_name for a in made)
            messages.success(request, f"{names} will assess {application.reference}")
            return redirect("grants:assign", pk=pk)
    return render(
        request,
        "grants/assessment/assign.html",
        {
            "application": application,
            "assignments": assignments,
            "form": form,
            "can_assign": application.status in services.ASSESSABLE,
            "needs_reassignment": any(a.conflict_declared for a in assignments)
            and not any(not a.conflict_declared for a in assignments),
        },
        status=400 if form.errors else 200,
    )


# --- Moderation and the panel decision (grants officers).


@login_required
@permission_required("grants.decide", raise_exception=True)
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_application_for_user(request.user, pk)
    decision = Decision.objects.filter(application=application).select_related("decided_by").first()
    can_decide = decision is None and application.status in services.ASSESSABLE
    form = (
        DecisionForm(request.POST if request.method == "POST" else None, application=application)
        if can_decide
        else None
    )
    if request.method == "POST" and not can_decide:
        messages.error(request, f"{application.reference} has already been decided")
        return redirect("grants:decide", pk=pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["outcome"] == Decision.Outcome.AWARD:
                award = money.award_make(
                    actor=request.user,
                    application=application,
                    amount_pence=data["amount"],
                    reasons=data["reasons"],
                    moderated_score=data["moderated_score"],
                    conditions=data["conditions"].strip(),
                    letter=letters.award_letter(
                        application=application,
                        amount_pence=data["amount"],
                        reasons=data["reasons"],
                        conditions=data["conditions"],
                    ),
                )
            else:
                money.application_decline(
                    actor=request.user,
                    application=application,
                    reasons=data["reasons"],
                    moderated_score=data["moderated_score"],
                    letter=letters.decline_letter(application=application, reasons=data["reasons"]),
                )
        except ValidationError as exc:
            errors_to_form(form, exc, rename={"amount_pence": "amount"})
        else:
            if data["outcome"] == Decision.Outcome.AWARD:
                messages.success(
                    request,
                    f"{application.organisation.name} has been awarded "
                    f"{money.pounds(award.amount_pence)}. The award letter is ready.",
                )
                return redirect("grants:award_detail", pk=award.pk)
            messages.success(request, f"{application.reference} has been declined")
            return redirect("grants:decide", pk=pk)
    return render(
        request,
        "grants/assessment/decide.html",
        {
            "application": application,
            "decision": decision,
            "moderation": assessing.moderation_for(application),
            "form": form,
            "spread_limit": assessing.MODERATION_SPREAD,
            "award": getattr(application, "award", None)
            if application.status == Application.Status.AWARDED
            else None,
        },
        status=400 if form is not None and form.errors else 200,
    )
