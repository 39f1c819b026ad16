"""Action plans over the API: read plans and their actions, send progress updates.

Thin over ``hub.plans.selectors_actions`` and ``hub.plans.services.actions``, with the
same rules as the hub's pages: every member may read plans; an action's owner or a plan
manager may update it. Bulk updates are all-or-nothing: if any item is refused, nothing
is saved and the answer names each item at fault by its position in the list.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from hub.api.base import ActingMixin, HasRulePermission
from hub.api.support_views import ACTING_PARAMETER, StrictJSONParser, _api_errors
from hub.plans import selectors_actions as selectors
from hub.plans.models import Action, Plan, ProgressUpdate
from hub.plans.services import actions as services

MAX_ID = 2**31 - 1
STATUSES = ", ".join(Action.Status.values)


# Serializers --------------------------------------------------------------------------------


class PlanSerializer(serializers.ModelSerializer):
    organisation = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="Id of the organisation the plan belongs to"
    )
    aims = serializers.IntegerField(source="n_aims", read_only=True)
    actions = serializers.IntegerField(source="n_actions", read_only=True)
    actions_by_status = serializers.SerializerMethodField(
        help_text=f"Number of actions in each status ({STATUSES})"
    )

    class Meta:
        model = Plan
        fields = [
            "slug",
            "name",
            "description",
            "organisation",
            "aims",
            "actions",
            "actions_by_status",
        ]

    def get_actions_by_status(self, plan) -> dict[str, int]:
        return {value: getattr(plan, f"n_{value}") for value in Action.Status.values}


class PlanActionSerializer(serializers.ModelSerializer):
    aim = serializers.CharField(source="aim.title", read_only=True, help_text="Strategic aim")
    status = serializers.CharField(read_only=True, help_text=f"One of {STATUSES}")
    lead_organisation = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="Id of the lead organisation, or null"
    )
    owner = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="Id of the person who keeps it up to date, or null"
    )
    depends_on = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Ids of the actions it depends on"
    )
    tags = serializers.SerializerMethodField(
        help_text="Ids of the strategy's priorities and enablers it serves"
    )

    class Meta:
        model = Action
        fields = [
            "id",
            "aim",
            "description",
            "leadership",
            "lead_organisation",
            "owner",
            "timescale",
            "starts_on",
            "ends_on",
            "outcomes",
            "status",
            "update_every_days",
            "last_update_at",
            "next_update_due",
            "depends_on",
            "tags",
        ]

    def get_tags(self, action) -> list[int]:
        return [element.pk for element in getattr(action, "elements", [])]


class ProgressInSerializer(serializers.Serializer):
    status = serializers.CharField(max_length=30, help_text=f"One of {STATUSES}")
    note = serializers.CharField(
        max_length=services.NOTE_MAX,
        allow_blank=True,
        trim_whitespace=False,
        help_text="What has happened (required)",
    )


class BulkProgressInSerializer(ProgressInSerializer):
    action = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Action id")


class ProgressOutSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text=f"One of {STATUSES}")
    by = serializers.PrimaryKeyRelatedField(read_only=True, help_text="Id of who wrote it")
    warnings = serializers.SerializerMethodField(
        help_text="Things to know, for example that an action marked complete depends on "
        "actions that are not"
    )

    class Meta:
        model = ProgressUpdate
        fields = ["id", "action", "status", "note", "at", "by", "source", "warnings"]

    def get_warnings(self, update) -> list[str]:
        return getattr(update, "warnings", [])


class PlansErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in plain English")


_ERROR = OpenApiResponse(PlansErrorSerializer, description="Not signed in")
_FORBIDDEN = OpenApiResponse(
    PlansErrorSerializer, description="Your role does not allow this, or it is not your action"
)
_NOT_FOUND = OpenApiResponse(PlansErrorSerializer, description="No such plan or action")


# Views --------------------------------------------------------------------------------------


class _PlansView(ActingMixin):
    permission_classes = [HasRulePermission]
    permission_required = "plans.view_plans"


class PlanList(_PlansView, generics.ListAPIView):
    serializer_class = PlanSerializer

    def get_queryset(self):
        return selectors.plans_list()

    @extend_schema(
        description="Every action plan, with its number of aims and of actions in each status.",
        parameters=[ACTING_PARAMETER],
        responses={200: PlanSerializer(many=True), 401: _ERROR, 403: _FORBIDDEN},
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


class PlanActionList(_PlansView, generics.ListAPIView):
    serializer_class = PlanActionSerializer

    def get_queryset(self):
        plan = selectors.get_plan(self.kwargs["slug"])
        wanted = self.request.query_params.get("status", "")
        if wanted and wanted not in Action.Status.values:
            raise ApiValidationError({"status": [f"Choose one of {STATUSES}"]})
        return (
            selectors.plan_actions(plan, status=wanted)
            .select_related("aim")
            .prefetch_related("depends_on")
            .order_by("aim__position", "aim_id", "position", "id")
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            selectors.attach_tags(page)
        return page

    @extend_schema(
        description="A plan's actions, aim by aim in the plan's order.",
        parameters=[
            OpenApiParameter(
                "status", OpenApiTypes.STR, required=False, description=f"One of {STATUSES}"
            ),
            ACTING_PARAMETER,
        ],
        responses={
            200: PlanActionSerializer(many=True),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Unknown status"),
            401: _ERROR,
            403: _FORBIDDEN,
            404: _NOT_FOUND,
        },
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


def _with_warnings(update: ProgressUpdate) -> ProgressUpdate:
    action = update.action
    update.warnings = []
    if update.status == Action.Status.COMPLETE:
        waiting = selectors.incomplete_dependencies(action)
        if waiting:
            numbers = ", ".join(str(a.pk) for a in waiting)
            update.warnings.append(f"Complete, but depends on actions not complete: {numbers}")
    return update


class ActionProgress(_PlansView, APIView):
    object_permission = "plans.update_action"
    parser_classes = [StrictJSONParser]

    @extend_schema(
        operation_id="action_progress_create",
        description="Write a progress update on an action and set its status. Only the "
        "action's owner or a plan manager may. Completing an action whose dependencies are "
        "not complete is allowed, with a warning.",
        parameters=[ACTING_PARAMETER],
        request=ProgressInSerializer,
        responses={
            201: ProgressOutSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Errors keyed by field",
                examples=[
                    OpenApiExample(
                        "Missing note",
                        value={"note": ["Write a note saying what has happened"]},
                        status_codes=["400"],
                    )
                ],
            ),
            401: _ERROR,
            403: _FORBIDDEN,
            404: _NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        action = selectors.get_action(pk)
        self.check_object_permissions(request, action)
        body = ProgressInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            update = services.progress_record(
                actor=request.user, action=action, source="api", **body.validated_data
            )
        except DjangoValidationError as exc:
            raise ApiValidationError(_api_errors(exc)) from exc
        return Response(
            ProgressOutSerializer(_with_warnings(update)).data, status=status.HTTP_201_CREATED
        )


class BulkProgress(_PlansView, APIView):
    parser_classes = [StrictJSONParser]

    @extend_schema(
        operation_id="action_progress_bulk_create",
        description="Write many progress updates at once: a list of {action, status, note}. "
        "Every item is checked first (the action exists, you may update it, the status is "
        "known, the note is there); if any fails, nothing is saved and the answer lists the "
        f"problems by the item's position in the list (from 0). At most "
        f"{services.BULK_MAX_ROWS:,} items.",
        parameters=[ACTING_PARAMETER],
        request=BulkProgressInSerializer(many=True),
        responses={
            201: ProgressOutSerializer(many=True),
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Items at fault, by position, with what is wrong with each",
                examples=[
                    OpenApiExample(
                        "Two bad items",
                        value={
                            "rows": {
                                "0": ["There is no action number 999"],
                                "2": ["You may not update action 12"],
                            }
                        },
                        status_codes=["400"],
                    )
                ],
            ),
            401: _ERROR,
            403: _FORBIDDEN,
        },
    )
    def post(self, request):
        if not selectors.may_update_some_action(request.user):
            raise PermissionDenied("Only plan managers and action owners can send updates")
        if not isinstance(request.data, list):
            raise ApiValidationError({"non_field_errors": ["Send a list of updates"]})
        if len(request.data) > services.BULK_MAX_ROWS:
            raise ApiValidationError(
                {"non_field_errors": [f"Send at most {services.BULK_MAX_ROWS:,} updates at once"]}
            )
        body = BulkProgressInSerializer(data=request.data, many=True)
        body.is_valid(raise_exception=True)
        rows = [
            services.ProgressRow(
                row=index, action=str(item["action"]), status=item["status"], note=item["note"]
            )
            for index, item in enumerate(body.validated_data)
        ]
        try:
            updates = services.progress_record_many(actor=request.user, rows=rows, source="api")
        except services.RowErrors as exc:
            by_row: dict[str, list[str]] = {}
            for row, message in exc.rows:
                by_row.setdefault(str(row), []).append(message)
            raise ApiValidationError({"rows": by_row}) from exc
        except DjangoValidationError as exc:
            raise ApiValidationError(_api_errors(exc)) from exc
        return Response(
            ProgressOutSerializer([_with_warnings(u) for u in updates], many=True).data,
            status=status.HTTP_201_CREATED,
        )
