"""What every API endpoint shares: the acting organisation and the permission layer."""

from rest_framework import permissions
from rest_framework.exceptions import ValidationError

from hub.organisations.acting import acting_for, attach

ACTING_HEADER = "X-Acting-Organisation"


class ActingMixin:
    """Work out who the caller acts for once they are authenticated (token or session).

    A token carries no session, so a caller who belongs to several organisations names
    one in the ``X-Acting-Organisation`` header (its id); otherwise their default is used.
    """

    def initial(self, request, *args, **kwargs):
        # Authenticate first, then set the acting context, and only then let DRF check
        # permissions (which read it).
        self.perform_authentication(request)
        self._set_acting(request)
        super().initial(request, *args, **kwargs)

    def _set_acting(self, request) -> None:
        requested = request.headers.get(ACTING_HEADER)
        organisation_id = None
        if requested:
            try:
                organisation_id = int(requested)
            except ValueError as exc:
                raise ValidationError({ACTING_HEADER: "must be an organisation id"}) from exc
        elif hasattr(request._request, "session"):
            from hub.organisations.acting import SESSION_KEY

            organisation_id = request._request.session.get(SESSION_KEY)
        acting = acting_for(request.user, organisation_id)
        if requested and (acting.organisation is None or acting.organisation.pk != organisation_id):
            raise ValidationError({ACTING_HEADER: "you do not belong to that organisation"})
        request.acting = acting
        attach(request.user, acting)


class HasRulePermission(permissions.BasePermission):
    """Checks the view's ``permission_required`` rule (and per object, ``object_permission``)."""

    def has_permission(self, request, view) -> bool:
        perm = getattr(view, "permission_required", None)
        return bool(request.user and request.user.is_authenticated) and (
            perm is None or request.user.has_perm(perm)
        )

    def has_object_permission(self, request, view, obj) -> bool:
        perm = getattr(view, "object_permission", None)
        return perm is None or request.user.has_perm(perm, obj)
