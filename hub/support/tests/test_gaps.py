"""Gaps: unmet needs, failed referrals and waiting times, on a page and as CSV."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hub.places.models import Area
from hub.support import services
from hub.support.gaps import gaps_report
from hub.support.models import SupportRequest
from hub.testing.factories import as_actor


@pytest.fixture
def history(support_request, referral, alice, bob, partner):
    """One request contacted after 2 hours and resolved after 26; its food referral declined."""
    ward = Area.objects.create(code="E05000077", name="Brookside", level="ward")
    created = timezone.now() - timedelta(hours=30)
    SupportRequest.objects.filter(pk=support_request.pk).update(ward=ward, created_at=created)
    services.contact_log(
        actor=as_actor(alice),
        request=support_request,
        direction="out",
        outcome="answered",
        at=created + timedelta(hours=2),
    )
    services.referral_decline(actor=as_actor(bob), referral=referral, reason="No capacity")
    actor = as_actor(alice)
    for need in support_request.needs.all():
        services.need_record_outcome(actor=actor, need=need, status="unmet", outcome="Nobody")
    services.request_set_status(actor=actor, request=support_request, status="resolved")
    SupportRequest.objects.filter(pk=support_request.pk).update(
        resolved_at=created + timedelta(hours=26)
    )
    return support_request


def test_it_counts_unmet_needs_declined_referrals_and_waiting_times(history):
    report = gaps_report()
    food = next(r for r in report.by_need if r.key == "emergency_food")
    assert (food.needs, food.unmet, food.declined, food.expired) == (1, 1, 1, 0)
    assert food.hours_to_first_contact == 2.0
    assert food.hours_to_resolution == 26.0
    ward = next(r for r in report.by_ward if r.label == "Brookside")
    assert ward.needs == 2 and ward.unmet == 2


def test_it_lists_open_needs_in_wards_no_partner_takes(support_request, partner):
    ward = Area.objects.create(code="E05000078", name="Castle", level="ward")
    SupportRequest.objects.filter(pk=support_request.pk).update(ward=ward)
    report = gaps_report()
    assert ("Castle", "Emergency food", 1) in report.uncovered


def test_date_filters_narrow_the_report(history):
    tomorrow = (timezone.now() + timedelta(days=1)).date()
    assert gaps_report(since=tomorrow).by_need == []


@pytest.mark.parametrize("who", ["alice", "dora"])
def test_coordinators_and_board_viewers_read_the_gaps(request, who, history):
    client = request.getfixturevalue(f"{who}_client")
    page = client.get(reverse("support:gaps")).content.decode()
    assert "Gaps in support" in page and "Emergency food" in page
    assert "Rose" not in page  # aggregates only


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_caseworkers_do_not_get_the_borough_wide_figures(request, who):
    client = request.getfixturevalue(f"{who}_client")
    assert client.get(reverse("support:gaps")).status_code == 403


def test_the_csv_has_the_same_figures(alice_client, history):
    response = alice_client.get(reverse("support:gaps_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "dimension"
    food = next(r for r in rows if r[0] == "need" and r[1] == "Emergency food")
    assert food[2:7] == ["1", "0", "1", "1", "0"]
    assert food[7] == "2.0"


def test_the_page_costs_a_fixed_number_of_queries(
    alice_client, history, django_assert_max_num_queries
):
    with django_assert_max_num_queries(16):
        alice_client.get(reverse("support:gaps"))


def test_a_bad_date_is_named(alice_client):
    response = alice_client.get(reverse("support:gaps"), {"since": "99/99/2026"})
    assert 'href="#id_since"' in response.content.decode()
