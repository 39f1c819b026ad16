"""Placeholder: this journey is being built (see the grants issue)."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404("Not built yet")


fund_list = fund_add = fund_detail = fund_edit = criteria = in_kind = _todo
