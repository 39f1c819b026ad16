"""Placeholder: this journey is being built (see the grants issue)."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404("Not built yet")


application_list = application_start = application_detail = application_section = _todo
document_download = _todo
