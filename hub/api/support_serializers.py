"""Support requests and referrals over the API: what goes out, and what comes in.

Outgoing shapes never carry a resident's personal data except ``SupportResidentSerializer``,
which only the request detail uses (and logs). Incoming shapes bound every string, so a
hostile or huge body is refused here with a message naming the field, before any service
runs.
"""

from rest_framework import serializers

from hub.organisations.selectors import organisations_list
from hub.support.models import Consent, Need, Referral, Resident, SupportRequest
from hub.support.needs import NeedCategory

# The largest id a partner system can sensibly send; bigger numbers are refused as input
# rather than reaching the database.
MAX_ID = 2**31 - 1

# Shielding-list requests come only from the list import (one open request per resident).
API_CHANNELS = [
    (value, label)
    for value, label in SupportRequest.Channel.choices
    if value != SupportRequest.Channel.SHIELDING_LIST
]


# Outgoing ---------------------------------------------------------------------------------


class SupportNeedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Need
        fields = ["id", "category", "status", "outcome"]


class SupportRequestSerializer(serializers.ModelSerializer):
    """A request in a list: no personal data."""

    ward = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="The ward's code, or null if not known"
    )
    assigned_organisation = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="Id of the organisation working the request, or null"
    )
    needs = SupportNeedSerializer(many=True, read_only=True)

    class Meta:
        model = SupportRequest
        fields = [
            "id",
            "reference",
            "status",
            "urgency",
            "due_at",
            "channel",
            "ward",
            "assigned_organisation",
            "needs",
            "created_at",
        ]


class SupportResidentSerializer(serializers.ModelSerializer):
    """What a caseworker needs to reach the resident: name, phone, address and postcode."""

    class Meta:
        model = Resident
        fields = ["first_name", "last_name", "phone", "address_line_1", "postcode"]


class SupportRequestDetailSerializer(SupportRequestSerializer):
    """One request with its resident. ``needs`` holds only the needs the caller may see."""

    full_view = serializers.BooleanField(
        read_only=True,
        help_text="True when the caller works the whole case; false when they see it only "
        "through a referral (then needs lists just the referred needs and summary is null)",
    )
    summary = serializers.SerializerMethodField(
        help_text="The request in the resident's words; null unless full_view"
    )
    needs = SupportNeedSerializer(many=True, read_only=True, source="visible_needs")
    resident = SupportResidentSerializer(read_only=True)

    class Meta(SupportRequestSerializer.Meta):
        fields = [*SupportRequestSerializer.Meta.fields, "full_view", "summary", "resident"]

    def get_summary(self, obj) -> str | None:
        return obj.summary if obj.full_view else None


class SupportReferralNeedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Need
        fields = ["id", "category", "status"]


class SupportReferralRequestSerializer(serializers.ModelSerializer):
    ward = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = SupportRequest
        fields = ["id", "reference", "urgency", "due_at", "ward"]


class SupportReferralSerializer(serializers.ModelSerializer):
    """A referral of one need to a partner. No resident data: fetch the request for that."""

    need = SupportReferralNeedSerializer(read_only=True)
    request = SupportReferralRequestSerializer(source="need.request", read_only=True)
    from_organisation = serializers.PrimaryKeyRelatedField(read_only=True)
    to_organisation = serializers.PrimaryKeyRelatedField(read_only=True)
    claimed_by = serializers.CharField(
        source="claimed_by.full_name",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="Who accepted the referral",
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "status",
            "need",
            "request",
            "from_organisation",
            "to_organisation",
            "message",
            "sent_at",
            "expires_at",
            "claimed_by",
            "responded_at",
            "decline_reason",
            "completed_at",
            "outcome",
        ]


class SupportErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in plain English")


# Query parameters -------------------------------------------------------------------------


class SupportRequestFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(SupportRequest.Status.choices, required=False)
    urgency = serializers.ChoiceField(SupportRequest.Urgency.choices, required=False)
    need = serializers.ChoiceField(
        NeedCategory.choices, required=False, help_text="Only requests with a need of this kind"
    )
    ward = serializers.CharField(max_length=20, required=False, help_text="A ward's code")
    assigned_organisation = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="An organisation's id"
    )
    ordering = serializers.ChoiceField(
        ["due_at", "-due_at"], required=False, help_text="Soonest due first unless -due_at"
    )


class SupportReferralFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(Referral.Status.choices, required=False)


# Incoming ---------------------------------------------------------------------------------


def _text(max_length: int, **kwargs) -> serializers.CharField:
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, default="", **kwargs
    )


class SupportResidentInputSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    nhs_number = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="10 digits. If it matches a resident you can already see, the request is "
        "opened for them and their recorded details are kept",
    )
    address_line_1 = _text(200)
    address_line_2 = _text(200)
    town = _text(100)
    postcode = _text(16)
    phone = _text(30)
    phone_other = _text(30)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    preferred_language = _text(60)
    communication_needs = _text(300)
    shielding = serializers.BooleanField(required=False)
    lives_alone = serializers.BooleanField(required=False)
    carer = serializers.BooleanField(required=False)
    disability = serializers.BooleanField(required=False)
    digitally_excluded = serializers.BooleanField(required=False)
    young_person = serializers.BooleanField(required=False)


class SupportNeedInputSerializer(serializers.Serializer):
    category = serializers.ChoiceField(NeedCategory.choices)
    detail = _text(500)


class SupportConsentInputSerializer(serializers.Serializer):
    basis = serializers.ChoiceField(Consent.Basis.choices)
    how_given = serializers.ChoiceField(Consent.How.choices)
    all_partners = serializers.BooleanField(required=False, default=False)
    partners = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        default=list,
        max_length=50,
        help_text="Ids of the organisations they agreed to share with (or all_partners)",
    )
    notes = _text(500)

    def validate_partners(self, value: list[int]):
        wanted = set(value)
        found = list(organisations_list().filter(pk__in=wanted))
        missing = wanted - {organisation.pk for organisation in found}
        if missing:
            raise serializers.ValidationError(
                f"No organisation has the id {', '.join(str(pk) for pk in sorted(missing))}"
            )
        return found


class SupportRequestCreateSerializer(serializers.Serializer):
    resident = SupportResidentInputSerializer()
    channel = serializers.ChoiceField(API_CHANNELS)
    needs = serializers.ListField(
        child=SupportNeedInputSerializer(),
        allow_empty=False,
        min_length=1,
        max_length=len(NeedCategory.choices),
        error_messages={"empty": "Choose at least one thing they need help with"},
    )
    urgency = serializers.ChoiceField(
        SupportRequest.Urgency.choices,
        required=False,
        default=SupportRequest.Urgency.ROUTINE,
        help_text="A safeguarding need always makes the request same-day",
    )
    summary = _text(5000)
    on_behalf_name = _text(200)
    on_behalf_relationship = _text(100)
    on_behalf_phone = _text(20)
    consent = SupportConsentInputSerializer(required=False, allow_null=True)


class SupportReferralDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why you cannot take it on")


class SupportReferralCompleteSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=500, help_text="What happened")
    need_met = serializers.BooleanField(help_text="Whether the need was met")
