"""Gaps in support, on a page and as CSV. Aggregates only: no personal data."""

import csv

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rules.contrib.views import permission_required

from hub.support.forms import GapsFilterForm
from hub.support.gaps import DIMENSIONS, gaps_report, requests_summary

TITLES = {
    "by_need": "By need",
    "by_impact_area": "By impact area",
    "by_ward": "By ward",
    "by_organisation": "By assigned organisation",
}


def _report(request):
    form = GapsFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    filters = {k: v for k, v in filters.items() if v}
    return form, filters, gaps_report(**filters)


@login_required
@permission_required("support.view_gaps", raise_exception=True)
def gaps(request: HttpRequest) -> HttpResponse:
    form, filters, report = _report(request)
    tables = [(key, TITLES[key], getattr(report, key)) for key in DIMENSIONS]
    return render(
        request,
        "support/gaps.html",
        {
            "form": form,
            "tables": tables,
            "uncovered": report.uncovered,
            "summary": requests_summary(**filters),
            "query": request.GET.urlencode(),
        },
    )


@login_required
@permission_required("support.view_gaps", raise_exception=True)
def gaps_csv(request: HttpRequest) -> HttpResponse:
    _, _, report = _report(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="support-gaps.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "dimension",
            "group",
            "needs",
            "still open",
            "could not be met",
            "referrals declined",
            "referrals expired",
            "average hours to first contact",
            "average hours to resolution",
        ]
    )
    for key in DIMENSIONS:
        for row in getattr(report, key):
            writer.writerow(
                [
                    TITLES[key].removeprefix("By ").lower(),
                    row.label,
                    row.needs,
                    row.open,
                    row.unmet,
                    row.declined,
                    row.expired,
                    "" if row.hours_to_first_contact is None else row.hours_to_first_contact,
                    "" if row.hours_to_resolution is None else row.hours_to_resolution,
                ]
            )
    for ward, need, n in report.uncovered:
        writer.writerow(
            ["no partner taking this need in the ward", f"{ward}: {need}", n, n, "", "", "", "", ""]
        )
    return response
