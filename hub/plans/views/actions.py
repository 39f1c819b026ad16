"""Placeholder: this journey is being built (see the plans issue)."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404("Not built yet")


plan_list = plan_add = plan_import = overdue = progress_upload = plan_detail = _todo
action_add = action_detail = action_edit = action_update = _todo
