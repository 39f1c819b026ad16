"""Placeholder: this journey is being built (see the grants issue)."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404("Not built yet")


assessor_queue = score = assign = decide = _todo
