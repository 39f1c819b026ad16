"""Reading the "Timescale" column of an action plan into dates.

Plans are written by people, so a timescale is free text ("October 2020", "Completed by
end November 2020", "2021/22", "Ongoing"). The hub always keeps the text as written;
this module works out a start and an end date where it safely can, and answers
``(None, None)`` where it cannot. It never raises, whatever it is given.

What it understands (case and extra spaces do not matter):

- a month: "October 2020" is 1 to 31 October 2020;
- a range of months: "August/September 2020", "September-December 2020",
  "November 2020 to March 2021"; a first month without a year takes the year of the
  second, or the year before when it would otherwise come after it ("November-February
  2021" is November 2020 to February 2021);
- a calendar quarter: "Q3 2021" is July to September 2021 (a quarter of a financial year
  is written with the financial year: "Q3 2021/22" is October to December 2021);
- a financial year: "2021/22", "2021-22" or "FY 2021/2022" is 1 April 2021 to
  31 March 2022;
- a season: spring is March to May, summer June to August, autumn September to
  November, and "Winter 2020" (or "Winter 2020/21") is December 2020 to February 2021;
- "early", "mid" and "late" a year: January to April, May to August, September to
  December;
- a year: "2021" is the whole calendar year;
- dates: "31/03/2021", "31-03-21", "2021-03-31", "31 March 2021", "March 31st, 2021"
  (day first: this is a UK plan). A date on its own is taken as a deadline;
- deadlines and starts: "by", "before", "end of", "completed by", "no later than" keep
  only the end ("Completed by end November 2020" ends 30 November 2020); "from",
  "starting", "start of", "beginning" and "onwards" keep only the start;
- "ongoing", "TBC", anything else: no dates.
"""

import calendar
import re
from datetime import date, datetime
from typing import NamedTuple

MAX_LENGTH = 200  # what the model keeps; longer text is not a timescale anyway
_MIN_YEAR, _MAX_YEAR = 1990, 2100


class Timescale(NamedTuple):
    starts_on: date | None
    ends_on: date | None


NO_DATES = Timescale(None, None)

_MONTHS = {
    name: number
    for number in range(1, 13)
    for name in {
        calendar.month_name[number].lower(),
        calendar.month_abbr[number].lower(),
    }
}
_MONTHS["sept"] = 9
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
_PARTS = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}

# Words that say a timescale is a deadline, or a start, and words that say nothing.
_END_WORDS = r"completed?|complete|finished|by|before|end|ending|ends|until|till|deadline|due|no later than|not later than|latest"  # noqa: E501
_START_WORDS = r"from|starting|starts|start|beginning|begin|begins|commencing|commence"
_FILLER = re.compile(
    r"\b(?:in|during|the|of|approx|approximately|circa|c|est|estimated|target|"
    r"to be|calendar|year)\b"
)
_OPEN_ENDED = re.compile(r"\b(?:onwards?|ongoing|and beyond|present)$")

_YEAR = r"(?:19|20|21)\d\d"
_DATE_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})$")
_DATE_ISO = re.compile(rf"^({_YEAR})-(\d{{1,2}})-(\d{{1,2}})$")
_DATE_DAY_MONTH = re.compile(rf"^(\d{{1,2}})(?:st|nd|rd|th)? ({_MONTH}) ({_YEAR})$")
_DATE_MONTH_DAY = re.compile(rf"^({_MONTH}) (\d{{1,2}})(?:st|nd|rd|th)? ({_YEAR})$")
_FINANCIAL_YEAR = re.compile(rf"^(?:fy|financial)? ?({_YEAR}) ?[/\-] ?(\d{{2}}|{_YEAR})$")
_FY_SHORT = re.compile(r"^fy ?(\d{2}) ?[/\-] ?(\d{2})$")
_QUARTER = re.compile(rf"^(?:q|quarter) ?([1-4]) ({_YEAR})(?: ?[/\-] ?(\d{{2}}|{_YEAR}))?$")
_QUARTER_AFTER = re.compile(rf"^({_YEAR}) (?:q|quarter) ?([1-4])$")
_MONTH_YEAR = re.compile(rf"^({_MONTH})(?: ({_YEAR}))?$")
_SEASON_YEAR = re.compile(
    rf"^(spring|summer|autumn|fall|winter)(?: ({_YEAR})(?: ?[/\-] ?(\d{{2}}|{_YEAR}))?)?$"
)
_PART_YEAR = re.compile(rf"^(early|mid|late) ({_YEAR})$")
_BARE_YEAR = re.compile(rf"^({_YEAR})$")
_RANGE_SEPARATOR = re.compile(r" ?(?:-|/|\bto\b|\buntil\b|\btill\b|\bthrough\b|\band\b|&|\+) ?")


def parse_timescale(text: str | None) -> Timescale:
    """The (start, end) dates ``text`` describes, either of them ``None`` when unknown."""
    try:
        return _parse(text)
    except Exception:  # whatever the text, the plan keeps it without dates
        return NO_DATES


def _parse(text) -> Timescale:
    if not isinstance(text, str):
        return NO_DATES
    text = _normalise(text[: MAX_LENGTH * 2])
    if not text or len(text) > MAX_LENGTH:
        return NO_DATES
    text = _FILLER.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip()
    mode = "both"
    end_prefix = re.match(rf"^(?:(?:{_END_WORDS}) )+", text + " ")
    start_prefix = re.match(rf"^(?:(?:{_START_WORDS}) )+", text + " ")
    if end_prefix:
        mode, text = "end", text[end_prefix.end() :]
    elif start_prefix:
        mode, text = "start", text[start_prefix.end() :]
    text = text.strip()
    if mode == "both" and _OPEN_ENDED.search(text):
        head = _OPEN_ENDED.sub("", text).strip(" -")
        if head:
            mode, text = "start", head
    exact = _exact_date(text)
    if exact is not None:
        # A date on its own in a plan is when the action is due.
        return Timescale(exact, None) if mode == "start" else Timescale(None, exact)
    span = _span(text)
    if span is None:
        return NO_DATES
    start, end = span
    if start and end and end < start:
        return NO_DATES
    if mode == "end":
        return Timescale(None, end)
    if mode == "start":
        return Timescale(start, None)
    return Timescale(start, end)


def _normalise(text: str) -> str:
    text = text.lower().replace("\u2013", "-").replace("\u2014", "-").replace("\u2212", "-")
    text = re.sub(r"\bw/c\b", "from", text)  # week commencing
    text = re.sub(r"[,;:()\[\]!?\"']", " ", text)
    text = re.sub(r"(?<=[a-z])\.(?=\s|$)", " ", text)  # "Sept." and "c." but not "31.03.2021"
    text = re.sub(r"\s*([/\-])\s*", r"\1", text)
    text = re.sub(rf"\b({'|'.join(_PARTS)})-", r"\1 ", text)  # "mid-2021"
    text = re.sub(rf"^({_END_WORDS}|{_START_WORDS})-", r"\1 ", text)  # "end-November"
    text = re.sub(r"\s+", " ", text).strip(" .")
    return text


def _span(text: str) -> tuple[date | None, date | None] | None:
    """Dates of a single period or a range of two; ``None`` if not understood."""
    single = _period(text)
    if single is not None:
        return single
    for match in _RANGE_SEPARATOR.finditer(text):
        left, right = text[: match.start()].strip(), text[match.end() :].strip()
        if not left or not right:
            continue
        if _OPEN_ENDED.fullmatch(right):
            first = _period(left)
            if first is not None:
                return first[0], None
            continue
        last = _period(right)
        if last is None:
            continue
        first = _period(left)
        if first is None and last[0] is not None:
            first = _period_borrowing_year(left, last[0])
        if first is None:
            continue
        start = first[0] or first[1]
        end = last[1] or last[0]
        if start and end and end >= start:
            return start, end
    return None


def _period_borrowing_year(text: str, later: date) -> tuple[date, date] | None:
    """A month or season written without its year, before a period that has one."""
    match = re.fullmatch(
        rf"({_MONTH})|(spring|summer|autumn|fall|winter)|(?:q|quarter) ?([1-4])", text
    )
    if not match:
        return None
    if match.group(3):
        quarter = int(match.group(3))
        return _months(later.year, 3 * quarter - 2, later.year, 3 * quarter)
    if match.group(1):
        month = _MONTHS[match.group(1)]
        year = later.year if month <= later.month else later.year - 1
        return _month(year, month)
    season = _season(match.group(2), later.year)
    if season[0] > later:
        season = _season(match.group(2), later.year - 1)
    return season


def _period(text: str) -> tuple[date | None, date | None] | None:
    exact = _exact_date(text)
    if exact is not None:
        return exact, exact
    if m := _FINANCIAL_YEAR.fullmatch(text):
        first = int(m.group(1))
        if _second_year(first, m.group(2)) == first + 1:
            return date(first, 4, 1), date(first + 1, 3, 31)
        return None
    if m := _FY_SHORT.fullmatch(text):
        first = 2000 + int(m.group(1))
        if int(m.group(2)) == (first + 1) % 100:
            return date(first, 4, 1), date(first + 1, 3, 31)
        return None
    if m := _QUARTER.fullmatch(text):
        quarter, year = int(m.group(1)), int(m.group(2))
        if m.group(3) is None:
            return _months(year, 3 * quarter - 2, year, 3 * quarter)
        if _second_year(year, m.group(3)) != year + 1:
            return None
        first_month = 3 * quarter + 1  # Q1 of a financial year is April to June
        start_year = year if first_month <= 12 else year + 1
        first_month = (first_month - 1) % 12 + 1
        return _months(start_year, first_month, start_year, first_month + 2)
    if m := _QUARTER_AFTER.fullmatch(text):
        quarter, year = int(m.group(2)), int(m.group(1))
        return _months(year, 3 * quarter - 2, year, 3 * quarter)
    if m := _MONTH_YEAR.fullmatch(text):
        if m.group(2) is None:
            return None
        return _month(int(m.group(2)), _MONTHS[m.group(1)])
    if m := _SEASON_YEAR.fullmatch(text):
        if m.group(2) is None:
            return None
        year = int(m.group(2))
        if m.group(3) is not None and _second_year(year, m.group(3)) != year + 1:
            return None
        return _season(m.group(1), year)
    if m := _PART_YEAR.fullmatch(text):
        first, last = _PARTS[m.group(1)]
        year = int(m.group(2))
        return _months(year, first, year, last)
    if m := _BARE_YEAR.fullmatch(text):
        year = int(m.group(1))
        return _months(year, 1, year, 12)
    return None


def _exact_date(text: str) -> date | None:
    try:
        if m := _DATE_NUMERIC.fullmatch(text):
            day, month, year = (int(g) for g in m.groups())
            if len(m.group(3)) == 2:
                year += 2000
            return _checked(date(year, month, day))
        if m := _DATE_ISO.fullmatch(text):
            year, month, day = (int(g) for g in m.groups())
            return _checked(date(year, month, day))
        if m := _DATE_DAY_MONTH.fullmatch(text):
            return _checked(date(int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1))))
        if m := _DATE_MONTH_DAY.fullmatch(text):
            return _checked(date(int(m.group(3)), _MONTHS[m.group(1)], int(m.group(2))))
    except ValueError:
        return None  # 31/02/2021 and the like
    return None


def _checked(day: date) -> date | None:
    return day if _MIN_YEAR <= day.year <= _MAX_YEAR else None


def _second_year(first: int, written: str) -> int:
    if len(written) == 4:
        return int(written)
    second = (first // 100) * 100 + int(written)
    return second + 100 if second <= first else second  # 1999/00 is 1999 to 2000


def _month(year: int, month: int) -> tuple[date, date]:
    return _months(year, month, year, month)


def _months(first_year: int, first_month: int, last_year: int, last_month: int):
    last_day = calendar.monthrange(last_year, last_month)[1]
    return date(first_year, first_month, 1), date(last_year, last_month, last_day)


def _season(name: str, year: int) -> tuple[date, date]:
    first = _SEASONS[name]
    if first == 12:
        return _months(year, 12, year + 1, 2)
    return _months(year, first, year, first + 2)


def format_dates(timescale: Timescale) -> str:
    """'1 October 2020 to 31 October 2020', 'by 30 November 2020', 'from …' or ''."""
    start, end = timescale

    def fmt(day: date) -> str:
        return f"{day.day} {datetime(day.year, day.month, 1):%B} {day.year}"

    if start and end:
        return f"{fmt(start)} to {fmt(end)}"
    if end:
        return f"by {fmt(end)}"
    if start:
        return f"from {fmt(start)}"
    return ""
