from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_queue_tally(sender, using, **kwargs):
    """After every ``migrate`` (and every test database flush), put the tally's triggers back
    and recount it: SQLite drops a table's triggers when a migration rebuilds the table."""
    from django.db import connections

    from hub.support import tally
    from hub.support.models import QueueTally

    connection = connections[using]
    if QueueTally._meta.db_table in connection.introspection.table_names():
        tally.install(connection)


class SupportConfig(AppConfig):
    name = "hub.support"
    label = "support"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        post_migrate.connect(_install_queue_tally, sender=self)
