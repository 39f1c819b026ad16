"""Placeholder: this journey is being built (see the plans issue)."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404("Not built yet")


board_list = board_add = board_detail = meeting_add = report_start = report_detail = _todo
report_edit = report_issue = report_pdf = _todo
