"""Who may read and change plans, risks, boards and board reports.

Plans, risks and board reports hold no personal data about residents, so every member
(board viewers included) may read them; changing them is for the host's plan owners,
coordinators and administrators, and for the person who owns an action or a risk.
"""

import rules

from hub.organisations.models import Role
from hub.organisations.rules import acts_for_host, has_role, is_member

is_plan_manager = acts_for_host & has_role(Role.PLAN_OWNER, Role.COORDINATOR, Role.ADMINISTRATOR)


@rules.predicate
def owns_it(user, obj) -> bool:
    return obj is not None and getattr(obj, "owner_id", None) == user.pk


rules.add_perm("plans.view_plans", is_member)
rules.add_perm("plans.manage_plans", is_plan_manager)
rules.add_perm("plans.update_action", is_plan_manager | owns_it)
rules.add_perm("plans.view_risks", is_member)
rules.add_perm("plans.manage_risks", is_plan_manager)
rules.add_perm("plans.update_risk", is_plan_manager | owns_it)
rules.add_perm("plans.view_boards", is_member)
rules.add_perm("plans.manage_boards", is_plan_manager)
