def test_fixtures_build_a_referral(referral, partner):
    assert referral.to_organisation == partner
    assert referral.need.status == "referred"
    assert referral.need.request.resident.journey.count() >= 3
