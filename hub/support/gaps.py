"""Where residents fall through the gaps: unmet needs, failed referrals, slow responses.

Read-only aggregates (no personal data), so board viewers may see them too. Every table
is one grouped query over needs, so the page costs a fixed number of queries however many
requests there are.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q

from hub.organisations.models import Organisation
from hub.places.models import Area
from hub.support.models import Need, Referral, SupportRequest
from hub.support.needs import NeedCategory


@dataclass
class GapRow:
    key: str
    label: str
    needs: int = 0
    open: int = 0
    unmet: int = 0
    declined: int = 0
    expired: int = 0
    hours_to_first_contact: float | None = None
    hours_to_resolution: float | None = None


@dataclass
class GapsReport:
    by_need: list[GapRow] = field(default_factory=list)
    by_impact_area: list[GapRow] = field(default_factory=list)
    by_ward: list[GapRow] = field(default_factory=list)
    by_organisation: list[GapRow] = field(default_factory=list)
    uncovered: list[tuple[str, str, int]] = field(default_factory=list)


DIMENSIONS = {
    "by_need": "category",
    "by_impact_area": "impact_area__name",
    "by_ward": "request__ward__name",
    "by_organisation": "request__assigned_organisation__name",
}


def _hours(delta: timedelta | None) -> float | None:
    return round(delta.total_seconds() / 3600, 1) if delta is not None else None


def gaps_report(*, since=None, until=None) -> GapsReport:
    needs = Need.objects.all()
    if since:
        needs = needs.filter(request__created_at__date__gte=since)
    if until:
        needs = needs.filter(request__created_at__date__lte=until)
    to_contact = ExpressionWrapper(
        F("request__first_contact_at") - F("request__created_at"), output_field=DurationField()
    )
    to_resolution = ExpressionWrapper(
        F("request__resolved_at") - F("request__created_at"), output_field=DurationField()
    )
    labels = dict(NeedCategory.choices)
    report = GapsReport()
    for name, dimension in DIMENSIONS.items():
        rows = (
            needs.values(dimension)
            .annotate(
                total=Count("id", distinct=True),
                still_open=Count(
                    "id",
                    filter=Q(status__in=[Need.Status.OPEN, Need.Status.REFERRED]),
                    distinct=True,
                ),
                unmet=Count("id", filter=Q(status=Need.Status.UNMET), distinct=True),
                declined=Count(
                    "referrals", filter=Q(referrals__status=Referral.Status.DECLINED), distinct=True
                ),
                expired=Count(
                    "referrals", filter=Q(referrals__status=Referral.Status.EXPIRED), distinct=True
                ),
                contact=Avg(to_contact),
                resolution=Avg(to_resolution),
            )
            .order_by(dimension)
        )
        table = []
        for row in rows:
            key = row[dimension]
            label = labels.get(key, key) if dimension == "category" else (key or "Not known")
            table.append(
                GapRow(
                    key=str(key or ""),
                    label=str(label),
                    needs=row["total"],
                    open=row["still_open"],
                    unmet=row["unmet"],
                    declined=row["declined"],
                    expired=row["expired"],
                    hours_to_first_contact=_hours(row["contact"]),
                    hours_to_resolution=_hours(row["resolution"]),
                )
            )
        table.sort(key=lambda r: (-(r.unmet + r.declined + r.expired + r.open), r.label))
        setattr(report, name, table)
    report.uncovered = uncovered_needs(needs)
    return report


def uncovered_needs(needs) -> list[tuple[str, str, int]]:
    """(ward, need, how many open) where no organisation serving the ward has ever taken that
    kind of need (accepted or completed a referral for it).

    Until the service directory lands this is the best evidence of who can help where; the
    directory will replace "has taken one before" with "offers a service for it here".
    """
    open_needs = (
        needs.filter(
            status__in=[Need.Status.OPEN, Need.Status.REFERRED], request__ward__isnull=False
        )
        .values("request__ward_id", "request__ward__parent_id", "category")
        .annotate(n=Count("id"))
    )
    takers = set(
        Referral.objects.filter(status__in=[Referral.Status.ACCEPTED, Referral.Status.COMPLETED])
        .values_list("to_organisation_id", "need__category")
        .distinct()
    )
    serving: dict[int, set[int]] = {}
    for organisation_id, area_id in Organisation.areas_served.through.objects.values_list(
        "organisation_id", "area_id"
    ):
        serving.setdefault(area_id, set()).add(organisation_id)
    ward_names = dict(Area.objects.filter(level=Area.Level.WARD).values_list("id", "name"))
    labels = dict(NeedCategory.choices)
    gaps = []
    for row in open_needs:
        here = serving.get(row["request__ward_id"], set()) | serving.get(
            row["request__ward__parent_id"], set()
        )
        if not any((org, row["category"]) in takers for org in here):
            gaps.append(
                (ward_names.get(row["request__ward_id"], "?"), labels[row["category"]], row["n"])
            )
    return sorted(gaps, key=lambda g: (-g[2], g[0], g[1]))


def requests_summary(*, since=None, until=None) -> dict[str, int]:
    requests = SupportRequest.objects.all()
    if since:
        requests = requests.filter(created_at__date__gte=since)
    if until:
        requests = requests.filter(created_at__date__lte=until)
    return requests.aggregate(
        total=Count("id"),
        open=Count("id", filter=Q(status__in=SupportRequest.OPEN_STATUSES)),
        resolved=Count("id", filter=Q(status=SupportRequest.Status.RESOLVED)),
    )
