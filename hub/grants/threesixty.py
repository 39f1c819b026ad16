"""The council's grants as 360Giving open data: a JSON package and the flat CSV form.

Every award to an organisation is published, one grant each. Nothing about people is: onward
grants that partner agencies make (some to individuals) are never published, no contact
names, addresses, e-mails or phone numbers are included, and the free text written by
applicants (title and summary) is passed through the same masking that keeps personal data
out of logs, in case an e-mail address or phone number slipped into it.

Both forms are generated as a stream: awards are read with ``.iterator(chunk_size=2000)`` and
the wards and strategy tags of each chunk are fetched in one query each, so memory stays
the same whether there are a hundred grants or a hundred thousand.

Settings: ``HUB_360G_PREFIX`` (the publisher's registered 360Giving prefix, default
"ashworth", used as ``360G-<prefix>-<award id>``), ``HUB_360G_FUNDER_ID`` (the council's
org-id, default "GB-LAE-ASH") and ``HUB_360G_LICENSE`` (default CC BY 4.0).
"""

import csv
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import IO

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone

from hub.core.logging import scrub
from hub.grants.models import Application, Award, Fund
from hub.organisations.validators import normalise_registration_number
from hub.places.models import Area
from hub.strategy.models import Element, Tag

CHUNK_SIZE = 2000
DEFAULT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"

CSV_COLUMNS = [
    "Identifier",
    "Title",
    "Description",
    "Currency",
    "Amount Awarded",
    "Award Date",
    "Recipient Org:Identifier",
    "Recipient Org:Name",
    "Recipient Org:Charity Number",
    "Recipient Org:Company Number",
    "Funding Org:Identifier",
    "Funding Org:Name",
    "Grant Programme:Title",
    "Beneficiary Location:Name",
    "Beneficiary Location:Geographic Code",
    "Beneficiary Location:Geographic Code Type",
    "Planned Dates:Start Date",
    "Planned Dates:End Date",
    "Last Modified",
]
# A grant's second and later wards go in numbered columns, as the 360Giving spreadsheet
# tools read them ("Beneficiary Location:1:Name").
_EXTRA_LOCATION = ["Name", "Geographic Code", "Geographic Code Type"]

_WARD_CODE_TYPE = "WD"
_NI_CHARITY = re.compile(r"^NIC?(\d{6})$")
_LINKED_CHARITY = re.compile(r"^(\d{6,7})-\d{1,2}$")
# Every pattern ``scrub`` masks contains one of these (an "@", three digits in a row, or a
# letter followed by a digit), so text without any is left alone without running all four.
_MAYBE_PERSONAL = re.compile(r"@|\d{3}|[a-z]\d", re.IGNORECASE)
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# Spreadsheet programs run cells starting with these as formulas.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def prefix() -> str:
    return getattr(settings, "HUB_360G_PREFIX", "ashworth")


def funder_identifier() -> str:
    return getattr(settings, "HUB_360G_FUNDER_ID", "GB-LAE-ASH")


def funder_name() -> str:
    return settings.HUB_COUNCIL_NAME


def grant_identifier(award_id: int, *, publisher_prefix: str | None = None) -> str:
    return f"360G-{publisher_prefix or prefix()}-{award_id}"


def organisation_identifier(
    *, pk: int, charity_number: str, company_number: str, publisher_prefix: str | None = None
) -> str:
    """The org-id of a recipient: its charity registration (England and Wales, Scotland or
    Northern Ireland), else its Companies House number, else an identifier of our own."""
    charity = normalise_registration_number(charity_number)
    if charity:
        if charity.startswith("SC"):
            return f"GB-SC-{charity}"
        if match := _NI_CHARITY.match(charity):
            return f"GB-NIC-{match.group(1)}"
        if match := _LINKED_CHARITY.match(charity):
            # A linked charity ("1123456-1") is published under its main registration.
            return f"GB-CHC-{match.group(1)}"
        return f"GB-CHC-{charity}"
    company = normalise_registration_number(company_number)
    if company:
        return f"GB-COH-{company}"
    return f"360G-{publisher_prefix or prefix()}-org-{pk}"


def pounds_number(pence: int) -> int | float:
    """Pence as a JSON number of pounds: ``2500`` for 250000, ``2500.5`` for 250050."""
    return pence // 100 if pence % 100 == 0 else pence / 100


def _datetime(value: datetime, tz=None) -> str:
    return value.astimezone(tz or timezone.get_current_timezone()).isoformat(timespec="seconds")


def _public_text(text: str) -> str:
    """Applicants' free text with any e-mail address, phone or NHS number or postcode masked."""
    return scrub(text) if _MAYBE_PERSONAL.search(text) else text


def package_metadata(*, now: datetime | None = None) -> dict:
    """Everything in the package but the grants."""
    base = settings.HUB_BASE_URL.rstrip("/")
    council = funder_name()
    return {
        "version": "1.4",
        "title": f"{council}: grants awarded",
        "description": (
            f"Grants awarded by {council} to organisations, in the 360Giving Data Standard. "
            "Grants to individuals are not published."
        ),
        "identifier": f"{prefix()}-grants",
        "modified": _datetime(now or timezone.now()),
        "publisher": {"identifier": funder_identifier(), "name": council, "website": base},
        "license": getattr(settings, "HUB_360G_LICENSE", DEFAULT_LICENSE),
        "downloadURL": base + reverse("grants:360giving_json"),
    }


class _Lookups:
    """What every chunk needs but is small enough to load once: funds, the wards named by
    applications, priorities and the funds' tags."""

    def __init__(self):
        self.prefix = prefix()
        self.tz = timezone.get_current_timezone()
        self.funder = [{"id": funder_identifier(), "name": funder_name()}]
        self.funds = {f["pk"]: f for f in Fund.objects.values("pk", "slug", "name", "currency")}
        self.application_type = ContentType.objects.get_for_model(Application)
        fund_type = ContentType.objects.get_for_model(Fund)
        self.priorities = {
            e["pk"]: {
                "vocabulary": f"{self.prefix}-priorities",
                "code": e["slug"],
                "title": e["name"],
            }
            for e in Element.objects.filter(kind=Element.Kind.PRIORITY).values("pk", "slug", "name")
        }
        self.fund_priorities: dict[int, list[int]] = defaultdict(list)
        for fund_id, element_id in Tag.objects.filter(
            content_type=fund_type, element__kind=Element.Kind.PRIORITY
        ).values_list("object_id", "element_id"):
            self.fund_priorities[fund_id].append(element_id)
        through = Application.wards.through
        self.areas = {
            a["pk"]: a
            for a in Area.objects.filter(pk__in=through.objects.values("area_id")).values(
                "pk", "name", "code"
            )
        }


_AWARD_FIELDS = (
    "pk",
    "amount_pence",
    "paid_pence",
    "awarded_on",
    "updated_at",
    "fund_id",
    "organisation_id",
    "application_id",
    "application__title",
    "application__summary",
    "application__amount_requested_pence",
    "application__starts_on",
    "application__ends_on",
    "organisation__name",
    "organisation__charity_number",
    "organisation__company_number",
)


def _chunks(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    rows = iter(rows)
    while chunk := list(islice(rows, size)):
        yield chunk


def _grant(row: dict, *, wards: list[dict], priority_ids: list[int], lookups: _Lookups) -> dict:
    fund = lookups.funds[row["fund_id"]]
    title = _public_text(row["application__title"])
    recipient = {
        "id": organisation_identifier(
            pk=row["organisation_id"],
            charity_number=row["organisation__charity_number"],
            company_number=row["organisation__company_number"],
            publisher_prefix=lookups.prefix,
        ),
        "name": row["organisation__name"],
    }
    if row["organisation__charity_number"]:
        recipient["charityNumber"] = normalise_registration_number(
            row["organisation__charity_number"]
        )
    if row["organisation__company_number"]:
        recipient["companyNumber"] = normalise_registration_number(
            row["organisation__company_number"]
        )
    grant = {
        "id": grant_identifier(row["pk"], publisher_prefix=lookups.prefix),
        "title": title,
        "description": _public_text(row["application__summary"]).strip() or title,
        "currency": fund["currency"],
        "amountAppliedFor": pounds_number(row["application__amount_requested_pence"]),
        "amountAwarded": pounds_number(row["amount_pence"]),
        "amountDisbursed": pounds_number(row["paid_pence"]),
        "awardDate": row["awarded_on"].isoformat(),
        "recipientOrganization": [recipient],
        "fundingOrganization": lookups.funder,
        "grantProgramme": [{"code": fund["slug"], "title": fund["name"]}],
        "fromOpenCall": "Yes",
    }
    if wards:
        grant["beneficiaryLocation"] = [
            {"name": w["name"], "geoCode": w["code"], "geoCodeType": _WARD_CODE_TYPE} for w in wards
        ]
    planned = {}
    if row["application__starts_on"]:
        planned["startDate"] = row["application__starts_on"].isoformat()
    if row["application__ends_on"]:
        planned["endDate"] = row["application__ends_on"].isoformat()
    if planned:
        grant["plannedDates"] = [planned]
    seen = set()
    classifications = []
    for element_id in [*priority_ids, *lookups.fund_priorities.get(row["fund_id"], [])]:
        if element_id in seen or element_id not in lookups.priorities:
            continue
        seen.add(element_id)
        classifications.append(lookups.priorities[element_id])
    if classifications:
        grant["classifications"] = sorted(classifications, key=lambda c: c["code"])
    grant["dateModified"] = _datetime(row["updated_at"], lookups.tz)
    return grant


def iter_grants(*, chunk_size: int = CHUNK_SIZE) -> Iterator[list[dict]]:
    """Every published grant, as 360Giving grant objects, in lists of up to ``chunk_size``
    (in award order). Three queries per chunk: awards, their wards, their priorities."""
    lookups = _Lookups()
    through = Application.wards.through
    awards = Award.objects.order_by("pk").values(*_AWARD_FIELDS).iterator(chunk_size=chunk_size)
    for chunk in _chunks(awards, chunk_size):
        application_ids = [row["application_id"] for row in chunk]
        wards: dict[int, list[dict]] = defaultdict(list)
        for application_id, area_id in (
            through.objects.filter(application_id__in=application_ids)
            .order_by("application_id", "area__name")
            .values_list("application_id", "area_id")
        ):
            wards[application_id].append(lookups.areas[area_id])
        priorities: dict[int, list[int]] = defaultdict(list)
        for object_id, element_id in Tag.objects.filter(
            content_type=lookups.application_type,
            object_id__in=application_ids,
            element__kind=Element.Kind.PRIORITY,
        ).values_list("object_id", "element_id"):
            priorities[object_id].append(element_id)
        yield [
            _grant(
                row,
                wards=wards.get(row["application_id"], []),
                priority_ids=priorities.get(row["application_id"], []),
                lookups=lookups,
            )
            for row in chunk
        ]


def stream_json(*, now: datetime | None = None) -> Iterator[str]:
    """The 360Giving JSON package, in pieces: the metadata, then each chunk of grants."""
    head = json.dumps(package_metadata(now=now), ensure_ascii=False)
    yield head[:-1] + ', "grants": ['
    first = True
    for grants in iter_grants():
        body = ",\n".join(_ENCODER.encode(g) for g in grants)
        yield ("\n" if first else ",\n") + body
        first = False
    yield "\n]}\n"


class _Echo:
    """A file-like object whose ``write`` returns the line, for ``csv.writer`` to stream."""

    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def extra_location_count() -> int:
    """How many numbered location column groups the CSV needs (most wards on one award - 1)."""
    through = Application.wards.through
    most = (
        through.objects.filter(application__award__isnull=False)
        .values("application_id")
        .annotate(n=Count("id"))
        .aggregate(most=Max("n"))["most"]
    )
    return max((most or 0) - 1, 0)


def csv_header(extra_locations: int) -> list[str]:
    return CSV_COLUMNS + [
        f"Beneficiary Location:{n}:{field}"
        for n in range(1, extra_locations + 1)
        for field in _EXTRA_LOCATION
    ]


def csv_row(grant: dict, extra_locations: int) -> list[str]:
    """One grant in the flat form: the columns of ``csv_header(extra_locations)``."""
    recipient = grant["recipientOrganization"][0]
    funder = grant["fundingOrganization"][0]
    locations = grant.get("beneficiaryLocation", [])
    first = locations[0] if locations else {}
    planned = grant.get("plannedDates", [{}])[0]
    row = [
        grant["id"],
        _cell(grant["title"]),
        _cell(grant["description"]),
        grant["currency"],
        grant["amountAwarded"],
        grant["awardDate"],
        recipient["id"],
        _cell(recipient["name"]),
        recipient.get("charityNumber", ""),
        recipient.get("companyNumber", ""),
        funder["id"],
        _cell(funder["name"]),
        _cell(grant["grantProgramme"][0]["title"]),
        _cell(first.get("name", "")),
        first.get("geoCode", ""),
        first.get("geoCodeType", ""),
        planned.get("startDate", ""),
        planned.get("endDate", ""),
        grant["dateModified"],
    ]
    for n in range(1, extra_locations + 1):
        location = locations[n] if n < len(locations) else {}
        row += [
            _cell(location.get("name", "")),
            location.get("geoCode", ""),
            location.get("geoCodeType", ""),
        ]
    return row


def stream_csv() -> Iterator[str]:
    """The flat CSV form, with a header row of 360Giving column titles, in pieces."""
    writer = csv.writer(_Echo())
    extra = extra_location_count()
    yield writer.writerow(csv_header(extra))
    for grants in iter_grants():
        yield "".join(writer.writerow(csv_row(g, extra)) for g in grants)


def write_export(out: IO[str], *, fmt: str = "json") -> int:
    """Write the export to a text file opened by the caller; returns the characters written."""
    pieces = stream_csv() if fmt == "csv" else stream_json()
    written = 0
    for piece in pieces:
        written += out.write(piece)
    return written
