"""Bring the database's planner statistics up to date.

PostgreSQL's autovacuum does this by itself; SQLite never does, and without statistics its
planner guesses how many rows each index holds and can pick a plan that reads every open
request where it needed fifty. Run this daily (with the other daily commands) and after a
large import. On a million requests it takes a few seconds.
"""

from django.core.management.base import BaseCommand
from django.db import connection


class Command(BaseCommand):
    help = "Refresh the query planner's statistics (ANALYZE)."

    def handle(self, *args, **options):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(f"Statistics refreshed ({connection.vendor}).")
