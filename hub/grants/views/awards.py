"""Placeholder: this journey is being built (see the grants issue)."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404("Not built yet")


award_list = award_detail = award_action = ledger = monitoring_report = _todo
