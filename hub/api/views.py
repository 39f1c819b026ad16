"""Read-only reference data over the API: organisations, the active strategy, areas."""

from django.shortcuts import render
from drf_spectacular.generators import SchemaGenerator
from rest_framework import generics

from hub.api.base import ActingMixin, HasRulePermission
from hub.api.serializers import AreaSerializer, ElementSerializer, OrganisationSerializer
from hub.organisations.selectors import organisations_list
from hub.places.models import Area
from hub.strategy.selectors import active_elements


class OrganisationList(ActingMixin, generics.ListAPIView):
    """The council and its partner organisations."""

    permission_classes = [HasRulePermission]
    permission_required = "organisations.list_organisations"
    serializer_class = OrganisationSerializer

    def get_queryset(self):
        return organisations_list().prefetch_related("areas_served")


class OrganisationDetail(ActingMixin, generics.RetrieveAPIView):
    permission_classes = [HasRulePermission]
    permission_required = "organisations.view_organisation"
    serializer_class = OrganisationSerializer

    def get_queryset(self):
        return organisations_list().prefetch_related("areas_served")


class StrategyElementList(ActingMixin, generics.ListAPIView):
    """Priorities, themes, impact areas and enablers of the active strategy (filter ``kind``)."""

    permission_classes = [HasRulePermission]
    permission_required = "strategy.view_strategy"
    serializer_class = ElementSerializer
    pagination_class = None

    def get_queryset(self):
        return active_elements(self.request.query_params.get("kind") or None)


class AreaList(ActingMixin, generics.ListAPIView):
    """District, wards and LSOAs (filter ``level``), without boundaries."""

    permission_classes = [HasRulePermission]
    permission_required = "places.view_area"
    serializer_class = AreaSerializer

    def get_queryset(self):
        areas = Area.objects.select_related("parent").order_by("level", "code")
        level = self.request.query_params.get("level")
        return areas.filter(level=level) if level else areas


def docs(request):
    """A readable list of the API's endpoints, made from the OpenAPI schema itself."""
    schema = SchemaGenerator(patterns=None).get_schema(request=None, public=True)
    endpoints = []
    for path, operations in sorted(schema.get("paths", {}).items()):
        for method, operation in operations.items():
            endpoints.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": (operation.get("description") or "").split("\n")[0],
                }
            )
    return render(request, "api/docs.html", {"endpoints": endpoints, "info": schema["info"]})
