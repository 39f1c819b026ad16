"""Set up Django on a fresh, throwaway database for a benchmark.

SQLite (default): a new file under /tmp. PostgreSQL: pass ``--database-url
postgres://…/anything``; a fresh database named after the scenario is created on that
server (and dropped first if it exists), so the benchmark never touches real data.
"""

import os
from pathlib import Path
from urllib.parse import urlparse, urlunparse


def fresh_database(*, name: str, database_url: str | None, fresh: bool = True) -> str:
    if database_url and database_url.startswith("postgres"):
        import psycopg

        parsed = urlparse(database_url)
        admin = urlunparse(parsed._replace(path="/postgres"))
        if fresh:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
                connection.execute(f'CREATE DATABASE "{name}"')
        return urlunparse(parsed._replace(path=f"/{name}"))
    path = Path("/tmp") / f"{name}.sqlite3"
    for suffix in ("", "-wal", "-shm") if fresh else ():
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def setup(*, name: str, database_url: str | None, fresh: bool = True) -> str:
    """Point Django at a fresh database (or the last one, ``fresh=False``), migrate it, and
    return its URL."""
    url = fresh_database(name=name, database_url=database_url, fresh=fresh)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.base")
    os.environ.setdefault("DEMO_MODE", "false")
    os.environ.setdefault("REQUIRE_2FA", "false")  # benchmarks sign in with force_login
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return url
