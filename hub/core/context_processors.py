from django.conf import settings

from hub.core.navigation import navigation_for


def hub(request) -> dict:
    return {
        "hub_council_name": settings.HUB_COUNCIL_NAME,
        "hub_service_name": settings.HUB_SERVICE_NAME,
        "hub_logo_url": settings.HUB_LOGO_URL,
        "hub_demo_mode": settings.DEMO_MODE,
        "hub_contact_email": settings.HUB_CONTACT_EMAIL,
        "hub_navigation": navigation_for(request),
        "acting": getattr(request, "acting", None),
    }
