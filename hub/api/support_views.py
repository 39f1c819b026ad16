"""Support requests and referrals for partner systems: thin over support's services and selectors.

Every read is scoped by ``hub.support.selectors``, so a caller sees exactly what they would
see in the hub's own pages; anything else answers 404. Services raise Django's
``ValidationError`` (keyed by field) and ``ConflictError``: they come back as 400 keyed by
the field's path in the body, and 409, never as a 500.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from hub.api.base import ACTING_HEADER, ActingMixin, HasRulePermission
from hub.api.support_serializers import (
    SupportErrorSerializer,
    SupportReferralCompleteSerializer,
    SupportReferralDeclineSerializer,
    SupportReferralFilterSerializer,
    SupportReferralSerializer,
    SupportRequestCreateSerializer,
    SupportRequestDetailSerializer,
    SupportRequestFilterSerializer,
    SupportRequestSerializer,
)
from hub.core.access_log import access_log_record
from hub.support import selectors, services
from hub.support.models import Need, Referral, SupportRequest
from hub.support.validation import normalise_nhs_number

NHS_NUMBER_TAKEN = "A resident with this NHS number exists: ask the hub coordinator"

ACTING_PARAMETER = OpenApiParameter(
    ACTING_HEADER,
    OpenApiTypes.INT,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Id of the organisation you act for, if you belong to more than one",
)
_ERROR = OpenApiResponse(SupportErrorSerializer, description="Not signed in (no or a wrong token)")
_FORBIDDEN = OpenApiResponse(
    SupportErrorSerializer, description="Your role in the acting organisation does not allow this"
)
_NOT_FOUND = OpenApiResponse(
    SupportErrorSerializer, description="No such record, or not one your organisation may see"
)
_CONFLICT = OpenApiResponse(
    SupportErrorSerializer,
    description="Someone changed the referral first, or it is in the wrong state",
)


def _field_errors_response(example: dict) -> OpenApiResponse:
    return OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Validation errors keyed by the path of the field at fault "
        "(non_field_errors for the record as a whole)",
        examples=[OpenApiExample("Field errors", value=example, status_codes=["400"])],
    )


class StrictJSONParser(JSONParser):
    """JSON only, and a body nested too deeply for Python's parser is a 400, not a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - nested too deeply") from exc


def _api_errors(exc: DjangoValidationError, *path: str) -> dict:
    """A service's ValidationError as DRF's error body, nested under ``path``."""
    if hasattr(exc, "error_dict"):
        errors = {
            ("non_field_errors" if field == NON_FIELD_ERRORS else field): messages
            for field, messages in exc.message_dict.items()
        }
    else:
        errors = {"non_field_errors": exc.messages}
    for key in reversed(path):
        errors = {key: errors}
    return errors


def _validated_filters(serializer_class, request) -> dict:
    filters = serializer_class(data=request.query_params)
    filters.is_valid(raise_exception=True)
    return filters.validated_data


class _SupportView(ActingMixin):
    permission_classes = [HasRulePermission]


# Requests ---------------------------------------------------------------------------------


class RequestListCreate(_SupportView, generics.ListAPIView):
    """Requests for help your organisation may see, and opening new ones."""

    serializer_class = SupportRequestSerializer
    parser_classes = [StrictJSONParser]

    @property
    def permission_required(self) -> str:
        return "support.intake" if self.request.method == "POST" else "support.view_queue"

    def get_queryset(self):
        filters = _validated_filters(SupportRequestFilterSerializer, self.request)
        requests = selectors.requests_visible_to(self.request.user)
        if "status" in filters:
            requests = requests.filter(status=filters["status"])
        if "urgency" in filters:
            requests = requests.filter(urgency=filters["urgency"])
        if "need" in filters:
            requests = requests.filter(
                Exists(Need.objects.filter(request=OuterRef("pk"), category=filters["need"]))
            )
        if "ward" in filters:
            requests = requests.filter(ward__code=filters["ward"])
        if "assigned_organisation" in filters:
            requests = requests.filter(assigned_organisation_id=filters["assigned_organisation"])
        ordering = ["-due_at", "-id"] if filters.get("ordering") == "-due_at" else ["due_at", "id"]
        return requests.select_related("ward").prefetch_related("needs").order_by(*ordering)

    @extend_schema(
        description="Requests for help your organisation may see: those assigned to it and "
        "those with a need referred to it (the hub's coordinators see all). "
        "No resident personal data.",
        parameters=[SupportRequestFilterSerializer, ACTING_PARAMETER],
        responses={
            200: SupportRequestSerializer(many=True),
            400: _field_errors_response({"status": ['"lost" is not a valid choice.']}),
            401: _ERROR,
            403: _FORBIDDEN,
        },
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    @extend_schema(
        description="Open a request for help for a resident, with their needs and, if given, "
        "their consent to share. A request opened by a partner is assigned to that partner. "
        "If the NHS number matches a resident you can already see, the request is opened for "
        "them and their recorded details are kept.",
        parameters=[ACTING_PARAMETER],
        request=SupportRequestCreateSerializer,
        responses={
            201: SupportRequestSerializer,
            400: _field_errors_response(
                {
                    "resident": {"nhs_number": ["Enter an NHS number of 10 digits"]},
                    "needs": {"0": {"category": ['"pets" is not a valid choice.']}},
                }
            ),
            401: _ERROR,
            403: _FORBIDDEN,
        },
    )
    def post(self, request, *args, **kwargs):
        serializer = SupportRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        support_request = _open_request(actor=request.user, data=serializer.validated_data)
        body = SupportRequestSerializer(support_request).data
        location = reverse("api:support_request_detail", kwargs={"pk": support_request.pk})
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


def _resident_to_reuse(actor, nhs_number):
    """The live resident with this NHS number if the actor may see them, else None."""
    try:
        normalised = normalise_nhs_number(nhs_number)
    except DjangoValidationError:
        return None  # resident_create names the problem along with any others
    return selectors.residents_visible_to(actor).filter(nhs_number=normalised).first()


def _open_request(*, actor, data: dict) -> SupportRequest:
    """Resident (new or reused), consent, request and, for a partner, its assignment: all
    saved, or nothing."""
    resident_fields = dict(data["resident"])
    nhs_number = resident_fields.get("nhs_number")
    try:
        with transaction.atomic():
            resident = _resident_to_reuse(actor, nhs_number) if nhs_number else None
            if resident is None:
                try:
                    resident = services.resident_create(actor=actor, **resident_fields)
                except DjangoValidationError as exc:
                    errors = _api_errors(exc)
                    if "nhs_number" in errors and _normalises(nhs_number):
                        # A valid number that clashes: someone the caller may not see.
                        errors["nhs_number"] = [NHS_NUMBER_TAKEN]
                    raise ApiValidationError({"resident": errors}) from exc
            if data.get("consent"):
                consent = data["consent"]
                try:
                    services.consent_record(
                        actor=actor,
                        resident=resident,
                        basis=consent["basis"],
                        how_given=consent["how_given"],
                        all_partners=consent["all_partners"],
                        partners=consent["partners"],
                        notes=consent["notes"],
                    )
                except DjangoValidationError as exc:
                    raise ApiValidationError(_api_errors(exc, "consent")) from exc
            try:
                support_request = services.request_create(
                    actor=actor,
                    resident=resident,
                    channel=data["channel"],
                    needs=[(need["category"], need["detail"]) for need in data["needs"]],
                    urgency=data["urgency"],
                    summary=data["summary"],
                    on_behalf_name=data["on_behalf_name"],
                    on_behalf_relationship=data["on_behalf_relationship"],
                    on_behalf_phone=data["on_behalf_phone"],
                )
                if not selectors.sees_everything(actor):
                    # Without this, anyone but a hub coordinator would lose sight of what they
                    # just opened (a partner, or a council caseworker).
                    support_request = services.request_triage(
                        actor=actor,
                        request=support_request,
                        urgency=support_request.urgency,
                        organisation=actor.acting.organisation,
                    )
            except DjangoValidationError as exc:
                raise ApiValidationError(_api_errors(exc)) from exc
    except IntegrityError as exc:
        # Someone else saved a resident with this NHS number between our check and our insert.
        if "nhs_number" not in str(exc):
            raise
        raise ApiValidationError({"resident": {"nhs_number": [NHS_NUMBER_TAKEN]}}) from exc
    return support_request


def _normalises(nhs_number) -> bool:
    try:
        normalise_nhs_number(nhs_number)
    except DjangoValidationError:
        return False
    return True


class RequestDetail(_SupportView, generics.GenericAPIView):
    permission_required = "support.view_queue"
    serializer_class = SupportRequestDetailSerializer

    @extend_schema(
        description="One request with the resident's contact details. A partner who sees it "
        "only through a referral gets just the referred needs. Every call is recorded in "
        "the access log.",
        parameters=[ACTING_PARAMETER],
        responses={
            200: SupportRequestDetailSerializer,
            401: _ERROR,
            403: _FORBIDDEN,
            404: _NOT_FOUND,
        },
    )
    def get(self, request, pk: int):
        user = request.user
        support_request = selectors.get_request_for_user(user, pk)
        support_request.full_view = selectors.is_full_view(user, support_request)
        support_request.visible_needs = list(
            selectors.needs_visible_to(user, support_request).order_by("id")
        )
        access_log_record(
            request=request,
            obj=support_request.resident,
            purpose=f"API: request {support_request.reference}",
        )
        return Response(self.get_serializer(support_request).data)


# Referrals --------------------------------------------------------------------------------


class ReferralList(_SupportView, generics.ListAPIView):
    permission_required = "support.view_referrals"
    serializer_class = SupportReferralSerializer

    def get_queryset(self):
        filters = _validated_filters(SupportReferralFilterSerializer, self.request)
        return selectors.referrals_received(self.request.user, status=filters.get("status"))

    @extend_schema(
        description="Referrals sent to your organisation, newest first. No resident data.",
        parameters=[SupportReferralFilterSerializer, ACTING_PARAMETER],
        responses={
            200: SupportReferralSerializer(many=True),
            400: _field_errors_response({"status": ['"lost" is not a valid choice.']}),
            401: _ERROR,
            403: _FORBIDDEN,
        },
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


def _referral_body(user, pk: int) -> dict:
    referral = selectors.get_referral_for_user(user, pk)
    return SupportReferralSerializer(referral).data


class ReferralDetail(_SupportView, APIView):
    permission_required = "support.view_referrals"

    @extend_schema(
        description="One referral sent to your organisation (or sent by the organisation "
        "working the request).",
        parameters=[ACTING_PARAMETER],
        responses={200: SupportReferralSerializer, 401: _ERROR, 403: _FORBIDDEN, 404: _NOT_FOUND},
    )
    def get(self, request, pk: int):
        return Response(_referral_body(request.user, pk))


class _ReferralAction(_SupportView, APIView):
    """Load the referral in scope, check the caller received it, run the service."""

    permission_required = "support.view_referrals"
    parser_classes = [StrictJSONParser]
    body_serializer = None

    def act(self, referral: Referral, **data) -> None:
        raise NotImplementedError

    def post(self, request, pk: int):
        user = request.user
        referral = selectors.get_referral_for_user(user, pk)
        if referral.to_organisation_id != user.acting.organisation.pk:
            raise PermissionDenied("Only the organisation the referral was sent to can answer it")
        data = {}
        if self.body_serializer is not None:
            body = self.body_serializer(data=request.data)
            body.is_valid(raise_exception=True)
            data = body.validated_data
        try:
            self.act(referral, **data)
        except services.ConflictError as exc:
            return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_409_CONFLICT)
        except DjangoValidationError as exc:
            raise ApiValidationError(_api_errors(exc)) from exc
        return Response(_referral_body(user, pk))


_ACTION_RESPONSES = {
    200: SupportReferralSerializer,
    401: _ERROR,
    403: OpenApiResponse(
        SupportErrorSerializer, description="Not your organisation's referral, or not your role"
    ),
    404: _NOT_FOUND,
    409: _CONFLICT,
}


class ReferralAccept(_ReferralAction):
    @extend_schema(
        description="Accept a referral: you take on the need. If someone got there first, 409.",
        parameters=[ACTING_PARAMETER],
        request=None,
        responses=_ACTION_RESPONSES,
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, referral, **data):
        services.referral_accept(actor=self.request.user, referral=referral)


class ReferralDecline(_ReferralAction):
    body_serializer = SupportReferralDeclineSerializer

    @extend_schema(
        description="Decline a referral, saying why; the need goes back to the sender.",
        parameters=[ACTING_PARAMETER],
        request=SupportReferralDeclineSerializer,
        responses={
            **_ACTION_RESPONSES,
            400: _field_errors_response({"reason": ["This field may not be blank."]}),
        },
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, referral, *, reason: str):
        services.referral_decline(actor=self.request.user, referral=referral, reason=reason)


class ReferralComplete(_ReferralAction):
    body_serializer = SupportReferralCompleteSerializer

    @extend_schema(
        description="Complete an accepted referral with what happened and whether the need "
        "was met.",
        parameters=[ACTING_PARAMETER],
        request=SupportReferralCompleteSerializer,
        responses={
            **_ACTION_RESPONSES,
            400: _field_errors_response({"need_met": ["This field is required."]}),
        },
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, referral, *, outcome: str, need_met: bool):
        services.referral_complete(
            actor=self.request.user, referral=referral, outcome=outcome, need_met=need_met
        )
