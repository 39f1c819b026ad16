"""Plans fixtures: a plan owner at the council, a plan, a risk register and a board."""

import pytest

from hub.organisations.models import Role
from hub.plans.models import Board, Plan, RiskRegister
from hub.testing.factories import MembershipFactory, UserFactory


@pytest.fixture
def pete(council):
    """Plan owner at the council."""
    user = UserFactory(email="pete@example.org", full_name="Pete Patel")
    MembershipFactory(user=user, organisation=council, role=Role.PLAN_OWNER)
    return user


@pytest.fixture
def plan(council):
    return Plan.objects.create(
        name="Compassionate communities", slug="compassionate-communities", organisation=council
    )


@pytest.fixture
def register(council, plan):
    return RiskRegister.objects.create(
        name="Recovery risks",
        slug="recovery-risks",
        plan=plan,
        organisation=council,
        scale=RiskRegister.Scale.THREE,
    )


@pytest.fixture
def board(council, plan, register):
    board = Board.objects.create(
        name="Health and Wellbeing Board", slug="health-and-wellbeing", organisation=council
    )
    board.plans.add(plan)
    board.risk_registers.add(register)
    return board
