"""Action plans and progress updates; included from ``hub.api.urls`` under ``v1/``."""

from django.urls import path

from hub.api import plans_views as views

urlpatterns = [
    path("plans/", views.PlanList.as_view(), name="plans_plan_list"),
    path("plans/<slug:slug>/actions/", views.PlanActionList.as_view(), name="plans_action_list"),
    path("actions/updates/", views.BulkProgress.as_view(), name="plans_action_updates_bulk"),
    path("actions/<int:pk>/updates/", views.ActionProgress.as_view(), name="plans_action_updates"),
]
