"""Who may do what with residents, requests and referrals."""

import rules

from hub.organisations.models import Role
from hub.organisations.rules import acts_for_host, has_role

is_host_coordinator = acts_for_host & has_role(Role.COORDINATOR)
is_caseworker = has_role(Role.CASEWORKER, Role.COORDINATOR)


@rules.predicate
def can_see_request(user, request) -> bool:
    from hub.support.selectors import requests_visible_to

    return request is not None and requests_visible_to(user).filter(pk=request.pk).exists()


rules.add_perm("support.view_queue", is_caseworker)
rules.add_perm("support.triage", is_host_coordinator)
rules.add_perm("support.intake", is_caseworker)
rules.add_perm("support.view_request", is_caseworker & can_see_request)
rules.add_perm("support.work_request", is_caseworker & can_see_request)
rules.add_perm("support.merge_residents", is_host_coordinator)
rules.add_perm("support.import_shielding", is_host_coordinator)
rules.add_perm("support.view_referrals", is_caseworker)
rules.add_perm(
    "support.view_gaps",
    has_role(Role.COORDINATOR, Role.BOARD_VIEWER, Role.PLAN_OWNER, Role.ADMINISTRATOR),
)
