"""Placeholder: this journey is being built (see the support issue)."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404("Not built yet")


search = detail = consent = merge = _todo
