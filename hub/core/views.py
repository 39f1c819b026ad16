"""Start and home pages, the static information pages, the access log and error pages."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET
from rules.contrib.views import permission_required

from hub.core.access_log import access_log_search
from hub.core.home import home_sections_for
from hub.core.view_forms import AccessLogFilterForm


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:home")
    return render(request, "core/start.html")


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"sections": home_sections_for(request)})


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
@permission_required("core.view_access_log", raise_exception=True)
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    form = AccessLogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    acting = request.acting
    entries = access_log_search(
        user_id=filters["person"].pk if filters.get("person") else None,
        organisation_id=(filters["organisation"].pk if filters.get("organisation") else None)
        if acting.for_host
        else acting.organisation.pk,
        content_type_id=filters["record_type"].pk if filters.get("record_type") else None,
        object_id=filters.get("record_id", ""),
        since=filters.get("since"),
        until=filters.get("until"),
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/access_log.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "core/403.html", status=403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "core/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors that touch the database: the error may be the database.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
