from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("hub.core.urls")),
    path("account/", include("hub.accounts.urls")),
    path("organisations/", include("hub.organisations.urls")),
    path("strategy/", include("hub.strategy.urls")),
    path("places/", include("hub.places.urls")),
    path("support/", include("hub.support.urls")),
    path("grants/", include("hub.grants.urls")),
    path("plans/", include("hub.plans.urls")),
    path("api/", include("hub.api.urls")),
    path("django-admin/", admin.site.urls),
]

handler403 = "hub.core.views.permission_denied"
handler404 = "hub.core.views.page_not_found"
handler500 = "hub.core.views.server_error"
