from django.urls import include, path

from hub.grants.views import applications, assessment, awards, funds, publishing

app_name = "grants"

urlpatterns = [
    # Funds (grants officers manage; every member can read open funds).
    path("", funds.fund_list, name="fund_list"),
    path("funds/add/", funds.fund_add, name="fund_add"),
    path("funds/<int:pk>/", funds.fund_detail, name="fund_detail"),
    path("funds/<int:pk>/edit/", funds.fund_edit, name="fund_edit"),
    path("funds/<int:pk>/criteria/", funds.criteria, name="fund_criteria"),
    path("funds/<int:pk>/in-kind/", funds.in_kind, name="fund_in_kind"),
    # Applying (partner organisations), multi-page with save and return.
    path("applications/", applications.application_list, name="application_list"),
    path("funds/<int:fund_pk>/apply/", applications.application_start, name="application_start"),
    path("applications/<int:pk>/", applications.application_detail, name="application_detail"),
    path(
        "applications/<int:pk>/<slug:section>/",
        applications.application_section,
        name="application_section",
    ),
    path("documents/<int:pk>/", applications.document_download, name="document_download"),
    # Assessment and decisions.
    path("assess/", assessment.assessor_queue, name="assessor_queue"),
    path("applications/<int:pk>/assess/score/", assessment.score, name="score"),
    path("applications/<int:pk>/assess/assign/", assessment.assign, name="assign"),
    path("applications/<int:pk>/assess/decide/", assessment.decide, name="decide"),
    # Awards, payments, monitoring, ledger.
    path("awards/", awards.award_list, name="award_list"),
    path("awards/<int:pk>/", awards.award_detail, name="award_detail"),
    path("awards/<int:pk>/<slug:action>/", awards.award_action, name="award_action"),
    path("funds/<int:pk>/ledger/", awards.ledger, name="ledger"),
    # Monitoring: /grants/monitoring/…, /grants/reports/<pk>/…
    path("", include("hub.grants.urls_monitoring")),
    # Publishing and figures.
    path("figures/", publishing.figures, name="figures"),
    path("360giving.json", publishing.threesixty_json, name="360giving_json"),
    path("360giving.csv", publishing.threesixty_csv, name="360giving_csv"),
]
