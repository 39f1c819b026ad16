"""The demo borough: every kind of organisation, a user for every role, loaded idempotently."""

from django.core.management import call_command

from hub.accounts.models import User
from hub.core.demo import load_demo
from hub.organisations.models import Membership, Organisation, Role
from hub.places.models import Area, Postcode
from hub.strategy.models import Strategy


def _counts():
    return (
        Area.objects.count(),
        Postcode.objects.count(),
        Organisation.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )


def test_it_creates_a_believable_borough(db):
    load_demo()
    assert Area.objects.filter(level="district").count() == 1
    assert Area.objects.filter(level="ward").count() == 16
    assert Area.objects.filter(level="lsoa", parent__level="ward").count() == 64
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(Organisation.Kind.values)
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert Strategy.objects.get(is_active=True).slug == "chesterfield-2020"
    assert Organisation.objects.filter(is_host=True).count() == 1
    assert all(p.ward_id for p in Postcode.objects.all()[:50])


def test_its_ward_shapes_do_not_overlap_and_contain_their_postcodes(db):
    from shapely.geometry import Point, shape

    load_demo()
    wards = {a.pk: shape(a.boundary) for a in Area.objects.filter(level="ward")}
    shapes = list(wards.values())
    overlap = sum(
        shapes[i].intersection(shapes[j]).area
        for i in range(len(shapes))
        for j in range(i + 1, len(shapes))
    )
    assert overlap < 1e-6 * sum(s.area for s in shapes)
    for postcode in Postcode.objects.all()[:100]:
        assert (
            wards[postcode.ward_id]
            .buffer(0.0005)
            .contains(Point(postcode.longitude, postcode.latitude))
        )


def test_loading_twice_adds_nothing(db):
    load_demo()
    before = _counts()
    result = load_demo()
    assert _counts() == before
    assert result.created == {}


def test_the_command_prints_the_demo_sign_ins(db, capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "alice@example.org" in out and "Board viewer" in out
    assert "password for all" in out
