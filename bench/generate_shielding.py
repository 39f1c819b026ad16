"""Make a synthetic shielded patient list CSV: realistic, seeded, fast.

    python -m bench.generate_shielding OUT.csv [--rows 100000] [--seed 2020] [--bad 0.01]

Needs no database or Django settings. Rows look like the NHS list (the usual headers;
UK names including "Zoë" and "O’Brien"; addresses in a Chesterfield-like district of
``POSTCODE_COUNT`` postcodes; landlines and mobiles that ``phonenumbers`` accepts;
dates of birth in the shapes real files hold, mostly dd/mm/yyyy), with about ``--bad`` of
them wrong in one of the ways the import rejects. NHS numbers are valid England ones made
by the ``nhs_number`` package for testing, distinct and not known to belong to anyone.
Everything here is made up.
"""

import argparse
import csv
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import nhs_number
from nhs_number.constants import REGION_ENGLAND_WALES_IOM

HEADER = [
    "NHS Number",
    "Forename",
    "Surname",
    "Date of Birth",
    "Address Line 1",
    "Address Line 2",
    "Address Line 3",
    "Address Line 4",
    "Address Line 5",
    "Postcode",
    "Telephone",
    "Mobile",
    "GP Practice Code",
]
FIRST = [
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Ivy",
    "Lily",
    "Sophia",
    "Grace",
    "Freya",
    "Margaret",
    "Patricia",
    "Barbara",
    "Susan",
    "Joan",
    "Dorothy",
    "Jean",
    "Sheila",
    "Brenda",
    "Maureen",
    "Pauline",
    "Valerie",
    "Zoë",
    "Siobhán",
    "Aoife",
    "Chloë",
    "Renée",
    "Noah",
    "Oliver",
    "George",
    "Arthur",
    "Leo",
    "Harry",
    "Oscar",
    "Muhammad",
    "Jack",
    "Charlie",
    "John",
    "David",
    "Michael",
    "Peter",
    "Brian",
    "Derek",
    "Kenneth",
    "Keith",
    "Trevor",
    "Raymond",
    "Colin",
    "Dennis",
    "Ahmed",
    "Rajesh",
    "Wojciech",
    "Łukasz",
    "José",
]
LAST = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Patel",
    "Khan",
    "Begum",
    "Hussain",
    "Kaur",
    "Singh",
    "Nowak",
    "Kowalski",
    "O’Brien",
    "O’Neill",
    "D’Souza",
    "Ní Bhriain",
    "Marsden",
    "Barlow",
    "Cresswell",
    "Staniforth",
    "Mellor",
    "Hadfield",
    "Bagshaw",
    "Froggatt",
    "Twigg",
    "Slack",
    "Outram",
    "Mycock",
    "Revill",
    "Gregory",
    "Lowe",
    "Haslam",
]
STREETS = [
    "High Street",
    "Church Lane",
    "Station Road",
    "Park Road",
    "Mill Lane",
    "Chatsworth Road",
    "Sheffield Road",
    "Newbold Road",
    "Ashgate Road",
    "Saltergate",
    "Whittington Hill",
    "Calow Lane",
    "Hady Hill",
    "Brimington Road",
    "Derby Road",
    "Boythorpe Avenue",
    "Spital Lane",
    "Old Road",
    "Storforth Lane",
    "Walton Drive",
]
PLACES = ("Brimington", "Newbold", "Walton", "Hasland", "Loundsley Green", "Old Whittington")
OUTWARD = ("S40", "S41", "S42", "S43", "S44", "S18")
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
POSTCODE_COUNT = 6000
BAD_KINDS = (
    "nhs_checksum",
    "impossible_date",
    "future_date",
    "missing_postcode",
    "bad_postcode",
    "missing_last_name",
    "duplicate_nhs",
    "bad_phone",
)


def postcodes(rng: random.Random, count: int = POSTCODE_COUNT) -> list[str]:
    """``count`` distinct well-formed postcodes of the district, in a fixed order."""
    found: set[str] = set()
    while len(found) < count:
        found.add(
            f"{rng.choice(OUTWARD)} {rng.randint(1, 9)}"
            f"{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
        )
    return sorted(found)


def nhs_numbers(count: int) -> list[str]:
    """``count`` distinct valid England NHS numbers (the package's generator, de-duplicated)."""
    chosen: dict[str, None] = {}
    while len(chosen) < count:
        for number in nhs_number.generate(
            for_region=REGION_ENGLAND_WALES_IOM, quantity=min(count - len(chosen) + 1000, 200_000)
        ):
            chosen.setdefault(number, None)
    return list(chosen)[:count]


def _bad_checksum(number: str) -> str:
    return number[:9] + str((int(number[9]) + 1) % 10)


def generate(
    path: Path, *, rows: int, seed: int = 2020, bad: float = 0.01, today: date | None = None
) -> dict[str, int]:
    """Write ``rows`` people to ``path``; returns how many rows of each bad kind it wrote."""
    today = today or date.today()
    random.seed(seed)  # nhs_number.generate draws from the module's generator
    rng = random.Random(seed)
    numbers = nhs_numbers(rows)
    codes = postcodes(rng)
    counts = dict.fromkeys(BAD_KINDS, 0)
    earliest = date(1925, 1, 1).toordinal()
    span = date(2006, 12, 31).toordinal() - earliest
    excel_epoch = date(1899, 12, 30).toordinal()
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for index in range(rows):
            born = date.fromordinal(earliest + rng.randrange(span))
            shape = rng.random()
            if shape < 0.85:
                dob = f"{born.day:02d}/{born.month:02d}/{born.year}"
            elif shape < 0.93:
                dob = born.isoformat()
            elif shape < 0.97:
                dob = f"{born.day}/{born.month}/{born.year}"
            else:
                dob = str(born.toordinal() - excel_epoch)  # a spreadsheet serial number
            flat = rng.random() < 0.2
            line1 = f"Flat {rng.randint(1, 40)}" if flat else f"{rng.randint(1, 250)} "
            line1 += f", {rng.randint(1, 120)} " if flat else ""
            line1 += rng.choice(STREETS)
            row = [
                numbers[index],
                rng.choice(FIRST),
                rng.choice(LAST),
                dob,
                line1,
                rng.choice(PLACES) if rng.random() < 0.5 else "",
                "Chesterfield",
                "Derbyshire",
                "",
                rng.choice(codes),
                f"01246 {rng.randint(200000, 599999)}" if rng.random() < 0.7 else "",
                f"07{rng.choice(('400', '500', '800', '850', '956'))} {rng.randint(0, 999999):06d}"
                if rng.random() < 0.6
                else "",
                f"C81{rng.randint(1, 99):03d}",
            ]
            if rng.random() < bad:
                kind = rng.choice(BAD_KINDS)
                counts[kind] += 1
                if kind == "nhs_checksum":
                    row[0] = _bad_checksum(row[0])
                elif kind == "impossible_date":
                    row[3] = f"31/02/{born.year}"
                elif kind == "future_date":
                    later = today + timedelta(days=rng.randint(30, 3000))
                    row[3] = later.strftime("%d/%m/%Y")
                elif kind == "missing_postcode":
                    row[9] = ""
                elif kind == "bad_postcode":
                    row[9] = "S40 1CX"  # C is never in the inward code
                elif kind == "missing_last_name":
                    row[2] = ""
                elif kind == "duplicate_nhs" and index:
                    row[0] = numbers[rng.randrange(index)]
                elif kind == "bad_phone":
                    row[10] = "01246 12"
                else:
                    counts[kind] -= 1
            writer.writerow(row)
    return counts


def cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--bad", type=float, default=0.01)
    options = parser.parse_args(argv)
    started = time.perf_counter()
    counts = generate(options.out, rows=options.rows, seed=options.seed, bad=options.bad)
    seconds = time.perf_counter() - started
    print(f"{options.rows:,} rows in {seconds:.1f} s to {options.out}; bad rows: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(cli())
