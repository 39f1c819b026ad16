from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from hub.api import views

app_name = "api"

urlpatterns = [
    path("", views.docs, name="docs"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("v1/organisations/", views.OrganisationList.as_view(), name="organisation_list"),
    path(
        "v1/organisations/<int:pk>/", views.OrganisationDetail.as_view(), name="organisation_detail"
    ),
    path("v1/strategy/elements/", views.StrategyElementList.as_view(), name="element_list"),
    path("v1/areas/", views.AreaList.as_view(), name="area_list"),
    path("v1/", include("hub.api.support_urls")),
    path("v1/", include("hub.api.plans_urls")),
]
