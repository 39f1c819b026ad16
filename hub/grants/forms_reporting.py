"""Forms for monitoring reports and the grants figures page."""

import re
from datetime import date, datetime

from django import forms

from hub.core.forms import HubForm
from hub.grants.money_input import PoundsField
from hub.grants.services.monitoring import MAX_REPORTS, PROGRESS_MAX_LENGTH

_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
# Long enough for MAX_REPORTS dates written out in full, with room to spare.
_DUE_DATES_MAX_LENGTH = 2_000


def _parse_day(text: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class ScheduleForm(HubForm):
    due_dates = forms.CharField(
        label="Dates reports are due",
        help_text="One date a line, for example 31/3/2027",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=_DUE_DATES_MAX_LENGTH,
        error_messages={
            "required": "Enter at least one date a report is due",
            "max_length": f"That is too long: enter at most {MAX_REPORTS} dates, one a line",
        },
    )

    def clean_due_dates(self) -> list[date]:
        lines = [line.strip() for line in re.split(r"[\r\n]+", self.cleaned_data["due_dates"])]
        lines = [line for line in lines if line]
        if len(lines) > MAX_REPORTS:
            raise forms.ValidationError(f"Enter at most {MAX_REPORTS} dates")
        days = []
        for number, line in enumerate(lines, start=1):
            day = _parse_day(line)
            if day is None:
                raise forms.ValidationError(
                    f"Line {number} is not a date: write each date like 31/3/2027"
                )
            days.append(day)
        if not days:
            raise forms.ValidationError("Enter at least one date a report is due")
        return days


class ReportForm(HubForm):
    progress = forms.CharField(
        label="Progress against the outcomes you promised",
        help_text="What the grant has paid for and achieved so far, outcome by outcome",
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=PROGRESS_MAX_LENGTH,
        error_messages={
            "required": "Say what the grant has achieved so far against what you promised",
            "max_length": f"Progress must be {PROGRESS_MAX_LENGTH:,} characters or fewer: "
            "summarise it",
        },
    )
    spend_pence = PoundsField(
        label="Spent so far",
        error_label="how much of the grant you have spent so far",
        help_text="All of this grant spent to date, in pounds, like 1,250 or 1,250.50",
    )


class FiguresFilterForm(HubForm):
    since = forms.DateField(
        required=False,
        label="Awarded from",
        input_formats=list(_DATE_FORMATS),
        help_text="For example, 1/4/2026",
    )
    until = forms.DateField(
        required=False,
        label="Awarded to",
        input_formats=list(_DATE_FORMATS),
        help_text="For example, 31/3/2027",
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error(
                "until",
                "The ‘Awarded to’ date must be the same as or after the ‘Awarded from’ date",
            )
        return data
