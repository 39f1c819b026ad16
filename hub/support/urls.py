from django.urls import path

from hub.support.views import gaps, imports, intake, public, referrals, requests, residents, triage

app_name = "support"

urlpatterns = [
    # Public: no sign-in.
    path("get-help/", public.start, name="get_help"),
    path("get-help/<slug:step>/", public.step, name="get_help_step"),
    # Staff.
    path("queue/", triage.queue, name="queue"),
    path("queue/assign/", triage.bulk_assign, name="bulk_assign"),
    path("requests/new/", intake.intake, name="intake"),
    path("requests/<int:pk>/", requests.detail, name="request_detail"),
    path("requests/<int:pk>/triage/", requests.triage, name="request_triage"),
    path("requests/<int:pk>/status/", requests.status, name="request_status"),
    path("requests/<int:pk>/contacts/", requests.contact_add, name="contact_add"),
    path("requests/<int:pk>/notes/", requests.note_add, name="note_add"),
    path(
        "requests/<int:pk>/needs/<int:need_pk>/outcome/", requests.need_outcome, name="need_outcome"
    ),
    path("requests/<int:pk>/needs/<int:need_pk>/refer/", requests.refer, name="refer"),
    path("residents/", residents.search, name="resident_search"),
    path("residents/<int:pk>/", residents.detail, name="resident_detail"),
    path("residents/<int:pk>/consent/", residents.consent, name="consent_add"),
    path("residents/<int:pk>/merge/<int:other_pk>/", residents.merge, name="resident_merge"),
    path("referrals/", referrals.inbox, name="referral_inbox"),
    path("referrals/<int:pk>/", referrals.detail, name="referral_detail"),
    path("referrals/<int:pk>/<slug:action>/", referrals.act, name="referral_act"),
    path("gaps/", gaps.gaps, name="gaps"),
    path("gaps.csv", gaps.gaps_csv, name="gaps_csv"),
    path("imports/", imports.imports, name="imports"),
    path("imports/<int:pk>/", imports.import_detail, name="import_detail"),
]
