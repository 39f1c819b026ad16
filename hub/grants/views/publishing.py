"""Grants in public and in figures: the 360Giving open data (no sign-in) and the figures page
for grants officers and the board (aggregates only)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from rules.contrib.views import permission_required

from hub.grants import threesixty
from hub.grants.figures import grants_summary
from hub.grants.forms_reporting import FiguresFilterForm


@login_required
@permission_required("grants.view_reports", raise_exception=True)
@require_safe
def figures(request: HttpRequest) -> HttpResponse:
    form = FiguresFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    summary = grants_summary(since=filters.get("since"), until=filters.get("until"))
    breakdowns = [
        ("priority", "By recovery priority", "Priority", summary["by_priority"]),
        ("impact-area", "By impact area", "Impact area", summary["by_impact_area"]),
        ("ward", "By ward", "Ward", summary["by_ward"]),
        (
            "kind",
            "By type of organisation",
            "Type of organisation",
            summary["by_organisation_kind"],
        ),
    ]
    return render(
        request,
        "grants/publishing/figures.html",
        {"form": form, "summary": summary, "breakdowns": breakdowns},
        status=400 if form.is_bound and form.errors else 200,
    )


def _open_data(
    response: StreamingHttpResponse, filename: str, *, disposition: str = "inline"
) -> StreamingHttpResponse:
    # Open data: anyone may fetch it from anywhere, and an hour-old copy is fine for caches.
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=3600"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@require_safe
def threesixty_json(request: HttpRequest) -> StreamingHttpResponse:
    """Every grant to an organisation as a 360Giving JSON package. Public: no sign-in."""
    return _open_data(
        StreamingHttpResponse(
            threesixty.stream_json(), content_type="application/json; charset=utf-8"
        ),
        f"{threesixty.prefix()}-360giving.json",
    )


@require_safe
def threesixty_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The same grants in the flat 360Giving CSV form. Public: no sign-in."""
    return _open_data(
        StreamingHttpResponse(threesixty.stream_csv(), content_type="text/csv; charset=utf-8"),
        f"{threesixty.prefix()}-360giving.csv",
        disposition="attachment",
    )
