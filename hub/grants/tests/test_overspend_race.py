"""Twenty awards made at the same moment from a fund with room for fifteen: exactly fifteen
win, five are told nothing remains, and the fund is committed to the penny.

On PostgreSQL the race is real: each award runs in its own thread with its own database
connection, all released together by a barrier, so the fund's row lock (and behind it the
check constraint) is what decides. SQLite has one writer at a time and no row locks, so
there the same twenty calls run one after another and the same rule is asserted. The
``postgres_only`` mark is a label for the real race; the module runs on both databases.
"""

import threading
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Sum
from django.utils import timezone

from hub.grants.models import Application, Award, Decision, Fund
from hub.grants.services import money
from hub.testing.factories import as_actor

pytestmark = [pytest.mark.postgres_only]

APPLICANTS = 20
ASK = 200_000  # £2,000 each: 15 fit in £30,000.


def _race(calls) -> list[tuple[str, object]]:
    """Run every call in its own thread and connection, released together."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[tuple[str, object]] = [("not run", None)] * len(calls)

    def run(i, call):
        try:
            connections["default"].ensure_connection()  # connect first: then start together
            barrier.wait(timeout=30)
            outcomes[i] = ("ok", call())
        except ValidationError as exc:
            outcomes[i] = ("refused", exc)
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
        except ValidationError as exc:
            outcomes.append(("refused", exc))
    return outcomes


@pytest.fixture
def applications(fund, partner, bob):
    return [
        Application.objects.create(
            reference=f"APP-7{n:05d}",
            fund=fund,
            organisation=partner,
            title=f"Winter project {n}",
            amount_requested_pence=ASK,
            status=Application.Status.SUBMITTED,
            submitted_at=timezone.now(),
            created_by=bob,
        )
        for n in range(APPLICANTS)
    ]


def test_twenty_awards_at_once_never_overspend_the_fund(transactional_db, fund, applications, gina):
    officer = as_actor(gina)
    calls = [
        partial(
            money.award_make,
            actor=officer,
            application=application,
            amount_pence=ASK,
            reasons="Meets the priority",
        )
        for application in applications
    ]
    outcomes = _race(calls) if connection.vendor == "postgresql" else _in_turn(calls)

    unexpected = [result for kind, result in outcomes if kind not in ("ok", "refused")]
    assert not unexpected, unexpected
    winners = [result for kind, result in outcomes if kind == "ok"]
    refusals = [result for kind, result in outcomes if kind == "refused"]
    assert len(winners) == 15
    assert len(refusals) == 5
    assert {str(e.message_dict["amount_pence"][0]) for e in refusals} == {
        "Only £0.00 remains in Emergency community wellbeing fund"
    }

    fund.refresh_from_db()
    assert fund.committed_pence == 3_000_000 == fund.budget_pence
    awarded = Award.objects.filter(fund=fund).aggregate(total=Sum("amount_pence"))["total"]
    assert awarded == fund.committed_pence
    # The refused applications are untouched: still waiting, with no decision half-made.
    assert Award.objects.count() == Decision.objects.count() == 15
    assert Application.objects.filter(status=Application.Status.SUBMITTED).count() == 5


def test_the_database_itself_refuses_to_commit_more_than_the_budget(fund):
    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.objects.filter(pk=fund.pk).update(committed_pence=fund.budget_pence + 1)
    fund.refresh_from_db()
    assert fund.committed_pence == 0


def test_the_database_itself_refuses_to_pay_more_than_is_committed(fund):
    Fund.objects.filter(pk=fund.pk).update(committed_pence=100_000)
    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.objects.filter(pk=fund.pk).update(paid_pence=100_001)
    fund.refresh_from_db()
    assert fund.paid_pence == 0
