"""Placeholder: this journey is being built (see the grants issue)."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404("Not built yet")


figures = threesixty_json = threesixty_csv = _todo
