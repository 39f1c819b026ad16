from django.core.exceptions import ValidationError


class ConflictError(ValidationError):
    """Someone else changed the record first (for example, claimed the same referral)."""
