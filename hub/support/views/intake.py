"""Staff intake: a call handler records a request for help on one page.

Before creating a resident it looks for one already on the hub (same NHS number, or the
same name, date of birth and postcode) and asks "Is this the same person?", showing
only what is needed to tell: the record number, first initial, year of birth and ward.
The form's answers travel to that question and back in hidden fields of a POST, never
in the URL.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from rules.contrib.views import permission_required

from hub.core.access_log import access_log_record
from hub.support.forms_intake import DuplicateChoiceForm, IntakeForm
from hub.support.services.intake import intake_duplicates, intake_submit

# Errors the services raise, keyed by their field, and where they belong on this form.
_FIELD_FOR = {"date_of_birth": "dob_day", "partners": "sharing", "basis": "sharing"}
_NOT_CARRIED = {"csrfmiddlewaretoken", "resident_choice", "action"}


def _add_service_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for field, errors in exc.message_dict.items():
        field = _FIELD_FOR.get(field, field)
        target = field if field in form.fields and field != NON_FIELD_ERRORS else None
        for message in errors:
            form.add_error(target, message)


def _duplicates_page(request, choice_form, candidates) -> HttpResponse:
    for candidate in candidates:
        access_log_record(request=request, obj=candidate, purpose="Possible duplicate at intake")
    carried = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in _NOT_CARRIED
        for value in values
    ]
    return render(
        request,
        "support/intake/duplicates.html",
        {"form": choice_form, "candidates": candidates, "carried": carried},
    )


@login_required
@permission_required("support.intake", raise_exception=True)
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and request.POST.get("action") != "edit":
        data = form.cleaned_data
        candidates = intake_duplicates(
            first_name=data["first_name"],
            last_name=data["last_name"],
            date_of_birth=data["date_of_birth"],
            nhs_number=data["nhs_number"],
            postcode=data["postcode"],
        )
        existing = None
        if candidates:
            # A resident's NHS number is theirs alone: a match cannot be someone new.
            allow_new = not any(
                data["nhs_number"] and c.nhs_number == data["nhs_number"] for c in candidates
            )
            choice_form = DuplicateChoiceForm(
                request.POST if request.POST.get("action") == "choose" else None,
                candidates=candidates,
                allow_new=allow_new,
            )
            if not choice_form.is_bound or not choice_form.is_valid():
                return _duplicates_page(request, choice_form, candidates)
            existing = choice_form.chosen()
        try:
            support_request = intake_submit(
                actor=request.user,
                resident_fields=form.resident_fields(),
                existing=existing,
                channel=data["channel"],
                needs=form.needs_with_detail(),
                urgency=data["urgency"],
                summary=data["summary"],
                on_behalf_name=data["on_behalf_name"].strip(),
                on_behalf_relationship=data["on_behalf_relationship"].strip(),
                on_behalf_phone=data["on_behalf_phone"],
                sharing=data["sharing"],
                how_given=data["how_given"],
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, f"Request {support_request.reference} has been created")
            return redirect("support:request_detail", pk=support_request.pk)
    return render(request, "support/intake/form.html", {"form": form})
