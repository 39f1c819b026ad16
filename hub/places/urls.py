from django.urls import path

from hub.places import views

app_name = "places"

urlpatterns = [
    path("", views.area_list, name="area_list"),
    # Before <code>/, which would otherwise take "postcode" for an area code.
    path("postcode/", views.postcode_lookup, name="postcode_lookup"),
    path("<str:code>/", views.area_detail, name="area_detail"),
]
