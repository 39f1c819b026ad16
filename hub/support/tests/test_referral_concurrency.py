"""People answering the same referral at the same moment: exactly one answer wins, the
others are told why, and the journey records only what really happened.

On PostgreSQL the race is real: each call runs in its own thread with its own database
connection, all released together by a barrier, so the row lock in the services is what
decides. SQLite has no row locks and one writer at a time, so there the same outcomes are
checked by making the calls one after another (the order a race could also produce).
"""

import threading
from datetime import timedelta
from functools import partial

import pytest
from django.db import connection, connections
from django.utils import timezone

from hub.organisations.models import Role
from hub.support import services
from hub.support.models import JourneyEvent, Need, Referral
from hub.testing.factories import MembershipFactory, UserFactory, as_actor

pytestmark = pytest.mark.postgres_only

N = 10
Kind = JourneyEvent.Kind


def _race(calls) -> list[tuple[str, object]]:
    """Run every call in its own thread and connection, released together."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[tuple[str, object]] = [("not run", None)] * len(calls)

    def run(i, call):
        try:
            connections["default"].ensure_connection()  # connect first: then start together
            barrier.wait(timeout=30)
            outcomes[i] = ("ok", call())
        except services.ConflictError as exc:
            outcomes[i] = ("conflict", exc)
        except Exception as exc:
            outcomes[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck on a lock"
    return outcomes


def _in_turn(calls) -> list[tuple[str, object]]:
    outcomes = []
    for call in calls:
        try:
            outcomes.append(("ok", call()))
        except services.ConflictError as exc:
            outcomes.append(("conflict", exc))
    return outcomes


def _at_once(*calls) -> list[tuple[str, object]]:
    """(``"ok"``, result) or (``"conflict"``, error) for each call, in the order given."""
    outcomes = _race(calls) if connection.vendor == "postgresql" else _in_turn(calls)
    unexpected = [result for kind, result in outcomes if kind not in ("ok", "conflict")]
    assert not unexpected, unexpected
    return outcomes


def _count(referral, kind) -> int:
    """Journey events of ``kind`` on the referral's request (all rounds of a test)."""
    return JourneyEvent.objects.filter(request__needs=referral.need_id, kind=kind).count()


@pytest.fixture
def caseworkers(partner):
    people = []
    for n in range(N):
        user = UserFactory(email=f"caseworker{n}@example.org", full_name=f"Caseworker {n}")
        MembershipFactory(user=user, organisation=partner, role=Role.CASEWORKER)
        people.append(as_actor(user))
    return people


def test_only_one_of_ten_caseworkers_accepting_at_once_gets_it(
    transactional_db, referral, caseworkers
):
    outcomes = _at_once(
        *(
            partial(services.referral_accept, actor=person, referral=referral)
            for person in caseworkers
        )
    )
    winners = [person for person, (kind, _) in zip(caseworkers, outcomes) if kind == "ok"]
    assert len(winners) == 1
    (winner,) = winners
    refusals = [result for kind, result in outcomes if kind == "conflict"]
    assert len(refusals) == N - 1
    assert {error.messages[0] for error in refusals} == {
        f"This referral is already accepted by {winner.full_name}"
    }
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    assert referral.claimed_by == winner
    assert _count(referral, Kind.REFERRAL_ACCEPTED) == 1
    event = JourneyEvent.objects.get(kind=Kind.REFERRAL_ACCEPTED)
    assert event.actor == winner


def test_accepting_while_the_sender_withdraws_always_ends_withdrawn(
    transactional_db, referral, alice, bob, partner
):
    alice, bob = as_actor(alice), as_actor(bob)
    need = referral.need
    accepted_events = 0
    for round_number in range(5):
        accept = partial(services.referral_accept, actor=bob, referral=referral)
        withdraw = partial(services.referral_withdraw, actor=alice, referral=referral)
        # Alternate who goes first, so that SQLite checks both orders too.
        if round_number % 2:
            (withdrawn, _), accepted = _at_once(withdraw, accept)
        else:
            accepted, (withdrawn, _) = _at_once(accept, withdraw)
        # A live referral (sent or accepted) can always be withdrawn.
        assert withdrawn == "ok"
        referral.refresh_from_db()
        assert referral.status == Referral.Status.WITHDRAWN
        assert Need.objects.get(pk=need.pk).status == Need.Status.OPEN
        if accepted[0] == "ok":
            accepted_events += 1
            assert referral.claimed_by == bob
        else:
            assert accepted[1].messages == ["This referral is already withdrawn"]
            assert referral.claimed_by is None
        assert _count(referral, Kind.REFERRAL_ACCEPTED) == accepted_events
        assert _count(referral, Kind.REFERRAL_WITHDRAWN) == round_number + 1
        referral = services.referral_send(actor=alice, need=need, to_organisation=partner)


def test_the_expiry_job_and_a_late_accept_agree_on_one_outcome(transactional_db, referral, bob):
    bob = as_actor(bob)
    Referral.objects.filter(pk=referral.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    (_, expired), accepted = _at_once(
        services.referrals_expire, partial(services.referral_accept, actor=bob, referral=referral)
    )
    referral.refresh_from_db()
    if accepted[0] == "ok":
        assert expired == 0
        assert referral.status == Referral.Status.ACCEPTED
        assert _count(referral, Kind.REFERRAL_EXPIRED) == 0
        assert Need.objects.get(pk=referral.need_id).status == Need.Status.REFERRED
    else:
        assert expired == 1
        assert accepted[1].messages == ["This referral is already expired"]
        assert referral.status == Referral.Status.EXPIRED
        assert _count(referral, Kind.REFERRAL_ACCEPTED) == 0
        assert Need.objects.get(pk=referral.need_id).status == Need.Status.OPEN
