"""Monitoring pages. Included into ``hub.grants.urls`` (namespace ``grants``) with
``path("", include("hub.grants.urls_monitoring"))``, in place of its ``reports/<pk>/`` line."""

from django.urls import path

from hub.grants.views import monitoring

urlpatterns = [
    path("monitoring/", monitoring.monitoring_list, name="monitoring_list"),
    path(
        "monitoring/awards/<int:pk>/",
        monitoring.monitoring_schedule,
        name="monitoring_schedule",
    ),
    path("reports/<int:pk>/", monitoring.monitoring_report, name="monitoring_report"),
    path("reports/<int:pk>/accept/", monitoring.monitoring_accept, name="monitoring_accept"),
]
