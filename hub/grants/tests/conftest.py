"""Grants fixtures: the emergency community wellbeing fund, its people and an application.

Built with the ORM so that each journey's tests can start from the state they need.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from hub.grants.models import Application, Assignment, BudgetLine, Criterion, Fund
from hub.organisations.models import Organisation, Role
from hub.testing.factories import MembershipFactory, OrganisationFactory, UserFactory


@pytest.fixture
def gina(council):
    """Grants officer at the council."""
    user = UserFactory(email="gina@example.org", full_name="Gina Grant")
    MembershipFactory(user=user, organisation=council, role=Role.GRANTS_OFFICER)
    return user


@pytest.fixture
def nhs_body(db):
    return OrganisationFactory(name="Ashworth Primary Care Network", kind=Organisation.Kind.NHS)


@pytest.fixture
def sam(nhs_body):
    """An assessor from an organisation unconnected to the applicants."""
    user = UserFactory(email="sam@example.org", full_name="Sam Scott")
    MembershipFactory(user=user, organisation=nhs_body, role=Role.ASSESSOR)
    return user


@pytest.fixture
def tess(nhs_body):
    """A second assessor."""
    user = UserFactory(email="tess@example.org", full_name="Tess Turner")
    MembershipFactory(user=user, organisation=nhs_body, role=Role.ASSESSOR)
    return user


@pytest.fixture
def fund(council):
    today = timezone.localdate()
    fund = Fund.objects.create(
        name="Emergency community wellbeing fund",
        slug="emergency-community-wellbeing-fund",
        source="Budget risk reserve",
        description="Quick help for communities managing the response and recovery.",
        eligibility="Voluntary and community organisations and mutual aid groups in the borough.",
        eligible_kinds=["vcs", "mutual_aid"],
        budget_pence=3_000_000,
        max_award_pence=500_000,
        opens_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=30),
        owner=council,
    )
    for position, (name, weight) in enumerate(
        [
            ("Meets a recovery priority", 3),
            ("Reaches people most affected", 2),
            ("Value for money", 1),
        ],
        start=1,
    ):
        Criterion.objects.create(
            fund=fund, name=name, weight=weight, max_score=5, position=position
        )
    return fund


@pytest.fixture
def application(fund, partner, bob):
    """A draft from the partner (Northfield Food Bank), by bob."""
    application = Application.objects.create(
        reference="APP-000001",
        fund=fund,
        organisation=partner,
        title="Winter food parcels",
        amount_requested_pence=250_000,
        summary="Food parcels for 200 households.",
        outcomes="200 households fed through January.",
        created_by=bob,
        starts_on=date(2026, 12, 1),
        ends_on=date(2027, 3, 31),
    )
    BudgetLine.objects.create(application=application, description="Food", amount_pence=200_000)
    BudgetLine.objects.create(application=application, description="Van hire", amount_pence=50_000)
    return application


@pytest.fixture
def submitted_application(application):
    application.status = Application.Status.SUBMITTED
    application.declaration_name = "Bob Baker"
    application.declared_at = application.submitted_at = timezone.now()
    application.save()
    return application


@pytest.fixture
def assigned_application(submitted_application, sam, tess):
    for assessor in (sam, tess):
        Assignment.objects.create(application=submitted_application, assessor=assessor)
    submitted_application.status = Application.Status.ASSESSMENT
    submitted_application.save()
    return submitted_application
