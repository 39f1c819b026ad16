"""The permission layer: every view and API endpoint asks these rules, nothing else.

Predicates read ``user.acting`` (see ``hub.organisations.acting``): a person's
powers are those of the roles they hold in the organisation they act for now.
"""

import rules

from hub.organisations.acting import NOBODY
from hub.organisations.models import Role


def _acting(user):
    return getattr(user, "acting", NOBODY)


def has_role(*roles: str):
    @rules.predicate(name=f"has_role({','.join(roles)})")
    def predicate(user) -> bool:
        return _acting(user).has(*roles)

    return predicate


@rules.predicate
def is_member(user) -> bool:
    return _acting(user).organisation is not None


@rules.predicate
def acts_for_host(user) -> bool:
    return _acting(user).for_host


@rules.predicate
def acts_for_this_organisation(user, organisation) -> bool:
    acting = _acting(user)
    return (
        organisation is not None
        and acting.organisation is not None
        and (acting.organisation.pk == organisation.pk)
    )


is_administrator = has_role(Role.ADMINISTRATOR)
is_host_administrator = acts_for_host & is_administrator
is_dpo = has_role(Role.DATA_PROTECTION_OFFICER)
is_board_viewer_only = is_member & ~has_role(*(r for r in Role.values if r != Role.BOARD_VIEWER))

rules.add_perm("organisations.list_organisations", is_member)
rules.add_perm("organisations.view_organisation", is_member)
rules.add_perm("organisations.add_organisation", is_host_administrator)
rules.add_perm(
    "organisations.change_organisation",
    is_host_administrator | (is_administrator & acts_for_this_organisation),
)
rules.add_perm(
    "organisations.manage_members",
    is_host_administrator | (is_administrator & acts_for_this_organisation),
)
rules.add_perm("accounts.manage_people", is_administrator)
rules.add_perm("core.view_access_log", is_dpo)
