from rest_framework import serializers

from hub.organisations.models import Organisation
from hub.places.models import Area
from hub.strategy.models import Element


class OrganisationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    areas_served = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "charity_number",
            "company_number",
            "ods_code",
            "email",
            "phone",
            "website",
            "areas_served",
            "active_from",
            "active_until",
        ]


class ElementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Element
        fields = ["id", "kind", "slug", "name", "description", "position"]


class AreaSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Area
        fields = ["code", "name", "level", "parent", "centroid_lat", "centroid_lon"]
