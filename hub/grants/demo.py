"""Grants for the demo borough: the funds the Chesterfield report sets up, applications in
every state, an award with a payment. All through the real services."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hub.accounts.models import User
from hub.grants.letters import award_letter
from hub.grants.models import Fund
from hub.grants.services import applications, assessment, funds, money
from hub.organisations.acting import as_actor
from hub.organisations.models import Organisation
from hub.places.models import Area
from hub.strategy.selectors import active_elements

# A tiny but real PDF, so the demo's applications carry a supporting document.
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _apply(actor, fund, *, title, amount, lines, outcomes, wards):
    application = applications.application_start(actor=actor, fund=fund, title=title)
    applications.application_save_about(
        actor=actor,
        application=application,
        title=title,
        summary=f"{title}: what the money pays for, in the applicant's words.",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=180),
    )
    applications.application_save_amount(
        actor=actor, application=application, amount_requested_pence=amount
    )
    for description, pence in lines:
        applications.budget_line_add(
            actor=actor, application=application, description=description, amount_pence=pence
        )
    applications.application_save_outcomes(
        actor=actor,
        application=application,
        outcomes=outcomes,
        wards=wards,
        priorities=list(applications.fund_priorities(fund))[:1],
    )
    applications.document_add(
        actor=actor,
        application=application,
        kind="constitution",
        upload=SimpleUploadedFile("constitution.pdf", _PDF, content_type="application/pdf"),
    )
    applications.application_declare(
        actor=actor, application=application, name=actor.full_name, confirmed=True
    )
    return applications.application_submit(actor=actor, application=application)


def load_grants_demo() -> int:
    """Create the demo funds and applications unless they exist. Returns how many funds."""
    if Fund.objects.filter(slug="emergency-community-wellbeing-fund").exists():
        return 0
    gina = as_actor(User.objects.get(email="gina@example.org"))
    sam = as_actor(User.objects.get(email="sam@example.org"))
    vic = as_actor(User.objects.get(email="vic@example.org"))
    bob = as_actor(
        User.objects.get(email="bob@example.org"),
        Organisation.objects.get(slug="northfield-food-bank"),
    )
    today = timezone.localdate()
    priorities = list(active_elements("priority")[:2]) + list(active_elements("impact_area")[:1])
    emergency = funds.fund_create(
        actor=gina,
        name="Emergency community wellbeing fund",
        source="Budget risk reserve",
        budget_pence=3_000_000,
        opens_on=today - timedelta(days=20),
        closes_on=today + timedelta(days=40),
        description="Quick, one-off help for communities managing the response to and "
        "recovery from the pandemic, paid directly or through partner agencies.",
        eligibility="Voluntary and community organisations and mutual aid groups working "
        "in the borough.",
        eligible_kinds=["vcs", "mutual_aid"],
        max_award_pence=500_000,
        elements=priorities,
    )
    for name, weight in (
        ("Meets a recovery priority", 3),
        ("Reaches people most affected", 2),
        ("Value for money", 1),
    ):
        funds.criterion_save(actor=gina, fund=emergency, name=name, weight=weight, max_score=5)
    funds.fund_create(
        actor=gina,
        name="Grants to voluntary bodies 2020/21",
        source="Annual grants budget",
        budget_pence=23_955_000,
        opens_on=today - timedelta(days=200),
        closes_on=today - timedelta(days=100),
        eligible_kinds=["vcs"],
        description="The council's annual grants to voluntary bodies.",
    )
    funds.in_kind_record(
        actor=gina,
        fund=emergency,
        organisation=Organisation.objects.get(slug="northfield-food-bank"),
        description="Rent-free period for the food bank's warehouse",
        value_pence=400_000,
        starts_on=today - timedelta(days=60),
        ends_on=today + timedelta(days=120),
    )
    wards = list(Area.objects.filter(level="ward").order_by("code")[:3])
    lunch = _apply(
        vic,
        emergency,
        title="Lunch club for people living alone",
        amount=180_000,
        lines=[("Food", 120_000), ("Hall hire", 60_000)],
        outcomes="60 people who live alone meet weekly for a hot meal.",
        wards=wards[:2],
    )
    parcels = _apply(
        bob,
        emergency,
        title="Winter food parcels",
        amount=250_000,
        lines=[("Food", 200_000), ("Van hire", 50_000)],
        outcomes="200 households fed through the winter.",
        wards=wards[1:],
    )
    assessment.assessment_assign(actor=gina, application=lunch, assessors=[sam])
    reasons = "Meets the social connectedness priority and reaches people living alone."
    award = money.award_make(
        actor=gina,
        application=parcels,
        amount_pence=200_000,
        reasons=reasons,
        letter=award_letter(application=parcels, amount_pence=200_000, reasons=reasons),
    )
    (first, _second) = money.payments_schedule(
        actor=gina,
        award=award,
        instalments=[(100_000, today), (100_000, today + timedelta(days=90))],
    )
    money.payment_mark_paid(actor=gina, payment=first, reference="BACS 000123")
    return 2
