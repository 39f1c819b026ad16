"""Reads for awards and the fund ledger.

Lists go through ``hub.grants.selectors.awards_visible_to``: grants officers see every award,
an organisation only its own. The ledger is for grants officers and is built from the
records themselves (awards, adjustments, payments), so it can be checked against the
running totals the money services keep on the fund.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils import timezone

from hub.grants.models import Adjustment, Award, Fund, Payment
from hub.grants.selectors import awards_visible_to


def awards_list(user, *, fund: Fund | None = None, status: str = "") -> QuerySet[Award]:
    awards = awards_visible_to(user).select_related("fund", "organisation", "application")
    if fund is not None:
        awards = awards.filter(fund=fund)
    if status:
        awards = awards.filter(status=status)
    return awards.order_by("-awarded_on", "-pk")


@dataclass(frozen=True)
class LedgerEntry:
    on: date
    kind: str
    award: Award
    details: str
    committed_change: int
    paid_change: int
    committed: int  # running totals after this entry
    paid: int


@dataclass(frozen=True)
class Ledger:
    fund: Fund
    entries: list[LedgerEntry]
    committed: int
    paid: int

    @property
    def remaining(self) -> int:
        return self.fund.budget_pence - self.fund.committed_pence

    @property
    def agrees(self) -> bool:
        """Whether the entries add up to the totals the fund holds."""
        return self.committed == self.fund.committed_pence and self.paid == self.fund.paid_pence


def _local_date(moment: datetime) -> date:
    return timezone.localdate(moment)


def ledger_for_fund(fund: Fund) -> Ledger:
    """Every award, variation, clawback and payment on ``fund`` in date order, with running
    committed and paid totals. Three queries, however long the ledger."""
    awards = {
        a.pk: a
        for a in Award.objects.filter(fund=fund).select_related("organisation", "application")
    }
    adjustments = list(Adjustment.objects.filter(award__fund=fund).order_by("created_at", "pk"))
    payments = list(
        Payment.objects.filter(award__fund=fund, status=Payment.Status.PAID).order_by(
            "paid_on", "updated_at", "pk"
        )
    )
    adjusted: dict[int, int] = {}
    for adj in adjustments:
        adjusted[adj.award_id] = adjusted.get(adj.award_id, 0) + adj.amount_pence

    # (date, moment, order, kind, award, details, committed change, paid change)
    rows = []
    for award in awards.values():
        original = award.amount_pence - adjusted.get(award.pk, 0)
        rows.append(
            (
                award.awarded_on,
                award.created_at,
                0,
                "Award",
                award,
                award.application.title,
                original,
                0,
            )
        )
    for adj in adjustments:
        award = awards[adj.award_id]
        if adj.kind == Adjustment.Kind.CLAWBACK:
            change = (adj.amount_pence, adj.amount_pence)
        else:
            change = (adj.amount_pence, 0)
        rows.append(
            (
                _local_date(adj.created_at),
                adj.created_at,
                1,
                adj.get_kind_display(),
                award,
                adj.reason,
                *change,
            )
        )
    for payment in payments:
        award = awards[payment.award_id]
        details = f"Instalment {payment.instalment}"
        if payment.reference:
            details += f", reference {payment.reference}"
        rows.append(
            (
                payment.paid_on,
                payment.updated_at,
                2,
                "Payment",
                award,
                details,
                0,
                payment.amount_pence,
            )
        )
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    committed = paid = 0
    entries = []
    for on, _moment, _order, kind, award, details, c_change, p_change in rows:
        committed += c_change
        paid += p_change
        entries.append(LedgerEntry(on, kind, award, details, c_change, p_change, committed, paid))
    return Ledger(fund=fund, entries=entries, committed=committed, paid=paid)
