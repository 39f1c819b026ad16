"""Support requests and referrals; included from ``hub.api.urls`` under ``v1/``."""

from django.urls import path

from hub.api import support_views as views

urlpatterns = [
    path("requests/", views.RequestListCreate.as_view(), name="support_request_list"),
    path("requests/<int:pk>/", views.RequestDetail.as_view(), name="support_request_detail"),
    path("referrals/", views.ReferralList.as_view(), name="support_referral_list"),
    path("referrals/<int:pk>/", views.ReferralDetail.as_view(), name="support_referral_detail"),
    path(
        "referrals/<int:pk>/accept/",
        views.ReferralAccept.as_view(),
        name="support_referral_accept",
    ),
    path(
        "referrals/<int:pk>/decline/",
        views.ReferralDecline.as_view(),
        name="support_referral_decline",
    ),
    path(
        "referrals/<int:pk>/complete/",
        views.ReferralComplete.as_view(),
        name="support_referral_complete",
    ),
]
