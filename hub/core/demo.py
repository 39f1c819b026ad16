"""The demo borough: a made-up district with wards, partners, people for every role.

Everything is synthetic (Faker en_GB with a fixed seed, ward shapes drawn in code),
so the demo can be shown anywhere without a real person's data. Loading it twice
adds nothing the second time: every record is found by its natural key first.
"""

import math
import random
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from faker import Faker
from shapely import MultiPoint, Point, Polygon, voronoi_polygons
from shapely.geometry import mapping

from hub.accounts.models import User
from hub.organisations.models import Membership, Organisation, Role
from hub.places.models import Area, Postcode
from hub.strategy.services import strategy_load_pack

DISTRICT_CODE = "E07900001"
DISTRICT_NAME = "Ashworth"
CENTRE = (53.05, -1.62)  # a made-up place in the English Midlands
WARD_NAMES = [
    "Abbey",
    "Brookside",
    "Castle",
    "Dunston Vale",
    "Eastgate",
    "Fernhill",
    "Greenacre",
    "Holmewood",
    "Ivy Bank",
    "Kingsmead",
    "Linacre",
    "Millbrook",
    "Northfield",
    "Old Town",
    "Queens Park",
    "Riverside",
]


@dataclass
class DemoPerson:
    email: str
    full_name: str
    roles: list[tuple[str, str]]  # (organisation slug, role)


ORGANISATIONS = [
    # slug, name, kind, charity, company, ods
    ("ashworth-borough-council", "Ashworth Borough Council", Organisation.Kind.COUNCIL, "", "", ""),
    (
        "ashworth-pcn",
        "Ashworth Central Primary Care Network",
        Organisation.Kind.NHS,
        "",
        "",
        "U12345",
    ),
    ("millbrook-surgery", "Millbrook Surgery", Organisation.Kind.GP_PRACTICE, "", "", "C81001"),
    ("northfield-food-bank", "Northfield Food Bank", Organisation.Kind.VCS, "1187654", "", ""),
    (
        "ashworth-age-friends",
        "Ashworth Age Friends",
        Organisation.Kind.VCS,
        "1098765",
        "04567890",
        "",
    ),
    ("eastgate-mutual-aid", "Eastgate Mutual Aid", Organisation.Kind.MUTUAL_AID, "", "", ""),
    (
        "riverside-pharmacy",
        "Riverside Pharmacy Ltd",
        Organisation.Kind.BUSINESS,
        "",
        "07654321",
        "",
    ),
    ("ashworth-homes", "Ashworth Homes Housing Association", Organisation.Kind.OTHER, "", "", ""),
    ("hollowbrook-youth-club", "Hollowbrook Youth Club", Organisation.Kind.VCS, "1176543", "", ""),
]

COUNCIL = "ashworth-borough-council"
VCS_SUFFIXES = [
    "Community Trust",
    "Neighbours",
    "Good Neighbours Scheme",
    "Lunch Club",
    "Men in Sheds",
]
PEOPLE = [
    DemoPerson("alice@example.org", "Alice Ashworth", [(COUNCIL, Role.COORDINATOR)]),
    DemoPerson(
        "bob@example.org",
        "Bob Baker",
        [
            ("northfield-food-bank", Role.CASEWORKER),
            ("eastgate-mutual-aid", Role.VOLUNTEER_COORDINATOR),
        ],
    ),
    DemoPerson(
        "charlie@example.org", "Charlie Clarke", [("hollowbrook-youth-club", Role.CASEWORKER)]
    ),
    DemoPerson("dora@example.org", "Dora Dale", [(COUNCIL, Role.BOARD_VIEWER)]),
    DemoPerson("ada@example.org", "Ada Adeyemi", [(COUNCIL, Role.ADMINISTRATOR)]),
    DemoPerson("dan@example.org", "Dan Dosanjh", [(COUNCIL, Role.DATA_PROTECTION_OFFICER)]),
    DemoPerson("gina@example.org", "Gina Grant", [(COUNCIL, Role.GRANTS_OFFICER)]),
    DemoPerson("sam@example.org", "Sam Scott", [("ashworth-pcn", Role.ASSESSOR)]),
    DemoPerson("pete@example.org", "Pete Patel", [(COUNCIL, Role.PLAN_OWNER)]),
    DemoPerson("erin@example.org", "Erin Evans", [(COUNCIL, Role.ENGAGEMENT_LEAD)]),
    DemoPerson(
        "vic@example.org", "Vic Vaughan", [("ashworth-age-friends", Role.VOLUNTEER_COORDINATOR)]
    ),
    DemoPerson("gareth@example.org", "Gareth Green", [("millbrook-surgery", Role.CASEWORKER)]),
]


@dataclass
class DemoResult:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n


def _district_outline(rng: random.Random) -> Polygon:
    lat0, lon0 = CENTRE
    points = []
    for i in range(36):
        angle = 2 * math.pi * i / 36
        radius = 0.06 * (1 + 0.18 * math.sin(3 * angle) + rng.uniform(-0.05, 0.05))
        points.append(
            (
                lon0 + radius * math.cos(angle) / math.cos(math.radians(lat0)),
                lat0 + radius * math.sin(angle),
            )
        )
    return Polygon(points)


def _partition(outline: Polygon, n: int, rng: random.Random) -> list[Polygon]:
    """Split ``outline`` into ``n`` irregular cells (a clipped Voronoi diagram)."""
    minx, miny, maxx, maxy = outline.bounds
    seeds: list[Point] = []
    while len(seeds) < n:
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if outline.contains(p):
            seeds.append(p)
    cells = voronoi_polygons(MultiPoint(seeds), extend_to=outline.envelope.buffer(0.1))
    parts = [cell.intersection(outline) for cell in cells.geoms]
    parts = [p if p.geom_type == "Polygon" else max(p.geoms, key=lambda g: g.area) for p in parts]
    # Order cells from north-west to south-east so ward names land the same way every time.
    return sorted(parts, key=lambda p: (-round(p.centroid.y, 3), p.centroid.x))


def _area(code, name, level, parent, shape, result: DemoResult) -> Area:
    point = shape.representative_point()
    area, created = Area.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "level": level,
            "parent": parent,
            "boundary": mapping(shape.simplify(0.0002)),
            "centroid_lat": round(point.y, 6),
            "centroid_lon": round(point.x, 6),
        },
    )
    if created:
        result.add(f"{level} areas")
    return area


def _postcode(rng: random.Random, district: int) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return f"AW{district} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"


@transaction.atomic
def load_demo(*, scale: int = 1) -> DemoResult:
    """Create the demo borough (idempotent). ``scale`` adds more partners and postcodes."""
    rng = random.Random(2020)
    fake = Faker("en_GB")
    fake.seed_instance(2020)
    result = DemoResult()

    strategy_load_pack(name="hammersmith-fulham-2020", activate=False)
    strategy_load_pack(name="chesterfield-2020", activate=True)

    outline = _district_outline(rng)
    district = _area(DISTRICT_CODE, DISTRICT_NAME, Area.Level.DISTRICT, None, outline, result)
    wards = []
    postcodes = []
    for n, (ward_shape, name) in enumerate(
        zip(_partition(outline, len(WARD_NAMES), rng), WARD_NAMES, strict=True), start=1
    ):
        ward = _area(f"E0590{n:04d}", name, Area.Level.WARD, district, ward_shape, result)
        wards.append(ward)
        for m, lsoa_shape in enumerate(_partition(ward_shape, 4, rng), start=1):
            _area(
                f"E0190{n:02d}{m:03d}",
                f"{DISTRICT_NAME} {n:02d}{chr(64 + m)}",
                Area.Level.LSOA,
                ward,
                lsoa_shape,
                result,
            )
        minx, miny, maxx, maxy = ward_shape.bounds
        made = 0
        while made < 25 * scale:
            p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
            if ward_shape.contains(p):
                postcodes.append(
                    Postcode(
                        postcode=_postcode(rng, 1 + n % 9),
                        latitude=round(p.y, 6),
                        longitude=round(p.x, 6),
                        ward_code=ward.code,
                        ward=ward,
                    )
                )
                made += 1
    existing = set(Postcode.objects.values_list("postcode", flat=True))
    fresh = {p.postcode: p for p in postcodes if p.postcode not in existing}
    Postcode.objects.bulk_create(fresh.values(), batch_size=1000)
    if fresh:
        result.add("postcodes", len(fresh))

    organisations = {}
    for slug, name, kind, charity, company, ods in ORGANISATIONS:
        organisation, created = Organisation.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": kind,
                "charity_number": charity,
                "company_number": company,
                "ods_code": ods,
                "is_host": slug == COUNCIL,
                "email": f"hello@{slug}.example.org",
                "phone": fake.phone_number(),
                "description": fake.paragraph(nb_sentences=2),
            },
        )
        if created:
            result.add("organisations")
            organisation.areas_served.set(
                [district]
                if kind in (Organisation.Kind.COUNCIL, Organisation.Kind.NHS)
                else rng.sample(wards, 3)
            )
        organisations[slug] = organisation
    for n in range(1, 6 * scale + 1):
        name = f"{fake.last_name()} {rng.choice(VCS_SUFFIXES)}"
        slug = f"demo-vcs-{n}"
        organisation, created = Organisation.objects.get_or_create(
            slug=slug,
            defaults={
                "name": f"{name} ({n})",
                "kind": Organisation.Kind.VCS,
                "charity_number": str(1100000 + n),
            },
        )
        if created:
            result.add("organisations")
            organisation.areas_served.set(rng.sample(wards, 2))

    for person in PEOPLE:
        user = User.objects.filter(email=person.email).first()
        if user is None:
            user = User.objects.create_user(
                email=person.email, full_name=person.full_name, password=settings.HUB_DEMO_PASSWORD
            )
            result.add("people")
        for slug, role in person.roles:
            _, created = Membership.objects.get_or_create(
                user=user, organisation=organisations[slug], role=role
            )
            if created:
                result.add("memberships")
    from hub.support.demo import load_support_demo

    residents = load_support_demo(scale=scale)
    if residents:
        result.add("residents with requests", residents)
    from hub.grants.demo import load_grants_demo

    made_funds = load_grants_demo()
    if made_funds:
        result.add("funds", made_funds)
    return result


def demo_sign_ins() -> list[tuple[str, str, str]]:
    """(email, name, roles) for the README and the banner `make run` prints."""
    rows = []
    for person in PEOPLE:
        names = dict(ORGANISATIONS_BY_SLUG)
        roles = "; ".join(f"{Role(role).label} at {names[slug]}" for slug, role in person.roles)
        rows.append((person.email, person.full_name, roles))
    return rows


ORGANISATIONS_BY_SLUG = [(slug, name) for slug, name, *_ in ORGANISATIONS]
