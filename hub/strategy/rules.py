import rules

from hub.organisations.models import Role
from hub.organisations.rules import acts_for_host, has_role, is_member

rules.add_perm("strategy.view_strategy", is_member)
rules.add_perm(
    "strategy.change_strategy",
    acts_for_host & has_role(Role.ADMINISTRATOR, Role.COORDINATOR, Role.PLAN_OWNER),
)
