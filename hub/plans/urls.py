from django.urls import path

from hub.plans.views import actions, boards, risks

app_name = "plans"

urlpatterns = [
    # Action plans.
    path("", actions.plan_list, name="plan_list"),
    path("add/", actions.plan_add, name="plan_add"),
    path("import/", actions.plan_import, name="plan_import"),
    path("overdue/", actions.overdue, name="overdue"),
    path("progress/upload/", actions.progress_upload, name="progress_upload"),
    path("actions/<int:pk>/", actions.action_detail, name="action_detail"),
    path("actions/<int:pk>/edit/", actions.action_edit, name="action_edit"),
    path("actions/<int:pk>/update/", actions.action_update, name="action_update"),
    # Risk registers.
    path("risks/", risks.register_list, name="register_list"),
    path("risks/add/", risks.register_add, name="register_add"),
    path("risks/<slug:slug>/", risks.register_detail, name="register_detail"),
    path("risks/<slug:slug>/add/", risks.risk_add, name="risk_add"),
    path("risks/item/<int:pk>/", risks.risk_detail, name="risk_detail"),
    path("risks/item/<int:pk>/edit/", risks.risk_edit, name="risk_edit"),
    # Boards, meetings and reports.
    path("boards/", boards.board_list, name="board_list"),
    path("boards/add/", boards.board_add, name="board_add"),
    path("boards/<slug:slug>/", boards.board_detail, name="board_detail"),
    path("boards/<slug:slug>/meetings/add/", boards.meeting_add, name="meeting_add"),
    path("meetings/<int:pk>/report/", boards.report_start, name="report_start"),
    path("reports/<int:pk>/", boards.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", boards.report_edit, name="report_edit"),
    path("reports/<int:pk>/issue/", boards.report_issue, name="report_issue"),
    path("reports/<int:pk>/report.pdf", boards.report_pdf, name="report_pdf"),
    # Last: a plan's slug would otherwise swallow "risks/" and "boards/".
    path("<slug:slug>/", actions.plan_detail, name="plan_detail"),
    path("<slug:slug>/actions/add/", actions.action_add, name="action_add"),
]
