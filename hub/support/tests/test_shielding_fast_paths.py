"""The import's fast row checks give the same answers as the rule book, row for row.

``RowChecker.check`` takes shortcuts for the common shapes of cell and remembers answers;
``RowChecker.check_slowly`` goes field by field through the hub's own validators. Both are
run here over many generated rows, good and mangled, and must agree on the NHS number, the
clean row and every problem. NHS numbers are made by ``nhs_number.generate`` (valid numbers
for testing, not known to belong to anyone) or made up; everything else is made up.
"""

import random
from datetime import date, timedelta

import nhs_number
import pytest
from django.core.exceptions import ValidationError
from nhs_number.constants import REGION_ENGLAND_WALES_IOM, REGION_SYNTHETIC

from hub.support.shielding_csv import RowChecker, column_labels, guess_mapping, normalise_phone_fast
from hub.support.validation import normalise_phone

TODAY = date(2025, 6, 1)
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
    "Town",
    "Postcode",
    "Telephone",
    "Mobile",
    "GP Practice Code",
]


def _pick(rng: random.Random, good: bool, choices: list[str]) -> str:
    return choices[0] if good else rng.choice(choices)


def _numbers(rng: random.Random) -> list[str]:
    random.seed(rng.random())  # nhs_number.generate draws from the module's generator
    england = nhs_number.generate(for_region=REGION_ENGLAND_WALES_IOM, quantity=200)
    synthetic = nhs_number.generate(for_region=REGION_SYNTHETIC, quantity=50)
    return [*england, *synthetic]


def _nhs(rng: random.Random, valid: list[str], good: bool = False) -> str:
    number = rng.choice(valid)
    return _pick(
        rng,
        good,
        [
            number,
            number,
            number,
            f"{number[:3]} {number[3:6]} {number[6:]}",
            f"{number[:3]}-{number[3:6]}-{number[6:]}",
            number[:9] + str((int(number[9]) + rng.randint(1, 9)) % 10),  # wrong check digit
            number[:9],
            number + "0",
            "".join(rng.choice("0123456789") for _ in range(10)),  # any range, mostly wrong
            str(rng.choice([1, 2, 3, 5, 8])) + number[1:],  # another country's range
            "٤" + number[1:],  # an Arabic-Indic digit
            "",
            "n/a",
        ],
    )


def _date(rng: random.Random, good: bool = False) -> str:
    born = date(1900, 1, 1) + timedelta(days=rng.randrange(46_000))
    serial = (born - date(1899, 12, 30)).days
    return _pick(
        rng,
        good,
        [
            f"{born.day:02d}/{born.month:02d}/{born.year}",
            f"{born.day:02d}/{born.month:02d}/{born.year}",
            born.isoformat(),
            f"{born.day}/{born.month}/{born.year}",
            f"{born.day:02d}-{born.month:02d}-{born.year % 100:02d}",
            f"{born.day} {born:%b %Y}",
            f"{born:%Y%m%d}",
            str(serial),
            f"{born.day:02d}/{born.month:02d}/{born.year} 00:00",
            f"31/02/{born.year}",
            f"{born.day:02d}/13/{born.year}",
            str(born.year),
            f"{born.day:02d}/{born.month:02d}/{TODAY.year + 1}",
            "99/99/9999",
            "yesterday",
            "",
        ],
    )


def _postcode(rng: random.Random, good: bool = False) -> str:
    outward = rng.choice(["S40", "S41", "S43", "SW1A", "M1", "B33", "EC1A", "W1"])
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    inward = f"{rng.randint(0, 9)}{rng.choice(letters)}{rng.choice(letters)}"
    return _pick(
        rng,
        good,
        [
            f"{outward} {inward}",
            f"{outward} {inward}",
            f"{outward}{inward}",
            f"{outward} {inward}".lower(),
            f" {outward}  {inward} ",
            f"{outward} {inward[0]}C{inward[2]}",  # C is never in the inward code
            "S40 1LP\u00a0",  # a non-breaking space
            "GIR 0AA",
            "ZZ99 9ZZ",
            "",
        ],
    )


def _phone(rng: random.Random, good: bool = False) -> str:
    digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(6, 11)))
    return _pick(
        rng,
        good,
        [
            f"01246 {rng.randint(200000, 599999)}",
            f"07{rng.choice(['400', '500', '800', '850', '956', '700', '624'])} "
            f"{rng.randint(0, 999999):06d}",
            f"+44 (0)1246 {rng.randint(200000, 599999)}",
            f"+44 7956 {rng.randint(0, 999999):06d}",
            f"0044 1246 {rng.randint(200000, 599999)}",
            f"0{rng.randint(1_000_000_000, 9_999_999_999)}",
            f"0{rng.randint(100_000_000, 999_999_999)}",
            f"0800 {rng.randint(0, 9999999):07d}",
            f"01534 {rng.randint(0, 999999):06d}",  # Jersey
            f"01624 {rng.randint(0, 999999):06d}",  # Isle of Man
            f"020-{rng.randint(0, 9999):04d}-{rng.randint(0, 9999):04d}",
            f"(0114) {rng.randint(0, 9999999):07d}",
            "+1 202 555 0100",
            "0" + digits,
            digits,
            "01246 12",
            "07956 123456 ext 2",
            "０７９５６ １２３４５６",  # full-width digits
            "",
            "",
        ],
    )


def _text(rng: random.Random, words: list[str], good: bool = False) -> str:
    return _pick(
        rng,
        good,
        [
            rng.choice(words),
            rng.choice(words),
            f"  {rng.choice(words)}  ",
            f"{rng.choice(words)}  {rng.choice(words)}",  # a double space
            f"{rng.choice(words)}\t{rng.choice(words)}",
            "x" * rng.choice([99, 100, 101, 199, 200, 201]),
            "",
        ],
    )


def _mostly_good(rng: random.Random, make, *args) -> str:
    """A value in the common shape (the first of ``make``'s choices) most of the time, so
    that many whole rows are good; any of its shapes otherwise."""
    if rng.random() < 0.8:
        return make(random.Random(rng.random()), *args, good=True)
    return make(rng, *args)


def _row(rng: random.Random, valid: list[str]) -> list[str]:
    names = ["Zoë", "O’Brien", "Margaret", "Staniforth", "Ní Bhriain", "D’Souza", "Smith"]
    places = ["12 Church Lane", "Flat 3, 12 High Street", "Brimington", "Chesterfield"]
    row = [
        _mostly_good(rng, _nhs, valid),
        _mostly_good(rng, _text, names),
        _mostly_good(rng, _text, names),
        _mostly_good(rng, _date),
        _mostly_good(rng, _text, places),
        *(_mostly_good(rng, _text, places) if rng.random() < 0.5 else "" for _ in range(4)),
        _mostly_good(rng, _text, ["Chesterfield", "Derbyshire"]) if rng.random() < 0.3 else "",
        _mostly_good(rng, _postcode),
        _mostly_good(rng, _phone) if rng.random() < 0.7 else "",
        _mostly_good(rng, _phone) if rng.random() < 0.6 else "",
        rng.choice(["C81001", "c81001", " C81001 ", "C8", "C81-001", "Y02625", ""]),
    ]
    if rng.random() < 0.05:
        row = row[: rng.randint(1, len(row) - 1)]  # a short row
    elif rng.random() < 0.03:
        row.append("an extra cell")
    return row


@pytest.mark.parametrize("accept_test_numbers", [False, True])
def test_it_gives_the_same_answers_as_the_rule_book_for_any_row(settings, accept_test_numbers):
    settings.HUB_ACCEPT_TEST_NHS_NUMBERS = accept_test_numbers
    rng = random.Random(2020)
    valid = _numbers(rng)
    labels = column_labels(HEADER)
    fast = RowChecker(labels, guess_mapping(labels), today=TODAY)
    slow = RowChecker(labels, guess_mapping(labels), today=TODAY)
    accepted = 0
    for number in range(2, 10_002):
        row = _row(rng, valid)
        expected = slow.check_slowly(number, row)
        assert fast.check(number, row) == expected, row
        accepted += expected[1] is not None
    # Both kinds of row were met often enough to mean something.
    assert 1_000 < accepted < 9_000


def test_it_gives_the_same_answers_under_any_mapping():
    rng = random.Random(7)
    valid = _numbers(rng)
    labels = column_labels(HEADER)
    full = guess_mapping(labels)
    for _ in range(40):
        kept = rng.sample(sorted(full), rng.randint(3, len(full)))
        mapping = {name: full[name] for name in kept}
        fast = RowChecker(labels, mapping, today=TODAY)
        for number in range(2, 302):
            row = _row(rng, valid)
            assert fast.check(number, row) == fast.check_slowly(number, row), (mapping, row)


def test_it_answers_a_repeated_date_or_postcode_as_it_did_the_first_time():
    labels = column_labels(HEADER)
    checker = RowChecker(labels, guess_mapping(labels), today=TODAY)
    number = nhs_number.generate(for_region=REGION_ENGLAND_WALES_IOM, quantity=1)[0]
    row = [number, "Rose", "Tyler", "21/03/1946", "1 Powell Estate", *[""] * 5, "s40 1lp"]
    row += ["", "", ""]
    first = checker.check(2, row)
    assert first[1] is not None
    assert (first[1].date_of_birth, first[1].postcode) == (date(1946, 3, 21), "S40 1LP")
    assert checker.check(3, row)[1] == first[1]._replace(number=3)


def test_its_phone_shortcut_agrees_with_the_hub_over_many_numbers():
    rng = random.Random(11)
    samples = [_phone(rng) for _ in range(10_000)]
    samples += [f"0{rng.randint(1_000_000_000, 9_999_999_999)}" for _ in range(10_000)]
    samples += [f"+44{rng.randint(100_000_000, 9_999_999_999)}" for _ in range(5_000)]
    samples += ["0١٢٤٦٣٤٥٦٧٨", "01246 345678\n", "+4401246345678"]
    for sample in samples:
        try:
            expected = normalise_phone(sample)
        except ValidationError:
            expected = None
        try:
            got = normalise_phone_fast(sample)
        except ValidationError:
            got = None
        assert got == expected, sample
