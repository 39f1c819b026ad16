"""Residents: creating and changing them, consent to share, duplicates and merging."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hub.places.postcodes import normalise_postcode, postcode_lookup
from hub.support.models import Consent, JourneyEvent, Resident
from hub.support.services.journey import journey_record
from hub.support.validation import normalise_nhs_number, normalise_phone, validate_date_of_birth

RESIDENT_FIELDS = {
    "first_name",
    "last_name",
    "date_of_birth",
    "nhs_number",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "phone",
    "phone_other",
    "email",
    "preferred_language",
    "communication_needs",
    "shielding",
    "lives_alone",
    "carer",
    "disability",
    "digitally_excluded",
    "young_person",
    "gp_practice",
    "gp_practice_code",
}


def _clean(resident: Resident) -> None:
    """Normalise and check every field, collecting all problems before raising."""
    errors: dict[str, list[str]] = {}

    def attempt(field, fn):
        try:
            setattr(resident, field, fn(getattr(resident, field)))
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.messages)

    resident.first_name = (resident.first_name or "").strip()
    resident.last_name = (resident.last_name or "").strip()
    if resident.nhs_number:
        attempt("nhs_number", normalise_nhs_number)
    else:
        resident.nhs_number = None
    attempt("phone", normalise_phone)
    attempt("phone_other", normalise_phone)
    if resident.postcode:
        try:
            resident.postcode = normalise_postcode(resident.postcode)
        except ValueError as exc:
            errors.setdefault("postcode", []).append(str(exc))
    try:
        validate_date_of_birth(resident.date_of_birth)
    except ValidationError as exc:
        errors.setdefault("date_of_birth", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    if resident.postcode:
        found = postcode_lookup(resident.postcode)
        resident.ward_id = found.ward_id if found else resident.ward_id
    if resident.nhs_number:
        clash = Resident.objects.filter(nhs_number=resident.nhs_number, merged_into__isnull=True)
        if resident.pk:
            clash = clash.exclude(pk=resident.pk)
        if clash.exists():
            raise ValidationError(
                {"nhs_number": "Another resident already has this NHS number: find them instead"}
            )
    # The NHS number constraint was checked above with a message people can act on; the
    # database still enforces it if two saves race.
    resident.full_clean(validate_unique=False, validate_constraints=False)


@transaction.atomic
def resident_create(*, actor, **fields) -> Resident:
    """A new resident, validated and placed in a ward by postcode."""
    unknown = set(fields) - RESIDENT_FIELDS
    if unknown:
        raise TypeError(f"unknown resident fields: {sorted(unknown)}")
    resident = Resident(**fields)
    _clean(resident)
    resident.save()
    return resident


@transaction.atomic
def resident_update(*, actor, resident: Resident, **fields) -> Resident:
    unknown = set(fields) - RESIDENT_FIELDS
    if unknown:
        raise TypeError(f"unknown resident fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(resident, name, value)
    _clean(resident)
    resident.save()
    return resident


@transaction.atomic
def consent_record(
    *,
    actor,
    resident: Resident,
    basis: str,
    how_given: str,
    partners=(),
    all_partners: bool = False,
    notes: str = "",
    given_at=None,
) -> Consent:
    """Record consent to share (with named partners, or all) or another lawful basis."""
    if basis == Consent.Basis.CONSENT and not all_partners and not partners:
        raise ValidationError(
            {"partners": "Choose the partners they agreed to share with, or all partners"}
        )
    if basis == Consent.Basis.CONSENT and how_given == Consent.How.NOT_APPLICABLE:
        raise ValidationError({"how_given": "Say how they gave their consent"})
    consent = Consent(
        resident=resident,
        basis=basis,
        how_given=how_given,
        all_partners=all_partners or basis != Consent.Basis.CONSENT,
        notes=notes,
        given_at=given_at or timezone.now(),
        recorded_by=actor,
    )
    # Nobody is signed in when a resident consents on the public form.
    consent.full_clean(exclude=[] if actor else ["recorded_by"])
    consent.save()
    if partners:
        consent.partners.set(partners)
    journey_record(
        resident=resident,
        kind=JourneyEvent.Kind.CONSENT,
        actor=actor,
        summary=f"{consent.get_basis_display()} recorded "
        f"({consent.get_how_given_display().lower()})",
    )
    return consent


def consent_allows(resident: Resident, organisation) -> bool:
    """Whether the resident's details may be sent to ``organisation``."""
    live = resident.consents.filter(withdrawn_at__isnull=True)
    return live.filter(Q(all_partners=True) | Q(partners=organisation)).exists()


def resident_duplicates(resident: Resident):
    """Other live residents who are probably the same person: same NHS number, else the same
    name, date of birth and postcode."""
    others = Resident.objects.filter(merged_into__isnull=True).exclude(pk=resident.pk)
    match = Q(pk__in=[])
    if resident.nhs_number:
        match |= Q(nhs_number=resident.nhs_number)
    if resident.date_of_birth and resident.postcode:
        match |= Q(
            first_name__iexact=resident.first_name,
            last_name__iexact=resident.last_name,
            date_of_birth=resident.date_of_birth,
            postcode=resident.postcode,
        )
    return others.filter(match)


@transaction.atomic
def residents_merge(*, actor, keep: Resident, duplicate: Resident) -> Resident:
    """Fold ``duplicate`` into ``keep``: requests, consents and journey move across, blank
    details are filled from the duplicate, and the duplicate is kept (marked merged) so its
    history stays readable."""
    if keep.pk == duplicate.pk:
        raise ValidationError("A resident cannot be merged with themselves")
    keep, duplicate = (
        Resident.objects.select_for_update().get(pk=keep.pk),
        Resident.objects.select_for_update().get(pk=duplicate.pk),
    )
    if duplicate.merged_into_id or keep.merged_into_id:
        raise ValidationError("One of these records has already been merged")
    for field in RESIDENT_FIELDS - {"nhs_number"}:
        if not getattr(keep, field) and getattr(duplicate, field):
            setattr(keep, field, getattr(duplicate, field))
    duplicate_nhs = duplicate.nhs_number
    duplicate.merged_into = keep
    duplicate.save()
    if not keep.nhs_number and duplicate_nhs:
        keep.nhs_number = duplicate_nhs
    keep.ward_id = keep.ward_id or duplicate.ward_id
    keep.save()
    duplicate.requests.update(resident=keep)
    duplicate.consents.update(resident=keep)
    duplicate.journey.update(resident=keep)
    journey_record(
        resident=keep,
        kind=JourneyEvent.Kind.MERGED,
        actor=actor,
        summary=f"Resident {duplicate.pk} merged into this record",
    )
    return keep
