"""The shared test base: fixed organisations and people every app's tests use.

- alice: hub coordinator at the council (the host organisation)
- bob: caseworker at Northfield Food Bank, a partner
- charlie: caseworker at Hollowbrook Boxing Club, an unrelated organisation
- dora: board viewer at the council (aggregates only)
- ada: administrator at the council; dan: data protection officer at the council
"""

import pytest
from django.test import Client

from hub.organisations.models import Organisation, Role
from hub.testing.factories import MembershipFactory, OrganisationFactory, UserFactory


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: pages keep short-lived lists there (the triage
    queue's filters), which a test's own rows, rolled back, must not outlive."""
    from django.core.cache import cache

    cache.clear()


pytest_plugins = ["hub.testing.browser"]

PASSWORD = "correct horse battery"


@pytest.fixture
def council(db):
    return OrganisationFactory(
        name="Ashworth Borough Council", kind=Organisation.Kind.COUNCIL, is_host=True
    )


@pytest.fixture
def partner(db):
    return OrganisationFactory(
        name="Northfield Food Bank", kind=Organisation.Kind.VCS, charity_number="1123456"
    )


@pytest.fixture
def outsider_org(db):
    return OrganisationFactory(name="Hollowbrook Boxing Club", kind=Organisation.Kind.VCS)


def _person(email: str, name: str, organisation, role: str):
    user = UserFactory(email=email, full_name=name)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def alice(council):
    return _person("alice@example.org", "Alice Ashworth", council, Role.COORDINATOR)


@pytest.fixture
def bob(partner):
    return _person("bob@example.org", "Bob Baker", partner, Role.CASEWORKER)


@pytest.fixture
def charlie(outsider_org):
    return _person("charlie@example.org", "Charlie Clarke", outsider_org, Role.CASEWORKER)


@pytest.fixture
def dora(council):
    return _person("dora@example.org", "Dora Dale", council, Role.BOARD_VIEWER)


@pytest.fixture
def ada(council):
    return _person("ada@example.org", "Ada Adeyemi", council, Role.ADMINISTRATOR)


@pytest.fixture
def dan(council):
    return _person("dan@example.org", "Dan Dosanjh", council, Role.DATA_PROTECTION_OFFICER)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend="hub.accounts.backends.HubModelBackend")
    return client


@pytest.fixture
def alice_client(alice):
    return signed_in(alice)


@pytest.fixture
def bob_client(bob):
    return signed_in(bob)


@pytest.fixture
def charlie_client(charlie):
    return signed_in(charlie)


@pytest.fixture
def dora_client(dora):
    return signed_in(dora)


@pytest.fixture
def ada_client(ada):
    return signed_in(ada)


@pytest.fixture
def dan_client(dan):
    return signed_in(dan)
