"""Areas, their maps, and the postcode finder. Every member may see these pages:
ONS area codes and boundaries are public data, so codes appear in URLs."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from rules.contrib.views import permission_required

from hub.places.forms import PostcodeLookupForm
from hub.places.maps import choropleth
from hub.places.models import Area
from hub.places.postcodes import postcode_lookup as find_postcode
from hub.places.selectors import area_get_by_code, areas_with_counts, postcode_counts_by_area


def _area_url(area: Area) -> str:
    return reverse("places:area_detail", args=[area.code])


@login_required
@permission_required("places.view_area", raise_exception=True)
@require_GET
def area_list(request: HttpRequest) -> HttpResponse:
    districts = list(areas_with_counts(level=Area.Level.DISTRICT))
    wards = list(areas_with_counts(level=Area.Level.WARD))
    ward_map = None
    if any(ward.boundary for ward in wards):
        ward_map = choropleth(
            areas=wards,
            values={ward.code: ward.child_count for ward in wards},
            title="Lower layer super output areas (LSOAs) in each ward",
            description=(
                "A map of the wards, shaded darker where a ward has more LSOAs, the small "
                "areas that deprivation statistics are published for. The table gives "
                "each ward's figure."
            ),
            unit="LSOAs",
            value_label="LSOAs",
            link=_area_url,
            id_prefix="wards-map",
        )
    return render(
        request,
        "places/area_list.html",
        {"districts": districts, "wards": wards, "ward_map": ward_map},
    )


@login_required
@permission_required("places.view_area", raise_exception=True)
@require_GET
def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    area = area_get_by_code(code=code)
    children = list(areas_with_counts(parent=area))
    children_map = None
    if any(child.boundary for child in children):
        children_map = choropleth(
            id_prefix="children-map", link=_area_url, **_children_map_figures(area, children)
        )
    return render(
        request,
        "places/area_detail.html",
        {"area": area, "children": children, "children_map": children_map},
    )


def _children_map_figures(area: Area, children: list[Area]) -> dict:
    """What to shade the children of ``area`` by: a real figure for each level."""
    if children[0].level == Area.Level.LSOA:
        # Postcodes record their ward, not their LSOA: count them by where they lie.
        counts = postcode_counts_by_area(ward=area, level=Area.Level.LSOA)
        return {
            "areas": children,
            "values": {child.code: counts.get(child.code, 0) for child in children},
            "title": f"Postcodes in each LSOA in {area.name}",
            "description": (
                f"A map of the lower layer super output areas (LSOAs) in {area.name}, "
                "shaded darker where more postcodes lie. The table gives each LSOA's figure."
            ),
            "unit": "postcodes",
            "value_label": "Postcodes",
        }
    return {
        "areas": children,
        "values": {child.code: child.child_count for child in children},
        "title": f"Smaller areas in each {children[0].get_level_display().lower()} in {area.name}",
        "description": (
            f"A map of the areas in {area.name}, shaded darker where an area is made up of "
            "more smaller areas (for a ward, its LSOAs). The table gives each area's figure."
        ),
        "unit": "areas",
        "value_label": "Smaller areas",
    }


@login_required
@permission_required("places.view_area", raise_exception=True)
@require_http_methods(["GET", "POST"])
def postcode_lookup(request: HttpRequest) -> HttpResponse:
    # A resident's postcode is personal data, so it travels in a POST body, never a URL
    # (which would land in logs, history and Referer headers).
    form = PostcodeLookupForm(request.POST if request.method == "POST" else None)
    found = None
    if request.method == "POST" and form.is_valid():
        found = find_postcode(form.cleaned_data["postcode"])
        if found is None:
            form.add_error("postcode", "We do not know that postcode")
        else:
            form = PostcodeLookupForm()  # ready for the next one
    return render(request, "places/postcode_lookup.html", {"form": form, "found": found})
