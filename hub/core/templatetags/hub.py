from django import template

from hub.core.forms import widget_kind as _widget_kind

register = template.Library()


@register.filter
def widget_kind(bound_field) -> str:
    return _widget_kind(bound_field.field.widget)


@register.simple_tag(takes_context=True)
def can(context, perm: str, obj=None) -> bool:
    """``{% can "organisations.change_organisation" org as allowed %}``"""
    user = context["request"].user
    return user.has_perm(perm, obj)


@register.filter
def pence_as_pounds(pence: int | None) -> str:
    if pence is None:
        return ""
    return f"£{pence / 100:,.2f}"
