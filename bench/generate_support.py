"""A realistic support workload at scale: wards, partners, residents, requests and needs.

Bulk inserts only (no services), seeded, so a million requests take a couple of minutes.
Shape: about 5% of requests still open (the rest resolved or closed over two years),
one to three needs each, a quarter assigned to each of a handful of partners, due times
spread around now so that some are overdue; a third of the open requests have had a
call, and a third of those calls promised a call-back (some due today, some later).
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone


def generate(*, requests: int, seed: int = 2020, batch: int = 20_000) -> dict:
    from hub.accounts.models import User
    from hub.organisations.models import Membership, Organisation, Role
    from hub.places.models import Area
    from hub.support.models import Need, Resident, SupportRequest
    from hub.support.needs import NEED_BITS, NeedCategory

    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        district = Area.objects.create(code="E07999999", name="Bench", level="district")
        wards = Area.objects.bulk_create(
            [
                Area(code=f"E0599{n:04d}", name=f"Ward {n}", level="ward", parent=district)
                for n in range(1, 31)
            ]
        )
        council = Organisation.objects.create(
            name="Bench Council", slug="bench-council", kind="council", is_host=True
        )
        partners = [
            Organisation.objects.create(name=f"Partner {n}", slug=f"partner-{n}", kind="vcs")
            for n in range(1, 9)
        ]
        coordinator = User.objects.create_user(
            email="coordinator@bench.example", full_name="Bench Coordinator", password="x" * 12
        )
        Membership.objects.create(user=coordinator, organisation=council, role=Role.COORDINATOR)
        caseworker = User.objects.create_user(
            email="caseworker@bench.example", full_name="Bench Caseworker", password="x" * 12
        )
        Membership.objects.create(user=caseworker, organisation=partners[0], role=Role.CASEWORKER)
    residents_count = max(1, requests // 4)
    resident_ids: list[int] = []
    for start in range(0, residents_count, batch):
        size = min(batch, residents_count - start)
        with transaction.atomic():
            made = Resident.objects.bulk_create(
                [
                    Resident(
                        first_name=f"Given{start + i}",
                        last_name=f"Family{(start + i) % 997}",
                        postcode="AW1 1AA",
                        ward=wards[(start + i) % len(wards)],
                    )
                    for i in range(size)
                ],
                batch_size=5_000,
            )
        resident_ids.extend(r.pk for r in made)
    categories = NeedCategory.values
    urgencies = list(SupportRequest.URGENCY_HOURS)
    made_requests = 0
    for start in range(0, requests, batch):
        size = min(batch, requests - start)
        rows, choices = [], []
        for i in range(size):
            n = start + i
            created = now - timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
            is_open = rng.random() < 0.05
            urgency = rng.choice(urgencies)
            status = (
                rng.choice(["new", "triaged", "in_progress"])
                if is_open
                else rng.choice(["resolved", "closed"])
            )
            if is_open:
                created = now - timedelta(hours=rng.randint(0, 24 * 14))
            assigned = rng.choice([None, None, *partners]) if status != "new" else None
            chosen = rng.sample(categories, rng.randint(1, 3))
            rows.append(
                SupportRequest(
                    reference=f"BN-{n:09d}",
                    resident_id=resident_ids[n % len(resident_ids)],
                    channel="phone",
                    urgency=urgency,
                    due_at=created + timedelta(hours=SupportRequest.URGENCY_HOURS[urgency]),
                    status=status,
                    ward=wards[n % len(wards)],
                    assigned_organisation=assigned,
                    created_at=created,
                    # As services.request_create keeps them: the needs still to meet.
                    open_need_bits=sum(NEED_BITS[c] for c in chosen) if is_open else 0,
                )
            )
            choices.append(chosen)
        with transaction.atomic():
            saved = SupportRequest.objects.bulk_create(rows, batch_size=5_000)
            needs = []
            for request, chosen in zip(saved, choices, strict=True):
                for category in chosen:
                    needs.append(
                        Need(
                            request_id=request.pk,
                            category=category,
                            status="open"
                            if request.status in ("new", "triaged", "in_progress")
                            else "met",
                        )
                    )
            Need.objects.bulk_create(needs, batch_size=10_000)
            _contacts(rng, [r for r in saved if r.status != "new"], coordinator, council, now)
        made_requests += size
    return {
        "requests": made_requests,
        "residents": residents_count,
        "coordinator": coordinator.pk,
        "caseworker": caseworker.pk,
        "ward": wards[3].pk,
        "partner": partners[0].pk,
    }


def _contacts(rng, requests, by, organisation, now) -> None:
    """A call on a third of these open requests; a third of the calls promised a call-back,
    which the request then carries (as ``services.contact_log`` keeps it)."""
    from hub.support.models import Contact, SupportRequest

    called = [
        r for r in requests if r.status in SupportRequest.OPEN_STATUSES and rng.random() < 1 / 3
    ]
    contacts = [
        Contact(
            request_id=r.pk,
            direction="out",
            outcome=rng.choice(["answered", "no_answer", "voicemail"]),
            at=now - timedelta(hours=rng.randint(1, 72)),
            by=by,
            organisation=organisation,
            callback_due_at=now + timedelta(hours=rng.randint(-24, 72))
            if rng.random() < 1 / 3
            else None,
        )
        for r in called
    ]
    Contact.objects.bulk_create(contacts, batch_size=5_000)
    for contact in contacts:
        if contact.callback_due_at:
            SupportRequest.objects.filter(pk=contact.request_id).update(
                callback_due_at=contact.callback_due_at, callback_contact=contact
            )


def existing() -> dict:
    """The same handles ``generate`` returns, read back from a database it filled before."""
    from hub.accounts.models import User
    from hub.organisations.models import Organisation
    from hub.places.models import Area
    from hub.support.models import Resident, SupportRequest

    return {
        "requests": SupportRequest.objects.count(),
        "residents": Resident.objects.count(),
        "coordinator": User.objects.get(email="coordinator@bench.example").pk,
        "caseworker": User.objects.get(email="caseworker@bench.example").pk,
        "ward": Area.objects.get(code="E05990004").pk,
        "partner": Organisation.objects.get(slug="partner-1").pk,
    }
