"""Grants in figures: aggregates only, for the grants figures page and the board report.

Nothing here names a person or lists an application: every figure is a count or a sum.
``grants_summary`` runs a fixed number of queries (about a dozen) however many funds,
awards, wards or strategy elements there are.
"""

from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    BigIntegerField,
    Count,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from hub.grants.models import (
    Application,
    Award,
    Fund,
    InKindSupport,
    MonitoringReport,
    OnwardGrant,
)
from hub.organisations.models import Organisation
from hub.strategy.models import Element, Tag


def _awards(since: date | None, until: date | None) -> QuerySet[Award]:
    awards = Award.objects.all()
    if since:
        awards = awards.filter(awarded_on__gte=since)
    if until:
        awards = awards.filter(awarded_on__lte=until)
    return awards


def _scalar(awards: QuerySet[Award], function: str, field: str) -> Subquery:
    """``COUNT``/``SUM`` of ``field`` over ``awards`` as a correlated subquery (no GROUP BY,
    so it is one row however many awards match)."""
    return Coalesce(
        Subquery(
            awards.order_by()
            .annotate(v=Func(F(field), function=function, output_field=BigIntegerField()))
            .values("v")[:1]
        ),
        Value(0),
        output_field=BigIntegerField(),
    )


def _by_element(kind: str, awards: QuerySet[Award]) -> list[dict]:
    """Awards whose application or fund is tagged to each element of the active strategy of
    ``kind``. An award tagged to two priorities counts under each."""
    application_type = ContentType.objects.get_for_model(Application)
    fund_type = ContentType.objects.get_for_model(Fund)
    tagged = awards.filter(
        Q(
            application_id__in=Tag.objects.filter(
                content_type=application_type, element_id=OuterRef(OuterRef("pk"))
            ).values("object_id")
        )
        | Q(
            fund_id__in=Tag.objects.filter(
                content_type=fund_type, element_id=OuterRef(OuterRef("pk"))
            ).values("object_id")
        )
    )
    elements = (
        Element.objects.filter(strategy__is_active=True, kind=kind)
        .annotate(
            awards=_scalar(tagged, "COUNT", "id"),
            awarded_pence=_scalar(tagged, "SUM", "amount_pence"),
        )
        .order_by("position", "name")
        .values("pk", "slug", "name", "awards", "awarded_pence")
    )
    return [
        {
            "code": e["slug"],
            "label": e["name"],
            "awards": e["awards"],
            "awarded_pence": e["awarded_pence"],
        }
        for e in elements
    ]


def _by_ward(awards: QuerySet[Award]) -> list[dict]:
    """Awards by the wards their applications said they would benefit. An award for several
    wards counts in each; awards that named none are in a row of their own."""
    through = Application.wards.through
    rows = [
        {
            "code": row["area__code"],
            "label": row["area__name"],
            "awards": row["awards"],
            "awarded_pence": row["awarded_pence"] or 0,
        }
        for row in through.objects.filter(application__award__in=awards.values("pk"))
        .values("area__code", "area__name")
        .annotate(
            awards=Count("application__award"),
            awarded_pence=Sum("application__award__amount_pence"),
        )
        .order_by("area__name")
    ]
    unplaced = awards.filter(
        ~Q(application_id__in=through.objects.values("application_id"))
    ).aggregate(n=Count("id"), pence=Sum("amount_pence"))
    if unplaced["n"]:
        rows.append(
            {
                "code": "",
                "label": "No ward given",
                "awards": unplaced["n"],
                "awarded_pence": unplaced["pence"] or 0,
            }
        )
    return rows


def _by_organisation_kind(awards: QuerySet[Award]) -> list[dict]:
    labels = dict(Organisation.Kind.choices)
    return [
        {
            "code": row["organisation__kind"],
            "label": labels.get(row["organisation__kind"], row["organisation__kind"]),
            "awards": row["awards"],
            "awarded_pence": row["awarded_pence"] or 0,
        }
        for row in awards.values("organisation__kind")
        .annotate(awards=Count("id"), awarded_pence=Sum("amount_pence"))
        .order_by("-awarded_pence", "organisation__kind")
    ]


def _funds() -> list[dict]:
    return [
        {
            "name": f["name"],
            "slug": f["slug"],
            "budget_pence": f["budget_pence"],
            "committed_pence": f["committed_pence"],
            "paid_pence": f["paid_pence"],
            "remaining_pence": f["budget_pence"] - f["committed_pence"],
        }
        for f in Fund.objects.order_by("-opens_on", "name").values(
            "name", "slug", "budget_pence", "committed_pence", "paid_pence"
        )
    ]


def grants_summary(
    *, since: date | None = None, until: date | None = None, today: date | None = None
) -> dict:
    """Counts and sums of awards overall and by priority, impact area, ward and type of
    organisation (awards made between ``since`` and ``until`` inclusive, when given); every
    fund's balance now; in-kind support starting in the period; onward grants made in the
    period; and how many monitoring reports are overdue on ``today``.

    Amounts are whole pence. Each breakdown is a list of dicts with ``code``, ``label``,
    ``awards`` and ``awarded_pence``.
    """
    today = today or timezone.localdate()
    awards = _awards(since, until)
    totals = awards.aggregate(
        awards=Count("id"),
        awarded_pence=Coalesce(Sum("amount_pence"), 0),
        paid_pence=Coalesce(Sum("paid_pence"), 0),
        organisations=Count("organisation", distinct=True),
    )
    in_kind = InKindSupport.objects.all()
    onward = OnwardGrant.objects.all()
    if since:
        in_kind = in_kind.filter(starts_on__gte=since)
        onward = onward.filter(made_on__gte=since)
    if until:
        in_kind = in_kind.filter(starts_on__lte=until)
        onward = onward.filter(made_on__lte=until)
    reports = MonitoringReport.objects.aggregate(
        overdue=Count("id", filter=Q(status=MonitoringReport.Status.DUE, due_on__lt=today)),
        awaiting_review=Count("id", filter=Q(status=MonitoringReport.Status.SUBMITTED)),
    )
    return {
        "since": since,
        "until": until,
        "totals": totals,
        "by_priority": _by_element(Element.Kind.PRIORITY, awards),
        "by_impact_area": _by_element(Element.Kind.IMPACT_AREA, awards),
        "by_ward": _by_ward(awards),
        "by_organisation_kind": _by_organisation_kind(awards),
        "funds": _funds(),
        "in_kind": in_kind.aggregate(
            count=Count("id"), value_pence=Coalesce(Sum("value_pence"), 0)
        ),
        "onward": onward.aggregate(
            count=Count("id"), amount_pence=Coalesce(Sum("amount_pence"), 0)
        ),
        "monitoring": reports,
    }
