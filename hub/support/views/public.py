"""The public "Get help" journey: no sign-in, one question a page, no JavaScript needed.

Answers live in the session (never in a URL) as typed, and every use checks them again
with the step's form, so visiting a later step without the earlier answers sends the
person back to the first one missing. The check page POSTs once to save everything in
one transaction, then redirects to the confirmation (POST-redirect-GET) keeping only the
reference, so a refresh or a second press of "Send" saves nothing more.

Protection: a honeypot field on every page (filled in by bots, never by people: they
are told it worked and nothing is saved) and per-address rate limits on page POSTs and
on submissions.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from hub.core.forms import HubForm
from hub.support.forms_public import (
    AboutYouForm,
    AddressForm,
    ConsentForm,
    ContactForm,
    DateOfBirthForm,
    DetailsForm,
    NameForm,
    NeedsForm,
    StepForm,
    WhoForm,
)
from hub.support.needs import NeedCategory
from hub.support.ratelimit import hit
from hub.support.services.intake import get_help_submit
from hub.support.services.requests import new_reference
from hub.support.validation import format_phone

SESSION_KEY = "support_get_help"
BOT_KEY = "support_get_help_bot"
DONE_KEY = "support_get_help_done"
HONEYPOT_FIELD = "website"


def _for_someone_else(stored: dict) -> bool:
    return stored.get("who", {}).get("who") == "someone_else"


@dataclass(frozen=True)
class Step:
    slug: str
    form_class: type[StepForm]
    template: str
    applies: Callable[[dict], bool] = lambda stored: True


STEPS: tuple[Step, ...] = (
    Step("who", WhoForm, "support/public/who.html"),
    Step("about-you", AboutYouForm, "support/public/fields.html", _for_someone_else),
    Step("needs", NeedsForm, "support/public/needs.html"),
    Step("details", DetailsForm, "support/public/details.html"),
    Step("name", NameForm, "support/public/fields.html"),
    Step("date-of-birth", DateOfBirthForm, "support/public/date_of_birth.html"),
    Step("address", AddressForm, "support/public/fields.html"),
    Step("contact", ContactForm, "support/public/fields.html"),
    Step("consent", ConsentForm, "support/public/consent.html"),
)
_BY_SLUG = {step.slug: step for step in STEPS}


class Journey:
    """The answers so far, kept in the session, and where the person may go next."""

    def __init__(self, session):
        self.session = session
        self.stored: dict = session.get(SESSION_KEY, {})

    @property
    def someone_else(self) -> bool:
        return _for_someone_else(self.stored)

    def steps(self) -> list[Step]:
        return [step for step in STEPS if step.applies(self.stored)]

    def form(self, step: Step, data=None) -> StepForm:
        if data is None:
            return step.form_class(
                initial=self.stored.get(step.slug), someone_else=self.someone_else
            )
        return step.form_class(data, someone_else=self.someone_else)

    def answers(self) -> tuple[dict[str, dict], Step | None]:
        """The cleaned answer of each step in order, up to the first missing or invalid one,
        and that step (None when every step is answered)."""
        cleaned: dict[str, dict] = {}
        for step in self.steps():
            if step.slug not in self.stored:
                return cleaned, step
            form = self.form(step, self.stored[step.slug])
            if not form.is_valid():
                return cleaned, step
            cleaned[step.slug] = form.cleaned_data
        return cleaned, None

    def save(self, step: Step, form: StepForm) -> None:
        raw = {}
        for name, field in form.fields.items():
            if isinstance(field, forms.MultipleChoiceField):
                raw[name] = form.data.getlist(name)
            else:
                raw[name] = form.data.get(name, "")
        self.stored[step.slug] = raw
        if step.slug == "who" and not self.someone_else:
            self.stored.pop("about-you", None)  # keep nobody's details we do not need
        self.session[SESSION_KEY] = self.stored

    def following(self, step: Step) -> str:
        slugs = [s.slug for s in self.steps()]
        index = slugs.index(step.slug)
        return slugs[index + 1] if index + 1 < len(slugs) else "check"

    def previous(self, step: Step) -> str | None:
        slugs = [s.slug for s in self.steps()]
        index = slugs.index(step.slug)
        return slugs[index - 1] if index > 0 else None

    def clear(self) -> None:
        self.session.pop(SESSION_KEY, None)
        self.session.pop(BOT_KEY, None)


def _step_url(slug: str, *, change: bool = False) -> str:
    url = reverse("support:get_help_step", args=[slug])
    return f"{url}?change=1" if change and slug != "check" else url


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "support/public/too_many.html",
        {"contact_phone": settings.HUB_CONTACT_PHONE},
        status=429,
    )


def _post_allowed(request: HttpRequest) -> bool:
    return hit(
        request,
        scope="get-help-post",
        limit=settings.HUB_GET_HELP_POSTS_PER_10_MINUTES,
        window_seconds=600,
    )


def _submission_allowed(request: HttpRequest) -> bool:
    return hit(
        request,
        scope="get-help-submit",
        limit=settings.HUB_GET_HELP_LIMIT_PER_HOUR,
        window_seconds=3600,
    )


def _note_honeypot(request: HttpRequest) -> None:
    if request.POST.get(HONEYPOT_FIELD, "").strip():
        request.session[BOT_KEY] = True


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "support/public/start.html",
        {"contact_phone": settings.HUB_CONTACT_PHONE},
    )


@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, step: str) -> HttpResponse:
    if step == "check":
        return _check(request)
    if step == "done":
        return _done(request)
    current = _BY_SLUG.get(step)
    if current is None:
        raise Http404("No such step")
    if request.method == "POST" and not _post_allowed(request):
        return _too_many(request)
    journey = Journey(request.session)
    _, missing = journey.answers()
    applicable = journey.steps()
    if current not in applicable:
        return redirect(_step_url(missing.slug if missing else "check"))
    if missing is not None and applicable.index(missing) < applicable.index(current):
        return redirect(_step_url(missing.slug))
    changing = request.GET.get("change") == "1"
    if request.method == "POST":
        _note_honeypot(request)
        form = journey.form(current, request.POST)
        if form.is_valid():
            journey.save(current, form)
            if changing:
                _, missing = journey.answers()
                return redirect(_step_url(missing.slug if missing else "check", change=True))
            return redirect(_step_url(journey.following(current)))
    else:
        form = journey.form(current)
    previous = journey.previous(current)
    if changing:
        back_url = _step_url("check")
    elif previous:
        back_url = _step_url(previous)
    else:
        back_url = reverse("support:get_help")
    return render(
        request,
        current.template,
        {
            "form": form,
            "back_url": back_url,
            "action_url": _step_url(current.slug, change=changing),
            "someone_else": journey.someone_else,
            "domestic_abuse": NeedCategory.DOMESTIC_ABUSE.value,
        },
    )


class _SubmitForm(HubForm):
    """Carries errors the services raise at the last moment to the check page."""


def _summary_rows(answers: dict[str, dict], someone_else: bool) -> list[dict]:
    def row(key, value, slug, lines=None):
        return {"key": key, "value": value, "lines": lines, "url": _step_url(slug, change=True)}

    rows = [row("Who needs help", "Someone else" if someone_else else "I do", "who")]
    if someone_else:
        helper = answers["about-you"]
        rows += [
            row("Your name", helper["helper_name"], "about-you"),
            row("How you know them", helper["relationship"], "about-you"),
            row("Your phone number", format_phone(helper["helper_phone"]), "about-you"),
        ]
    rows += [
        row(
            "Help needed",
            "",
            "needs",
            [NeedCategory(c).label for c in answers["needs"]["needs"]],
        ),
        row("More about it", answers["details"]["details"] or "Not given", "details"),
        row(
            "Name",
            f"{answers['name']['first_name']} {answers['name']['last_name']}",
            "name",
        ),
    ]
    dob = answers["date-of-birth"]["date_of_birth"]
    rows.append(
        row(
            "Date of birth",
            f"{dob.day} {dob:%B %Y}" if dob else "Not given",
            "date-of-birth",
        )
    )
    address = answers["address"]
    rows.append(
        row(
            "Address",
            "",
            "address",
            [
                v
                for v in (
                    address["address_line_1"],
                    address["address_line_2"],
                    address["town"],
                    address["postcode"],
                )
                if v
            ],
        )
    )
    contact = answers["contact"]
    rows += [
        row("Phone number", format_phone(contact["phone"]) or "Not given", "contact"),
        row("Email address", contact["email"] or "Not given", "contact"),
        row(
            "Share details with organisations that can help",
            "Yes" if answers["consent"]["share"] == "yes" else "No, only the council",
            "consent",
        ),
    ]
    return rows


def _submit(answers: dict[str, dict], someone_else: bool):
    name, address, contact = answers["name"], answers["address"], answers["contact"]
    helper = answers.get("about-you") if someone_else else None
    return get_help_submit(
        resident={
            "first_name": name["first_name"],
            "last_name": name["last_name"],
            "date_of_birth": answers["date-of-birth"]["date_of_birth"],
            "address_line_1": address["address_line_1"],
            "address_line_2": address["address_line_2"],
            "town": address["town"],
            "postcode": address["postcode"],
            "phone": contact["phone"],
            "email": contact["email"],
        },
        needs=answers["needs"]["needs"],
        details=answers["details"]["details"],
        share=answers["consent"]["share"] == "yes",
        on_behalf=(
            {
                "name": helper["helper_name"],
                "relationship": helper["relationship"],
                "phone": helper["helper_phone"],
            }
            if helper
            else None
        ),
    )


def _check(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and not _post_allowed(request):
        return _too_many(request)
    journey = Journey(request.session)
    answers, missing = journey.answers()
    if missing is not None:
        return redirect(_step_url(missing.slug))
    form = _SubmitForm(data={})
    form.is_valid()
    if request.method == "POST":
        if not _submission_allowed(request):
            return _too_many(request)
        _note_honeypot(request)
        if request.session.get(BOT_KEY):
            journey.clear()
            request.session[DONE_KEY] = new_reference()  # looks real; nothing was saved
            return redirect(_step_url("done"))
        try:
            support_request = _submit(answers, journey.someone_else)
        except ValidationError as exc:
            for messages in getattr(exc, "message_dict", {"": exc.messages}).values():
                for message in messages:
                    form.add_error(None, message)
        else:
            journey.clear()
            request.session[DONE_KEY] = support_request.reference
            return redirect(_step_url("done"))
    last = journey.steps()[-1].slug
    return render(
        request,
        "support/public/check.html",
        {
            "form": form,
            "rows": _summary_rows(answers, journey.someone_else),
            "back_url": _step_url(last),
            "someone_else": journey.someone_else,
        },
    )


def _done(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        return redirect(_step_url("done"))
    reference = request.session.get(DONE_KEY)
    if not reference:
        return redirect("support:get_help")
    return render(
        request,
        "support/public/done.html",
        {"reference": reference, "contact_phone": settings.HUB_CONTACT_PHONE},
    )
