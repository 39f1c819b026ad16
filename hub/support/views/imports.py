"""Importing the NHS shielded patient list: upload, check the columns, follow the run,
read and download the rejected rows."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from rules.contrib.views import permission_required

from hub.core.access_log import access_log_record
from hub.support.forms_imports import ShieldingUploadForm, mapping_form_class
from hub.support.models import ShieldingImport
from hub.support.selectors_shielding import (
    get_shielding_import_for_user,
    shielding_import_rejections,
    shielding_imports_visible_to,
)
from hub.support.services.errors import ConflictError
from hub.support.services.shielding import (
    max_bytes,
    shielding_import_confirm,
    shielding_import_create,
    shielding_import_labels,
    shielding_import_resume,
    shielding_import_sample,
    shielding_import_set_mapping,
)
from hub.support.shielding_csv import FIELD_LABELS

PAGE_SIZE = 50
LIST_SIZE = 50
ENCODINGS = {"utf-8-sig": "UTF-8", "cp1252": "Windows-1252"}
DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}


def _put_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@permission_required("support.import_shielding", raise_exception=True)
@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    limit = max_bytes()
    if request.method == "POST":
        form = ShieldingUploadForm(request.POST, request.FILES, max_bytes=limit)
    else:
        form = ShieldingUploadForm(max_bytes=limit)
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            created = shielding_import_create(
                actor=request.user, source=upload, original_name=upload.name, size=upload.size
            )
        except ValidationError as exc:
            _put_errors(form, exc)
        else:
            return redirect("support:import_detail", pk=created.pk)
    past = shielding_imports_visible_to(request.user)[:LIST_SIZE]
    return render(
        request,
        "support/imports/list.html",
        {"form": form, "imports": past, "max_megabytes": limit // 1_000_000},
    )


@login_required
@permission_required("support.import_shielding", raise_exception=True)
@require_http_methods(["GET", "POST"])
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    shielding_import = get_shielding_import_for_user(request.user, pk)
    if request.method == "GET" and request.GET.get("format") == "csv":
        return _rejections_csv(shielding_import)
    if shielding_import.status == ShieldingImport.Status.PREVIEW:
        return _preview(request, shielding_import)
    if request.method == "POST":
        if request.POST.get("action") == "resume":
            try:
                shielding_import_resume(actor=request.user, shielding_import=shielding_import)
            except ConflictError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, "The import is carrying on from where it stopped")
        return redirect("support:import_detail", pk=pk)
    return _progress(request, shielding_import)


def _preview(request: HttpRequest, shielding_import: ShieldingImport) -> HttpResponse:
    labels = shielding_import_labels(shielding_import=shielding_import)
    form_class = mapping_form_class(labels)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                if request.POST.get("action") == "confirm":
                    shielding_import_confirm(
                        actor=request.user,
                        shielding_import=shielding_import,
                        mapping=form.mapping(),
                    )
                    messages.success(request, "The import has started")
                else:
                    shielding_import_set_mapping(
                        actor=request.user,
                        shielding_import=shielding_import,
                        mapping=form.mapping(),
                    )
                return redirect("support:import_detail", pk=shielding_import.pk)
            except ConflictError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("support:import_detail", pk=shielding_import.pk)
            except ValidationError as exc:
                _put_errors(form, exc)
    else:
        form = form_class(initial=shielding_import.mapping)
    sample = shielding_import_sample(shielding_import=shielding_import)
    access_log_record(request=request, obj=shielding_import, purpose="preview of shielding list")
    return render(
        request,
        "support/imports/preview.html",
        {
            "shielding_import": shielding_import,
            "form": form,
            "sample": sample,
            "encoding": ENCODINGS.get(shielding_import.encoding, shielding_import.encoding),
            "delimiter": DELIMITERS.get(sample.delimiter, "commas"),
        },
    )


def _progress(request: HttpRequest, shielding_import: ShieldingImport) -> HttpResponse:
    rejections = shielding_import_rejections(shielding_import)
    page = Paginator(rejections, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(r.row_number, FIELD_LABELS.get(r.field, "Whole row"), r.reason) for r in page]
    done = shielding_import.status == ShieldingImport.Status.DONE
    counted = (
        shielding_import.created_count
        + shielding_import.updated_count
        + shielding_import.unchanged_count
        + shielding_import.rejected_count
    )
    return render(
        request,
        "support/imports/detail.html",
        {
            "shielding_import": shielding_import,
            "done": done,
            "page": page,
            "rows": rows,
            "blank_rows": max(shielding_import.processed_rows - counted, 0),
        },
    )


class _Echo:
    def write(self, value):
        return value


def _rejections_csv(shielding_import: ShieldingImport) -> StreamingHttpResponse:
    """Row, column and reason for every rejected row. No personal data is in it."""
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(["row", "field", "reason"])
        for rejection in shielding_import_rejections(shielding_import).iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    rejection.row_number,
                    FIELD_LABELS.get(rejection.field, "Whole row"),
                    rejection.reason,
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="shielding-import-{shielding_import.pk}-rejected-rows.csv"'
    )
    return response
