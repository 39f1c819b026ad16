"""Resident record, search, consent, journey and merging."""

from django.urls import reverse

from hub.core.models import AccessLogEntry
from hub.support import services
from hub.support.models import Consent, Resident
from hub.testing.factories import as_actor


def test_the_coordinator_reads_the_record_and_the_journey_with_gaps(
    alice_client, support_request, referral
):
    resident = support_request.resident
    response = alice_client.get(reverse("support:resident_detail", args=[resident.pk]))
    page = response.content.decode()
    assert "Asked for help" in page and "Referred" in page and "Consent recorded" in page
    events = response.context["events"]
    assert events[0].gap == "" and all(e.gap for e in events[1:])
    assert AccessLogEntry.objects.filter(object_id=str(resident.pk)).count() == 1


def test_a_partner_with_only_a_referral_cannot_open_the_full_record(bob_client, referral):
    resident = referral.need.request.resident
    assert bob_client.get(reverse("support:resident_detail", args=[resident.pk])).status_code == 403


def test_outsiders_get_not_found(charlie_client, resident, support_request):
    response = charlie_client.get(reverse("support:resident_detail", args=[resident.pk]))
    assert response.status_code in (403, 404)


def test_search_is_by_post_and_finds_by_reference_nhs_number_and_name(
    alice_client, support_request
):
    url = reverse("support:resident_search")
    for query in (support_request.reference.lower(), "401 023 2137", "rose tyl"):
        response = alice_client.post(url, {"q": query})
        assert [r.pk for r in response.context["results"]] == [support_request.resident_id], query
    assert alice_client.get(url, {"q": "rose"}).context["results"] is None


def test_search_only_finds_residents_the_user_may_see(charlie_client, support_request):
    response = charlie_client.post(reverse("support:resident_search"), {"q": "Rose"})
    assert response.context["results"] == []


def test_recording_consent_and_naming_the_missing_choice(alice_client, resident, partner):
    url = reverse("support:consent_add", args=[resident.pk])
    bad = alice_client.post(url, {"basis": "consent", "how_given": "verbal"})
    assert bad.status_code == 400 and 'href="#id_partners_0"' in bad.content.decode()
    alice_client.post(url, {"basis": "consent", "how_given": "verbal", "partners": [partner.pk]})
    assert Consent.objects.get(resident=resident).partners.get() == partner


def test_the_coordinator_merges_duplicates(alice_client, alice, resident):
    duplicate = services.resident_create(
        actor=as_actor(alice), first_name="Rose", last_name="Tyler", email="rose@example.org"
    )
    url = reverse("support:resident_merge", args=[resident.pk, duplicate.pk])
    assert "Merge these records?" in alice_client.get(url).content.decode()
    assert alice_client.post(url).status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == resident
    again = alice_client.post(url)
    assert again.status_code == 404  # the merged record is no longer a live resident


def test_merging_a_record_with_itself_is_explained(alice_client, resident):
    response = alice_client.post(reverse("support:resident_merge", args=[resident.pk, resident.pk]))
    assert response.status_code == 400
    assert "cannot be merged with themselves" in response.content.decode()
    assert Resident.objects.get().merged_into is None


def test_partners_cannot_merge(bob_client, resident, referral):
    url = reverse("support:resident_merge", args=[resident.pk, resident.pk])
    assert bob_client.post(url).status_code == 403
