"""The triage queue: open requests by due time, with filters, counts and bulk assignment."""

from html import escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from hub.support import selectors, services
from hub.support.forms import BulkAssignForm, QueueFilterForm
from hub.support.models import SupportRequest

PAGE_SIZE = 50

# The queue's rows are written here rather than in the template: at 50 rows of a dozen
# values each, Django's template engine spent about 10 ms a page resolving, localising and
# escaping them. Every value from the database is escaped with ``html.escape`` (what
# Django's own ``escape`` calls); the fixed markup is ours.
_SELECT_CELL = (
    '<td class="govuk-table__cell"><div class="govuk-checkboxes govuk-checkboxes--small" '
    'data-module="govuk-checkboxes"><div class="govuk-checkboxes__item">'
    '<input class="govuk-checkboxes__input" id="select-{pk}" name="requests" type="checkbox" '
    'value="{pk}"><label class="govuk-label govuk-checkboxes__label" for="select-{pk}">'
    '<span class="govuk-visually-hidden">Select {reference}</span></label></div></div></td>'
)
_ROW = (
    '<tr class="govuk-table__row">{select}'
    '<td class="govuk-table__cell">{due}{overdue}</td>'
    '<td class="govuk-table__cell"><a class="govuk-link" href="{base}{pk}/">{reference}</a>'
    '<br><span class="govuk-body-s">{name}</span>{safeguarding}</td>'
    '<td class="govuk-table__cell">{needs}</td>'
    '<td class="govuk-table__cell">{ward}</td>'
    '<td class="govuk-table__cell">{organisation}{assignee}</td>'
    '<td class="govuk-table__cell"><strong class="govuk-tag {status_tag}">{status_label}</strong>'
    '<br><span class="govuk-body-s">{urgency_label}</span></td></tr>'
)
_OVERDUE = ' <strong class="govuk-tag govuk-tag--red">Overdue</strong>'
_SAFEGUARDING = ' <strong class="govuk-tag govuk-tag--red">Safeguarding</strong>'
_ASSIGNEE = '<br><span class="govuk-body-s">{}</span>'


def _table_rows(rows: list[dict], *, can_triage: bool, detail_base: str) -> str:
    html = []
    base = escape(detail_base)
    for r in rows:
        pk, reference = int(r["pk"]), escape(r["reference"])
        html.append(
            _ROW.format(
                select=_SELECT_CELL.format(pk=pk, reference=reference) if can_triage else "",
                due=escape(r["due"]),
                overdue=_OVERDUE if r["overdue"] else "",
                base=base,
                pk=pk,
                reference=reference,
                name=escape(r["name"]),
                safeguarding=_SAFEGUARDING if r["safeguarding"] else "",
                needs=escape(r["needs"]),
                ward=escape(r["ward"]),
                organisation=escape(r["organisation"]),
                assignee=_ASSIGNEE.format(escape(r["assignee"])) if r["assignee"] else "",
                status_tag=escape(r["status_tag"]),
                status_label=escape(r["status_label"]),
                urgency_label=escape(r["urgency_label"]),
            )
        )
    return mark_safe("".join(html))  # every value above was escaped


def end_of_day(now):
    """The last instant of ``now``'s day in the borough's time zone: call-backs are listed
    when due by then, however late in the day the queue is opened."""
    return timezone.localtime(now).replace(hour=23, minute=59, second=59, microsecond=999999)


def _filter_form(request: HttpRequest) -> QueueFilterForm:
    return QueueFilterForm(request.GET or None, **selectors.queue_filter_choices(request.user))


class _CountedPaginator(Paginator):
    """A paginator told how many rows there are, so it does not count them again."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


def _assign_form(filters: QueueFilterForm) -> BulkAssignForm:
    """The bulk assignment form as the queue shows it: its lists are the filters' own (the
    host's coordinators, the only people who assign, see every organisation and every
    caseworker there too), so they are not read twice."""
    form = BulkAssignForm(visible=SupportRequest.objects.none())
    form.fields["organisation"].widget.choices = [
        ("", "---------"),
        *filters.fields["organisation"].choices[1:],
    ]
    form.fields["assignee"].widget.choices = [
        ("", "Nobody yet"),
        *filters.fields["assignee"].choices[1:],
    ]
    return form


@login_required
@permission_required("support.view_queue", raise_exception=True)
def queue(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    filters = form.cleaned_data if form.is_valid() else {}
    now = timezone.now()
    # Read once for the page: for a partner it is a query for the requests referred to them.
    scope = selectors.queue_scope(request.user)
    listing = selectors.QueueListing(request.user, filters=filters, now=now, scope=scope)
    page = _CountedPaginator(range(listing.total), PAGE_SIZE, count=listing.total).get_page(
        request.GET.get("page")
    )
    rows = selectors.queue_table(
        listing.rows(offset=(page.number - 1) * PAGE_SIZE, limit=PAGE_SIZE), now=now
    )
    query = request.GET.copy()
    query.pop("page", None)
    can_triage = request.user.has_perm("support.triage")
    # One reverse() for the page rather than one per row.
    detail_base = reverse("support:request_detail", args=[0])[:-2]
    return render(
        request,
        "support/queue.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "table_rows": _table_rows(rows, can_triage=can_triage, detail_base=detail_base),
            "counts": listing.counts,
            "callbacks": selectors.callbacks_due(
                request.user,
                until=end_of_day(now),
                scope=scope,
            ),
            "query": query.urlencode(),
            "can_triage": can_triage,
            "assign_form": _assign_form(form) if can_triage else None,
            "detail_base": detail_base,
            "open_statuses": SupportRequest.OPEN_STATUSES,
            "filter_scope": selectors.queue_filter_scope(request.user),
        },
    )


@login_required
@permission_required("support.triage", raise_exception=True)
@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    form = BulkAssignForm(request.POST, visible=selectors.requests_visible_to(request.user))
    back = request.POST.get("back", "")
    # Back to the same filtered view; the filters are ids and codes, never personal data.
    target = reverse("support:queue") + (f"?{back}" if back and "//" not in back else "")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(target)
    try:
        changed = services.requests_bulk_assign(
            actor=request.user,
            request_ids=[r.pk for r in form.cleaned_data["requests"]],
            organisation=form.cleaned_data["organisation"],
            assignee=form.cleaned_data["assignee"],
        )
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
        return redirect(target)
    messages.success(
        request,
        f"{changed} request{'s' if changed != 1 else ''} assigned to "
        f"{form.cleaned_data['organisation']}",
    )
    return redirect(target)
