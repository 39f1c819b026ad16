"""Background work for support, run by django-tasks (``manage.py db_worker``)."""

from django_tasks import task

from hub.support.models import ShieldingImport
from hub.support.services.shielding import shielding_import_run


@task()
def run_shielding_import(import_id: int) -> dict[str, int]:
    """Run (or carry on) a confirmed shielding-list import. Returns its counts; the import
    row holds them too, with any error."""
    done = shielding_import_run(shielding_import=ShieldingImport.objects.get(pk=import_id))
    return {
        "processed": done.processed_rows,
        "created": done.created_count,
        "updated": done.updated_count,
        "unchanged": done.unchanged_count,
        "rejected": done.rejected_count,
    }
