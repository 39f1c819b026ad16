"""What each person sees on their home page: the modules their roles open to them."""

from django.urls import reverse

from hub.core.navigation import NAVIGATION

_DESCRIPTIONS = {
    "core:home": None,
    "support:queue": "Requests for help, soonest due first: triage, contact, refer and resolve.",
    "support:referral_inbox": "Referrals sent to your organisation: accept, decline or complete.",
    "support:gaps": "Needs not met, referrals declined or unanswered, and how long people wait.",
    "grants:fund_list": "Funds open for applications, what they are for, and how to apply.",
    "grants:assessor_queue": "Applications waiting for your scores, or for a decision.",
    "plans:plan_list": "The action plan: aims, actions, who leads them and how they are going.",
    "plans:register_list": "The risk register: impact and likelihood before and after mitigation.",
    "plans:board_list": "Boards, their meetings and the reports they receive (HTML and PDF).",
    "grants:figures": "Grants by priority, impact area, ward and type of organisation; balances.",
    "strategy:detail": "The recovery priorities, themes, impact areas and enablers we work to.",
    "places:area_list": "The district, its wards and neighbourhoods, on a map and in tables.",
    "organisations:list": "The council and partner organisations that run the hub together.",
    "accounts:people_list": "Who can sign in, and the roles they hold in each organisation.",
    "core:access_log": "Every view of a person's record: who, for which organisation, and when.",
}


def home_sections_for(request) -> list[dict]:
    user = request.user
    sections = []
    for item in NAVIGATION:
        description = _DESCRIPTIONS.get(item.url_name)
        if description is None:
            continue
        if item.permission and not user.has_perm(item.permission):
            continue
        sections.append(
            {"label": item.label, "url": reverse(item.url_name), "description": description}
        )
    return sections
