"""Reads for shielding-list imports: only the uploading organisation's coordinators who may
import see them, and the rejected rows never hold personal data."""

from django.db.models import QuerySet
from django.http import Http404

from hub.support.models import ShieldingImport, ShieldingImportRejection


def shielding_imports_visible_to(user) -> QuerySet[ShieldingImport]:
    acting = getattr(user, "acting", None)
    if acting is None or acting.organisation is None:
        return ShieldingImport.objects.none()
    if not user.has_perm("support.import_shielding"):
        return ShieldingImport.objects.none()
    return ShieldingImport.objects.filter(organisation=acting.organisation).select_related(
        "uploaded_by"
    )


def get_shielding_import_for_user(user, pk: int) -> ShieldingImport:
    """The import if ``user`` may see it; 404 otherwise."""
    try:
        return shielding_imports_visible_to(user).get(pk=pk)
    except ShieldingImport.DoesNotExist as exc:
        raise Http404("No such import") from exc


def shielding_import_rejections(shielding_import: ShieldingImport) -> QuerySet:
    return ShieldingImportRejection.objects.filter(shielding_import=shielding_import).order_by(
        "row_number", "field", "id"
    )
