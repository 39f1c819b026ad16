"""The service navigation: one entry per module, shown to those allowed to use it.

A module adds itself here when it lands; the entry's permission is a rule from the
permission layer, so the navigation never offers a page that would refuse you.
"""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | None
    prefix: str | tuple[str, ...]


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Home", "core:home", None, "/home/"),
    NavItem(
        "Requests",
        "support:queue",
        "support.view_queue",
        ("/support/queue/", "/support/requests/", "/support/residents/", "/support/imports/"),
    ),
    NavItem("Referrals", "support:referral_inbox", "support.view_referrals", "/support/referrals/"),
    NavItem("Gaps", "support:gaps", "support.view_gaps", ("/support/gaps", "/support/gaps.csv")),
    NavItem("Strategy", "strategy:detail", "strategy.view_strategy", "/strategy/"),
    NavItem("Places", "places:area_list", "places.view_area", "/places/"),
    NavItem(
        "Organisations",
        "organisations:list",
        "organisations.list_organisations",
        "/organisations/",
    ),
    NavItem("People", "accounts:people_list", "accounts.manage_people", "/account/people/"),
    NavItem("Access log", "core:access_log", "core.view_access_log", "/access-log/"),
)


def navigation_for(request) -> list[dict]:
    user = request.user
    if not user.is_authenticated:
        return []
    items = []
    for item in NAVIGATION:
        if item.permission and not user.has_perm(item.permission):
            continue
        items.append(
            {
                "label": item.label,
                "url": reverse(item.url_name),
                "active": request.path.startswith(item.prefix),
            }
        )
    return items
