from hub.organisations.acting import acting_for
from hub.organisations.models import Role
from hub.testing.factories import MembershipFactory


def test_it_acts_for_the_host_first_with_the_roles_held_there(alice, council, partner):
    MembershipFactory(user=alice, organisation=partner, role=Role.CASEWORKER)
    acting = acting_for(alice, None)
    assert acting.organisation == council
    assert acting.roles == {Role.COORDINATOR}
    assert [o.name for o in acting.organisations] == [council.name, partner.name]


def test_it_acts_for_the_chosen_organisation_only_if_the_person_belongs(
    alice, partner, outsider_org
):
    MembershipFactory(user=alice, organisation=partner, role=Role.CASEWORKER)
    assert acting_for(alice, partner.pk).organisation == partner
    assert acting_for(alice, partner.pk).roles == {Role.CASEWORKER}
    assert acting_for(alice, outsider_org.pk).organisation != outsider_org


def test_it_gives_no_organisation_to_someone_whose_roles_have_ended(bob):
    bob.memberships.update(is_active=False)
    acting = acting_for(bob, None)
    assert acting.organisation is None and not acting.roles


def test_it_remembers_the_last_organisation_chosen(alice, partner):
    MembershipFactory(user=alice, organisation=partner, role=Role.CASEWORKER)
    alice.last_organisation = partner
    alice.save()
    assert acting_for(alice, None).organisation == partner
