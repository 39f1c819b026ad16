"""Who may do what with funds, applications and awards."""

import rules

from hub.organisations.models import Role
from hub.organisations.rules import acts_for_host, acts_for_this_organisation, has_role, is_member

is_grants_officer = acts_for_host & has_role(Role.GRANTS_OFFICER, Role.ADMINISTRATOR)
is_assessor = has_role(Role.ASSESSOR)


@rules.predicate
def applies_for_own_organisation(user, application) -> bool:
    return application is not None and acts_for_this_organisation(user, application.organisation)


@rules.predicate
def is_assigned_assessor(user, application) -> bool:
    return (
        application is not None
        and application.assignments.filter(assessor=user, conflict_declared=False).exists()
    )


rules.add_perm("grants.view_funds", is_member)
rules.add_perm("grants.manage_funds", is_grants_officer)
# Partners apply for their own organisation; the host runs the funds and does not apply.
can_apply = ~acts_for_host & has_role(
    Role.ADMINISTRATOR,
    Role.COORDINATOR,
    Role.CASEWORKER,
    Role.VOLUNTEER_COORDINATOR,
    Role.GRANTS_OFFICER,
    Role.PLAN_OWNER,
    Role.ENGAGEMENT_LEAD,
)

rules.add_perm("grants.apply", can_apply)
rules.add_perm(
    "grants.view_application",
    is_grants_officer | applies_for_own_organisation | (is_assessor & is_assigned_assessor),
)
rules.add_perm("grants.edit_application", applies_for_own_organisation)
rules.add_perm("grants.assess", is_assessor)
rules.add_perm("grants.score_application", is_assessor & is_assigned_assessor)
rules.add_perm("grants.decide", is_grants_officer)
rules.add_perm("grants.view_reports", is_grants_officer | has_role(Role.BOARD_VIEWER))
rules.add_perm("grants.assess_or_decide", is_assessor | is_grants_officer)
