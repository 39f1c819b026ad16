"""Reading a plan's free-text timescales into start and end dates."""

from datetime import date

import pytest

from hub.plans.timescales import Timescale, format_dates, parse_timescale


@pytest.mark.parametrize(
    ("text", "starts_on", "ends_on"),
    [
        # The forms in the Hammersmith & Fulham action plan.
        ("October 2020", date(2020, 10, 1), date(2020, 10, 31)),
        ("Completed by end November 2020", None, date(2020, 11, 30)),
        ("August/September 2020", date(2020, 8, 1), date(2020, 9, 30)),
        ("September-December 2020", date(2020, 9, 1), date(2020, 12, 31)),
        ("September-October 2020", date(2020, 9, 1), date(2020, 10, 31)),
        ("October-December 2020", date(2020, 10, 1), date(2020, 12, 31)),
        ("January-March 2021", date(2021, 1, 1), date(2021, 3, 31)),
        # Months, written other ways.
        ("october 2020", date(2020, 10, 1), date(2020, 10, 31)),
        ("  Oct   2020 ", date(2020, 10, 1), date(2020, 10, 31)),
        ("Sept. 2020", date(2020, 9, 1), date(2020, 9, 30)),
        ("February 2024", date(2024, 2, 1), date(2024, 2, 29)),
        ("September – December 2020", date(2020, 9, 1), date(2020, 12, 31)),
        ("Aug & Sep 2020", date(2020, 8, 1), date(2020, 9, 30)),
        ("August and September 2020", date(2020, 8, 1), date(2020, 9, 30)),
        ("November 2020 to March 2021", date(2020, 11, 1), date(2021, 3, 31)),
        ("Dec 2020 - Feb 2021", date(2020, 12, 1), date(2021, 2, 28)),
        ("November-February 2021", date(2020, 11, 1), date(2021, 2, 28)),
        # Quarters: calendar, or of a financial year when one is written.
        ("Q3 2021", date(2021, 7, 1), date(2021, 9, 30)),
        ("q1 2021", date(2021, 1, 1), date(2021, 3, 31)),
        ("Quarter 4 2021", date(2021, 10, 1), date(2021, 12, 31)),
        ("2021 Q2", date(2021, 4, 1), date(2021, 6, 30)),
        ("Q1-Q2 2021", date(2021, 1, 1), date(2021, 6, 30)),
        ("Q3 2021/22", date(2021, 10, 1), date(2021, 12, 31)),
        ("Q4 2021/22", date(2022, 1, 1), date(2022, 3, 31)),
        # Financial years.
        ("2021/22", date(2021, 4, 1), date(2022, 3, 31)),
        ("2021-22", date(2021, 4, 1), date(2022, 3, 31)),
        ("2021/2022", date(2021, 4, 1), date(2022, 3, 31)),
        ("FY 2021/22", date(2021, 4, 1), date(2022, 3, 31)),
        ("FY21/22", date(2021, 4, 1), date(2022, 3, 31)),
        ("financial year 2021/22", date(2021, 4, 1), date(2022, 3, 31)),
        ("1999/00", date(1999, 4, 1), date(2000, 3, 31)),
        # Seasons.
        ("Winter 2020", date(2020, 12, 1), date(2021, 2, 28)),
        ("Winter 2020/21", date(2020, 12, 1), date(2021, 2, 28)),
        ("Winter 2023", date(2023, 12, 1), date(2024, 2, 29)),
        ("Spring 2021", date(2021, 3, 1), date(2021, 5, 31)),
        ("Summer 2021", date(2021, 6, 1), date(2021, 8, 31)),
        ("Autumn 2020", date(2020, 9, 1), date(2020, 11, 30)),
        ("Spring-Summer 2021", date(2021, 3, 1), date(2021, 8, 31)),
        # Parts of a year, and years.
        ("Early 2021", date(2021, 1, 1), date(2021, 4, 30)),
        ("mid-2021", date(2021, 5, 1), date(2021, 8, 31)),
        ("Late 2021", date(2021, 9, 1), date(2021, 12, 31)),
        ("2021", date(2021, 1, 1), date(2021, 12, 31)),
        ("2020 - 2022", date(2020, 1, 1), date(2022, 12, 31)),
        # Deadlines.
        ("by 31/03/2021", None, date(2021, 3, 31)),
        ("By 31.03.21", None, date(2021, 3, 31)),
        ("31/03/2021", None, date(2021, 3, 31)),
        ("2021-03-31", None, date(2021, 3, 31)),
        ("31 March 2021", None, date(2021, 3, 31)),
        ("31st March 2021", None, date(2021, 3, 31)),
        ("March 31st, 2021", None, date(2021, 3, 31)),
        ("by the end of November 2020", None, date(2020, 11, 30)),
        ("end of 2020", None, date(2020, 12, 31)),
        ("To be completed by March 2021", None, date(2021, 3, 31)),
        ("no later than 30 June 2021", None, date(2021, 6, 30)),
        ("Before Q2 2021", None, date(2021, 6, 30)),
        # Starts.
        ("From October 2020", date(2020, 10, 1), None),
        ("October 2020 onwards", date(2020, 10, 1), None),
        ("October 2020 - ongoing", date(2020, 10, 1), None),
        ("w/c 5 October 2020", date(2020, 10, 5), None),
        ("Starting 2021/22", date(2021, 4, 1), None),
        # Ranges of dates.
        ("01/10/2020 - 31/12/2020", date(2020, 10, 1), date(2020, 12, 31)),
        ("1 October 2020 to 31 March 2021", date(2020, 10, 1), date(2021, 3, 31)),
    ],
)
def test_it_reads_the_dates_a_timescale_describes(text, starts_on, ends_on):
    assert parse_timescale(text) == Timescale(starts_on, ends_on)


@pytest.mark.parametrize(
    "text",
    [
        "Ongoing",
        "ongoing",
        "TBC",
        "N/A",
        "",
        "   ",
        "October",  # no year: which October?
        "Phase 2",
        "asap",
        "31/02/2021",  # no such day
        "13/13/2021",
        "99/99/9999",
        "December 2021 - January 2021",  # ends before it starts
        "2021/23",  # not one financial year
        "Q5 2021",
        "3021",
        "<script>alert(1)</script>",
        "x" * 10_000,
        "October 2020 " * 50,
        "\x00\xff\ufffd",
        "2020/21/22/23",
        "-",
        "//",
    ],
)
def test_it_keeps_no_dates_for_what_it_cannot_read(text):
    assert parse_timescale(text) == (None, None)


@pytest.mark.parametrize("value", [None, 2021, 3.5, b"October 2020", ["October 2020"], object()])
def test_it_never_raises_whatever_it_is_given(value):
    assert parse_timescale(value) == (None, None)


def test_the_dates_are_a_named_pair_that_unpacks():
    starts_on, ends_on = parse_timescale("October 2020")
    assert (starts_on, ends_on) == (date(2020, 10, 1), date(2020, 10, 31))
    assert parse_timescale("October 2020").ends_on == date(2020, 10, 31)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("October 2020", "1 October 2020 to 31 October 2020"),
        ("Completed by end November 2020", "by 30 November 2020"),
        ("From October 2020", "from 1 October 2020"),
        ("Ongoing", ""),
    ],
)
def test_it_describes_the_dates_in_words(text, shown):
    assert format_dates(parse_timescale(text)) == shown
