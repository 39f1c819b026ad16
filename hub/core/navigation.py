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
    NavItem(
        "Grants",
        "grants:fund_list",
        "grants.view_funds",
        (
            "/grants/$",
            "/grants/funds/",
            "/grants/applications/",
            "/grants/awards/",
            "/grants/figures/",
            "/grants/reports/",
            "/grants/monitoring/",
        ),
    ),
    NavItem("Assess", "grants:assessor_queue", "grants.assess_or_decide", "/grants/assess/"),
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


def _matches(path: str, prefixes: str | tuple[str, ...]) -> bool:
    """A prefix ending in ``$`` must match the whole path; any other matches its start."""
    for prefix in (prefixes,) if isinstance(prefixes, str) else prefixes:
        if prefix.endswith("$") and path == prefix[:-1]:
            return True
        if not prefix.endswith("$") and path.startswith(prefix):
            return True
    return False


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
                "active": _matches(request.path, item.prefix),
            }
        )
    return items
