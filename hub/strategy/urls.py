from django.urls import path

from hub.strategy import views

app_name = "strategy"

urlpatterns = [
    path("", views.strategy_detail, name="detail"),
    path("elements/<int:pk>/edit/", views.element_edit, name="element_edit"),
    path("<slug:slug>/", views.strategy_detail, name="by_slug"),
    path("<slug:slug>/activate/", views.strategy_activate, name="activate"),
    path("<slug:slug>/add/<slug:kind>/", views.element_add, name="element_add"),
]
