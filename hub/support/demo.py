"""Support data for the demo borough: residents, requests in every state, referrals.

Everything goes through the real services, so the journeys, the access rules and the
gaps page show what they would with real use. Synthetic NHS numbers (the 999 test range)
are used only where settings accept them; otherwise demo residents have none.
"""

import random
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from faker import Faker
from nhs_number import generate
from nhs_number.constants import REGION_SYNTHETIC

from hub.accounts.models import User
from hub.organisations.acting import as_actor
from hub.organisations.models import Organisation
from hub.places.models import Postcode
from hub.support import services
from hub.support.models import Consent, Resident
from hub.support.needs import NeedCategory

MARKER = "demo.example"  # demo residents' e-mail domain: how a second run knows they exist


def load_support_demo(*, scale: int = 1) -> int:
    """Create demo residents and their requests unless they exist. Returns how many."""
    if Resident.objects.filter(email__endswith=f"@{MARKER}").exists():
        return 0
    rng = random.Random(2020)
    fake = Faker("en_GB")
    fake.seed_instance(2020)
    alice = as_actor(User.objects.get(email="alice@example.org"))
    bob = as_actor(
        User.objects.get(email="bob@example.org"),
        Organisation.objects.get(slug="northfield-food-bank"),
    )
    food_bank = Organisation.objects.get(slug="northfield-food-bank")
    age_friends = Organisation.objects.get(slug="ashworth-age-friends")
    pharmacy = Organisation.objects.get(slug="riverside-pharmacy")
    postcodes = list(Postcode.objects.order_by("postcode").values_list("postcode", flat=True))
    numbers = []
    if settings.HUB_ACCEPT_TEST_NHS_NUMBERS:
        random.seed(2020)
        numbers = generate(for_region=REGION_SYNTHETIC, quantity=40 * scale)
    categories = NeedCategory.values
    now = timezone.now()
    made = 0
    for n in range(40 * scale):
        first, last = fake.first_name(), fake.last_name()
        resident = services.resident_create(
            actor=alice,
            first_name=first,
            last_name=last,
            date_of_birth=fake.date_of_birth(minimum_age=18, maximum_age=95),
            nhs_number=numbers[n] if numbers else None,
            address_line_1=fake.street_address().split("\n")[0],
            town="Ashworth",
            postcode=rng.choice(postcodes),
            phone=f"0113 496 0{n % 1000:03d}",
            email=f"{first.lower()}.{last.lower()}{n}@{MARKER}",
            lives_alone=rng.random() < 0.4,
            shielding=rng.random() < 0.2,
            digitally_excluded=rng.random() < 0.25,
        )
        if rng.random() < 0.8:
            services.consent_record(
                actor=alice,
                resident=resident,
                basis=Consent.Basis.CONSENT,
                how_given=Consent.How.VERBAL,
                all_partners=True,
            )
        opened = now - timedelta(hours=rng.randint(1, 24 * 30))
        request = services.request_create(
            actor=alice,
            resident=resident,
            channel=rng.choice(["phone", "web", "email", "partner", "gp"]),
            needs=[(c, "") for c in rng.sample(categories[:13], rng.randint(1, 3))],
            urgency=rng.choice(["same_day", "72_hours", "routine"]),
            summary=fake.sentence(nb_words=12),
            at=opened,
        )
        made += 1
        stage = rng.random()
        if stage < 0.3:
            continue  # still new, waiting in the queue
        services.request_triage(
            actor=alice,
            request=request,
            urgency=request.urgency,
            organisation=rng.choice([food_bank, age_friends]),
        )
        services.contact_log(
            actor=alice,
            request=request,
            direction="out",
            outcome=rng.choice(["answered", "answered", "no_answer", "voicemail"]),
            at=min(now, opened + timedelta(hours=rng.randint(1, 48))),
        )
        need = request.needs.first()
        if stage < 0.5 or not services.consent_allows(resident, food_bank):
            continue
        partner = (
            food_bank
            if need.category in ("emergency_food", "prepared_meals")
            else (pharmacy if need.category == "prescriptions" else food_bank)
        )
        if not services.consent_allows(resident, partner):
            continue
        referral = services.referral_send(actor=alice, need=need, to_organisation=partner)
        if partner != food_bank or stage < 0.6:
            continue
        if stage < 0.7:
            services.referral_decline(actor=bob, referral=referral, reason="No capacity this week")
            continue
        services.referral_accept(actor=bob, referral=referral)
        if stage < 0.85:
            continue
        services.referral_complete(
            actor=bob, referral=referral, outcome="Parcel delivered", need_met=True
        )
    return made
