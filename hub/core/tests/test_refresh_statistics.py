"""``manage.py refresh_statistics`` gives the query planner statistics to plan with."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection


@pytest.mark.django_db
def test_the_planner_has_statistics_afterwards():
    from hub.places.models import Area

    Area.objects.create(code="E05000001", name="A ward", level=Area.Level.WARD)
    out = StringIO()
    call_command("refresh_statistics", stdout=out)
    assert f"Statistics refreshed ({connection.vendor})" in out.getvalue()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'places_area'")
            assert cursor.fetchone()[0] > 0
        else:
            # Never analysed reads -1; analysed (even empty) reads 0 or more.
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'places_area'")
            assert cursor.fetchone()[0] >= 0
