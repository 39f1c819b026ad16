"""Reads for grants, scoped to what the reader may see.

- Grants officers (and administrators) of the host see every fund and application.
- An applicant organisation sees only its own applications and awards.
- An assessor sees only applications assigned to them without a declared conflict.
- Board viewers see aggregates (``grants_summary``), never an application.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from hub.grants.models import Application, Award, Fund
from hub.organisations.models import Role


def is_grants_officer(user) -> bool:
    acting = user.acting
    return acting.for_host and acting.has(Role.GRANTS_OFFICER, Role.ADMINISTRATOR)


def funds_open(on=None) -> QuerySet[Fund]:
    day = on or timezone.localdate()
    return Fund.objects.filter(opens_on__lte=day, closes_on__gte=day).order_by("closes_on")


def get_fund(pk: int) -> Fund:
    try:
        return Fund.objects.get(pk=pk)
    except Fund.DoesNotExist as exc:
        raise Http404("No such fund") from exc


def applications_visible_to(user) -> QuerySet[Application]:
    acting = getattr(user, "acting", None)
    if acting is None or acting.organisation is None:
        return Application.objects.none()
    if is_grants_officer(user):
        return Application.objects.all()
    visible = Q(organisation=acting.organisation)
    if acting.has(Role.ASSESSOR):
        visible |= Q(assignments__assessor=user, assignments__conflict_declared=False) & ~Q(
            status=Application.Status.DRAFT
        )
    return Application.objects.filter(visible).distinct()


def get_application_for_user(user, pk: int) -> Application:
    try:
        return (
            applications_visible_to(user)
            .select_related("fund", "organisation", "created_by")
            .get(pk=pk)
        )
    except Application.DoesNotExist as exc:
        raise Http404("No such application") from exc


def awards_visible_to(user) -> QuerySet[Award]:
    if is_grants_officer(user):
        return Award.objects.all()
    return Award.objects.filter(organisation=user.acting.organisation)


def get_award_for_user(user, pk: int) -> Award:
    try:
        return (
            awards_visible_to(user).select_related("fund", "organisation", "application").get(pk=pk)
        )
    except Award.DoesNotExist as exc:
        raise Http404("No such award") from exc
