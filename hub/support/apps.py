from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_queue_tally(sender, using, **kwargs):
    """After every ``migrate`` (and every test database flush), put the tally's triggers back
    and recount it: SQLite drops a table's triggers when a migration rebuilds the table."""
    from django.db import connections

    from hub.support import tally
    from hub.support.models import QueueNeedTally, QueueTally

    connection = connections[using]
    tables = connection.introspection.table_names()
    if QueueTally._meta.db_table in tables:
        tally.install(connection, needs=QueueNeedTally._meta.db_table in tables)


class SupportConfig(AppConfig):
    name = "hub.support"
    label = "support"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        post_migrate.connect(_install_queue_tally, sender=self)
