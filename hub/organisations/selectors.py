"""Reads about organisations and people, scoped to what the reader may see."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from hub.accounts.models import User
from hub.organisations.models import Membership, Organisation


def organisations_list(*, search: str = "", kind: str = "") -> QuerySet[Organisation]:
    """Every organisation (partners' names are not personal data), with member counts."""
    organisations = Organisation.objects.annotate(
        member_count=Count(
            "memberships__user", filter=Q(memberships__is_active=True), distinct=True
        )
    )
    if search:
        organisations = organisations.filter(name__icontains=search.strip())
    if kind:
        organisations = organisations.filter(kind=kind)
    return organisations.order_by("name")


def get_organisation(pk: int) -> Organisation:
    try:
        return Organisation.objects.get(pk=pk)
    except Organisation.DoesNotExist as exc:
        raise Http404("No such organisation") from exc


def people_visible_to(user) -> QuerySet[User]:
    """The people an administrator may manage: everyone for the host's, else their members."""
    acting = user.acting
    people = User.objects.all()
    if not acting.for_host:
        people = people.filter(
            memberships__organisation=acting.organisation, memberships__is_active=True
        ).distinct()
    return people.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.filter(is_active=True).select_related("organisation"),
            to_attr="current_memberships",
        )
    ).order_by("full_name", "email")


def get_person_for_admin(user, pk: int) -> User:
    try:
        return people_visible_to(user).get(pk=pk)
    except User.DoesNotExist as exc:
        raise Http404("No such person") from exc


def organisation_members(organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.current()
        .filter(organisation=organisation)
        .select_related("user")
        .order_by("user__full_name", "role")
    )
