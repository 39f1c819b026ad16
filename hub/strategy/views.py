"""Reading the active strategy and, for its editors, changing it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from rules.contrib.views import permission_required

from hub.strategy import selectors, services
from hub.strategy.forms import ElementForm
from hub.strategy.models import Element

_view = permission_required("strategy.view_strategy", raise_exception=True)
_change = permission_required("strategy.change_strategy", raise_exception=True)


@login_required
@_view
def strategy_detail(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    strategy = selectors.get_strategy(slug) if slug else selectors.active_strategy()
    return render(
        request,
        "strategy/detail.html",
        {
            "strategy": strategy,
            "groups": selectors.elements_by_kind(strategy) if strategy else [],
            "others": selectors.strategy_list().exclude(pk=strategy.pk) if strategy else [],
            "can_change": request.user.has_perm("strategy.change_strategy"),
        },
    )


def _save_element(form: ElementForm) -> Element | None:
    if not form.is_valid():
        return None
    try:
        return services.element_save(element=form.save(commit=False))
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return None


@login_required
@_change
@require_http_methods(["GET", "POST"])
def element_edit(request: HttpRequest, pk: int) -> HttpResponse:
    element = selectors.get_element(pk)
    form = ElementForm(request.POST or None, instance=element)
    if request.method == "POST" and (saved := _save_element(form)):
        messages.success(request, f"‘{saved.name}’ has been updated")
        return redirect("strategy:by_slug", slug=saved.strategy.slug)
    return render(request, "strategy/element_form.html", {"form": form, "element": element})


@login_required
@_change
@require_http_methods(["GET", "POST"])
def element_add(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    strategy = selectors.get_strategy(slug)
    if kind not in Element.Kind.values:
        raise Http404("No such kind of element")
    element = Element(strategy=strategy, kind=kind)
    form = ElementForm(request.POST or None, instance=element)
    if request.method == "POST" and (saved := _save_element(form)):
        messages.success(request, f"‘{saved.name}’ has been added")
        return redirect("strategy:by_slug", slug=strategy.slug)
    return render(
        request,
        "strategy/element_form.html",
        {
            "form": form,
            "element": None,
            "strategy": strategy,
            "kind_label": Element.Kind(kind).label,
        },
    )


@login_required
@_change
@require_POST
def strategy_activate(request: HttpRequest, slug: str) -> HttpResponse:
    strategy = selectors.get_strategy(slug)
    services.strategy_activate(strategy=strategy)
    messages.success(request, f"The hub now works to ‘{strategy.name}’")
    return redirect("strategy:detail")
