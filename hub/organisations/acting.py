"""Which organisation a person is acting for, and with which roles.

Every permission in the hub is a question about the acting organisation, so
this is computed once per request (by the middleware, or by the API for token
sign-ins) and hung on both the request and the user.
"""

from dataclasses import dataclass, field

from hub.organisations.models import Membership, Organisation, Role

SESSION_KEY = "acting_organisation_id"


@dataclass(frozen=True)
class Acting:
    organisation: Organisation | None
    roles: frozenset[str] = frozenset()
    organisations: tuple[Organisation, ...] = field(default_factory=tuple)

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def for_host(self) -> bool:
        return self.organisation is not None and self.organisation.is_host

    @property
    def role_labels(self) -> list[str]:
        return [label for value, label in Role.choices if value in self.roles]


NOBODY = Acting(organisation=None)


def acting_for(user, organisation_id: int | None) -> Acting:
    """The acting context of ``user``: ``organisation_id`` if they belong to it, else their first.

    One query: the user's current memberships with their organisations.
    """
    if not getattr(user, "is_authenticated", False):
        return NOBODY
    memberships = list(
        Membership.objects.current()
        .filter(user=user)
        .select_related("organisation")
        .order_by("-organisation__is_host", "organisation__name")
    )
    organisations: dict[int, Organisation] = {}
    roles: dict[int, set[str]] = {}
    for membership in memberships:
        organisations.setdefault(membership.organisation_id, membership.organisation)
        roles.setdefault(membership.organisation_id, set()).add(membership.role)
    if not organisations:
        return NOBODY
    chosen = organisation_id if organisation_id in organisations else None
    if chosen is None and user.last_organisation_id in organisations:
        chosen = user.last_organisation_id
    if chosen is None:
        chosen = next(iter(organisations))
    return Acting(
        organisation=organisations[chosen],
        roles=frozenset(roles[chosen]),
        organisations=tuple(organisations.values()),
    )


def attach(user, acting: Acting) -> None:
    user.acting = acting


def as_actor(user, organisation=None):
    """``user`` with their acting context set, as the middleware would, for calling services
    outside a request (commands, the demo loader, tests)."""
    attach(user, acting_for(user, organisation.pk if organisation else None))
    return user
