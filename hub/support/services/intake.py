"""Opening a request from outside the case flow: the public "Get help" form and the staff
intake form for calls. Each is one transaction: the resident, their consent and the
request are saved together or not at all."""

from django.core.exceptions import ValidationError
from django.db import transaction

from hub.support.models import Consent, Resident, SupportRequest
from hub.support.selectors import sees_everything
from hub.support.services.requests import request_create, request_triage
from hub.support.services.residents import consent_record, resident_create, resident_duplicates

PUBLIC_RESIDENT_FIELDS = {
    "first_name",
    "last_name",
    "date_of_birth",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "phone",
    "email",
}

INTAKE_CHANNELS = (
    SupportRequest.Channel.PHONE,
    SupportRequest.Channel.EMAIL,
    SupportRequest.Channel.PARTNER_REFERRAL,
    SupportRequest.Channel.GP_REFERRAL,
    SupportRequest.Channel.OUTREACH,
)

# What the call handler records about sharing: consent to share with all partners,
# nothing yet, or a lawful basis that needs no consent.
SHARING_CONSENT = "consent"
SHARING_NONE = "none"
SHARING_BASES = (Consent.Basis.VITAL_INTERESTS, Consent.Basis.PUBLIC_TASK)


@transaction.atomic
def get_help_submit(
    *,
    resident: dict,
    needs: list[str],
    details: str = "",
    share: bool,
    on_behalf: dict | None = None,
) -> SupportRequest:
    """A request from the public form: always a new resident (coordinators match
    duplicates later), consent to share with all partners if they said yes, and the
    request by web. No actor: nobody is signed in."""
    unknown = set(resident) - PUBLIC_RESIDENT_FIELDS
    if unknown:
        raise TypeError(f"the public form does not collect {sorted(unknown)}")
    on_behalf = on_behalf or {}
    person = resident_create(actor=None, **resident)
    if share:
        consent_record(
            actor=None,
            resident=person,
            basis=Consent.Basis.CONSENT,
            how_given=Consent.How.REPRESENTATIVE if on_behalf else Consent.How.ONLINE,
            all_partners=True,
            notes="Given on the online form"
            + (" by the person asking on their behalf" if on_behalf else ""),
        )
    return request_create(
        actor=None,
        resident=person,
        channel=SupportRequest.Channel.WEB,
        needs=[(category, "") for category in needs],
        summary=details,
        on_behalf_name=on_behalf.get("name", ""),
        on_behalf_relationship=on_behalf.get("relationship", ""),
        on_behalf_phone=on_behalf.get("phone", ""),
    )


def intake_duplicates(
    *, first_name: str, last_name: str, date_of_birth=None, nhs_number=None, postcode: str = ""
) -> list[Resident]:
    """Live residents who are probably the person being entered (same NHS number, or the
    same name, date of birth and postcode), with their wards, at most ten."""
    probe = Resident(
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        nhs_number=nhs_number or None,
        postcode=postcode,
    )
    return list(resident_duplicates(probe).select_related("ward").order_by("pk")[:10])


@transaction.atomic
def intake_submit(
    *,
    actor,
    resident_fields: dict,
    existing: Resident | None = None,
    channel: str,
    needs: list[tuple[str, str]],
    urgency: str,
    summary: str = "",
    on_behalf_name: str = "",
    on_behalf_relationship: str = "",
    on_behalf_phone: str = "",
    sharing: str = SHARING_NONE,
    how_given: str = "",
) -> SupportRequest:
    """A request taken by a member of staff (a call, an e-mail, a referral).

    Uses ``existing`` if the caller chose a resident already on the hub, else creates
    one. Records consent or the lawful basis, opens the request and, when the actor works
    for a partner rather than the host, assigns it to the actor's organisation at once so
    that they can go on working it. Any failure leaves nothing saved.
    """
    if channel not in INTAKE_CHANNELS:
        raise ValidationError({"channel": "Choose how the request reached you"})
    valid_sharing = (SHARING_CONSENT, SHARING_NONE, *SHARING_BASES)
    if sharing not in valid_sharing:
        raise ValidationError({"sharing": "Choose what they agreed to about sharing"})
    if existing is not None:
        person = Resident.objects.select_for_update().get(pk=existing.pk)
        if person.merged_into_id:
            raise ValidationError("That resident's record has been merged: search again")
    else:
        person = resident_create(actor=actor, **resident_fields)
    if sharing == SHARING_CONSENT:
        consent_record(
            actor=actor,
            resident=person,
            basis=Consent.Basis.CONSENT,
            how_given=how_given or Consent.How.NOT_APPLICABLE,
            all_partners=True,
        )
    elif sharing in SHARING_BASES:
        consent_record(
            actor=actor, resident=person, basis=sharing, how_given=Consent.How.NOT_APPLICABLE
        )
    request = request_create(
        actor=actor,
        resident=person,
        channel=channel,
        needs=needs,
        urgency=urgency,
        summary=summary,
        on_behalf_name=on_behalf_name,
        on_behalf_relationship=on_behalf_relationship,
        on_behalf_phone=on_behalf_phone,
    )
    acting = actor.acting
    # Anyone but a hub coordinator keeps sight of what they record by working it themselves.
    if acting.organisation is not None and not sees_everything(actor):
        request = request_triage(
            actor=actor, request=request, urgency=request.urgency, organisation=acting.organisation
        )
    return request
