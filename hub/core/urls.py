from django.urls import path

from hub.core import views

app_name = "core"

urlpatterns = [
    path("", views.start, name="start"),
    path("home/", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("access-log/", views.access_log, name="access_log"),
    path("healthz", views.healthz, name="healthz"),
]
