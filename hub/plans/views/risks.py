"""Placeholder: this journey is being built (see the plans issue)."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404("Not built yet")


register_list = register_add = register_detail = risk_add = risk_detail = risk_edit = _todo
