"""The service navigation: one entry per module, shown to those allowed to use it.

A module adds itself here when it lands; the entry's permission is a rule from the
permission layer, so the navigation never offers a page that would refuse you.
"""

from dataclasses import dataclass
from functools import cache

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
        "/grants/",
    ),
    NavItem("Assess", "grants:assessor_queue", "grants.assess_or_decide", "/grants/assess/"),
    NavItem("Grants in figures", "grants:figures", "grants.view_reports", "/grants/figures/"),
    NavItem(
        "Plans",
        "plans:plan_list",
        "plans.view_plans",
        "/plans/",
    ),
    NavItem("Risks", "plans:register_list", "plans.view_risks", "/plans/risks/"),
    NavItem(
        "Boards",
        "plans:board_list",
        "plans.view_boards",
        ("/plans/boards/", "/plans/meetings/", "/plans/reports/"),
    ),
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


def _match_length(path: str, prefixes: str | tuple[str, ...]) -> int:
    """How long the longest of ``prefixes`` that starts ``path`` is (0 for none)."""
    options = (prefixes,) if isinstance(prefixes, str) else prefixes
    return max((len(p) for p in options if path.startswith(p)), default=0)


@cache
def _url(url_name: str) -> str:
    """Each entry's address, worked out once per process (they take no arguments)."""
    return reverse(url_name)


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
                "url": _url(item.url_name),
                "match": _match_length(request.path, item.prefix),
            }
        )
    # The entry with the longest matching prefix is the current one ("/grants/assess/" is
    # Assess, not Grants).
    best = max((i["match"] for i in items), default=0)
    for item in items:
        item["active"] = best > 0 and item.pop("match") == best
        item.pop("match", None)
    return items
