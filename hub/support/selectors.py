"""Reads for support, each scoped to what the reader may see.

- The host's coordinators see every request and resident.
- Caseworkers (and coordinators) of any other organisation see the requests assigned to
  their organisation, and those with a referral to it that is live or completed; through
  a referral they see only the resident details that referral needs.
- Board viewers and everyone else see no personal records at all (aggregates only).
"""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from hub.organisations.models import Role
from hub.support.models import Need, Referral, Resident, SupportRequest

_CASE_ROLES = (Role.COORDINATOR, Role.CASEWORKER)
VISIBLE_REFERRAL_STATUSES = (
    Referral.Status.SENT,
    Referral.Status.ACCEPTED,
    Referral.Status.COMPLETED,
)


def sees_everything(user) -> bool:
    acting = user.acting
    return acting.for_host and acting.has(Role.COORDINATOR)


def requests_visible_to(user) -> QuerySet[SupportRequest]:
    acting = getattr(user, "acting", None)
    if acting is None or not acting.has(*_CASE_ROLES):
        return SupportRequest.objects.none()
    if sees_everything(user):
        return SupportRequest.objects.all()
    organisation = acting.organisation
    referred = Referral.objects.filter(
        need__request=OuterRef("pk"),
        to_organisation=organisation,
        status__in=VISIBLE_REFERRAL_STATUSES,
    )
    return SupportRequest.objects.filter(
        Q(assigned_organisation=organisation) | Q(Exists(referred))
    )


def get_request_for_user(user, pk: int) -> SupportRequest:
    """The request if ``user`` may see it; 404 otherwise (never 403, which would confirm it)."""
    try:
        return (
            requests_visible_to(user)
            .select_related("resident", "resident__ward", "assigned_organisation", "assigned_to")
            .get(pk=pk)
        )
    except SupportRequest.DoesNotExist as exc:
        raise Http404("No such request") from exc


def residents_visible_to(user) -> QuerySet[Resident]:
    if sees_everything(user):
        return Resident.objects.filter(merged_into__isnull=True)
    return Resident.objects.filter(
        pk__in=requests_visible_to(user).values("resident_id"), merged_into__isnull=True
    )


def get_resident_for_user(user, pk: int) -> Resident:
    try:
        return residents_visible_to(user).select_related("ward", "gp_practice").get(pk=pk)
    except Resident.DoesNotExist as exc:
        raise Http404("No such resident") from exc


def is_full_view(user, request: SupportRequest) -> bool:
    """Whether ``user`` sees the whole case, or only what a referral to them needs."""
    if sees_everything(user):
        return True
    return request.assigned_organisation_id == user.acting.organisation.pk


def needs_visible_to(user, request: SupportRequest) -> QuerySet[Need]:
    needs = request.needs.select_related("impact_area")
    if is_full_view(user, request):
        return needs
    return needs.filter(
        referrals__to_organisation=user.acting.organisation,
        referrals__status__in=VISIBLE_REFERRAL_STATUSES,
    ).distinct()


def referrals_received(user, *, status: str | None = None) -> QuerySet[Referral]:
    """Referrals sent to the organisation the user acts for."""
    referrals = Referral.objects.filter(to_organisation=user.acting.organisation).select_related(
        "need", "need__request", "need__request__ward", "from_organisation", "claimed_by"
    )
    if status:
        referrals = referrals.filter(status=status)
    return referrals.order_by("-sent_at", "-id")


def get_referral_for_user(user, pk: int) -> Referral:
    """A referral sent to the user's organisation, or one they could see the request of."""
    try:
        referral = Referral.objects.select_related(
            "need__request__resident", "to_organisation", "from_organisation", "claimed_by"
        ).get(pk=pk)
    except Referral.DoesNotExist as exc:
        raise Http404("No such referral") from exc
    acting = user.acting
    if not acting.has(*_CASE_ROLES):
        raise Http404("No such referral")
    if referral.to_organisation_id == acting.organisation.pk or sees_everything(user):
        return referral
    if referral.need.request.assigned_organisation_id == acting.organisation.pk:
        return referral
    raise Http404("No such referral")


def referral_counts(user) -> dict[str, int]:
    rows = (
        Referral.objects.filter(to_organisation=user.acting.organisation)
        .values("status")
        .annotate(n=Count("id"))
    )
    return {row["status"]: row["n"] for row in rows}
