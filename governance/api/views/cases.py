"""Cases: a filterable, cursor-paginated list, creation, detail, timeline, attachments and one
action per workflow transition. Every query starts from `cases_for`; every change is a
workflow function; refusals map to 400/403/404 through `governance.api.errors.run`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import pagination, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from governance import reference, search, workflow
from governance.access import Action, cases_for, permitted, sees_internal_notes
from governance.api.errors import Refused, SafeLookupMixin, run
from governance.api.fields import MomentField
from governance.api.parsers import LimitedJSONParser
from governance.api.serializers import cases as s
from governance.api.throttles import FilingLimit
from governance.file_access import openable
from governance.inputs import BadInput, parse_moment, whole_number
from governance.models import Area, Audience, Case, CaseEvent, Department, Status
from governance.models.case import FINAL_STATUSES, OPEN_STATUSES
from governance.paths import at_or_beneath
from governance.privacy import listable, listed, reporter_shown, reveal


class CasePagination(pagination.CursorPagination):
    ordering = ("-created_at", "-pk")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int:
        """`page_size` in ASCII digits (int() would take `٣`), capped; otherwise the default."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            return min(whole_number(raw, minimum=1), self.max_page_size)
        except BadInput:
            return self.page_size

    def decode_cursor(self, request: Request) -> pagination.Cursor | None:
        """A cursor is base64 the client can forge: its position must be a date-time in range
        (the ordering's first field), or the cursor is as invalid as one that does not decode."""
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            try:
                parse_moment(cursor.position, date_alone=False)
            except BadInput:
                raise NotFound(self.invalid_cursor_message) from None
        return cursor


class CaseFilter(serializers.Serializer):
    status = serializers.CharField(required=False, max_length=200)
    category = serializers.CharField(required=False, max_length=40)
    grid = serializers.CharField(required=False, max_length=15)
    area = serializers.CharField(required=False, max_length=15)
    overdue = serializers.BooleanField(required=False)
    mine = serializers.BooleanField(required=False)
    created_after = MomentField(required=False)
    created_before = MomentField(required=False)
    q = serializers.CharField(required=False, max_length=search.MAX_LENGTH)

    def validate_status(self, value: str) -> list[str]:
        wanted = [v.strip() for v in value.split(",") if v.strip()]
        unknown = sorted(set(wanted) - set(Status.values) - {"open", "closed"})
        if unknown:
            raise serializers.ValidationError(
                _("Unknown status: %(s)s.") % {"s": ", ".join(unknown)}
            )
        return wanted


FILTER_PARAMETERS = [
    OpenApiParameter("status", str, description="comma list of states, or open / closed"),
    OpenApiParameter("category", str, description="category code"),
    OpenApiParameter("grid", str, description="grid code"),
    OpenApiParameter("area", str, description="any area code: cases beneath it"),
    OpenApiParameter("overdue", bool),
    OpenApiParameter("mine", bool, description="only the cases I reported"),
    OpenApiParameter("created_after", str, description="ISO-8601 date-time"),
    OpenApiParameter("created_before", str, description="ISO-8601 date-time"),
    OpenApiParameter(
        "q",
        str,
        description=(
            "search: a tracking id or its start, text of the address or description, or the "
            "reporter's phone. The phone, and the address and description of a category "
            "whose location is personal data, match only cases where you may see personal "
            "data; such matches are logged."
        ),
    ),
]

ERRORS = {400: s.ErrorSerializer, 403: s.ErrorSerializer, 404: s.ErrorSerializer}

# What the answer asks besides the transitions: the contact and how exact the location is.
DETAIL_ACTIONS = frozenset({Action.SEE_PERSONAL_DATA, Action.VIEW})

# What a listed case is read with (`CaseViewSet._listed_queryset`): the columns of
# `serializers.cases.list_rows`, of `privacy.listed` (the private category's rounding and
# redaction, the reporter for the access log) and of the cursor (created_at, id).
LISTED_COLUMNS = (
    "id",
    "tracking_id",
    "description",
    "address",
    "lon",
    "lat",
    "area_path",
    "reporter",
    "channel",
    "urgency",
    "status",
    "escalation_level",
    "due_at",
    "created_at",
    "updated_at",
    "category__code",
    "category__name",
    "category__name_en",
    "category__private_location",
    "grid__code",
    "assignee_department__code",
)


def transition(name: str, input_class: type[serializers.Serializer], doc: str):
    """An @action for one workflow transition, documented with its input and errors."""

    def decorate(method):
        method.__doc__ = doc
        return extend_schema(
            request=input_class, responses={200: s.CaseDetailSerializer, **ERRORS}
        )(action(detail=True, methods=["post"], url_path=name)(method))

    return decorate


class CaseViewSet(SafeLookupMixin, viewsets.GenericViewSet):
    lookup_field = "tracking_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[^/]+"
    pagination_class = CasePagination
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    parser_classes = [LimitedJSONParser, FormParser, MultiPartParser]

    def get_permissions(self):
        if self.action == "create":
            return [permissions.AllowAny()]  # anonymous citizens leave a contact instead
        return super().get_permissions()

    def get_throttles(self):
        if self.action == "create":
            return [FilingLimit()]
        return super().get_throttles()

    def get_serializer_class(self):
        return s.CaseListSerializer

    def get_queryset(self) -> QuerySet[Case]:
        # The grid's boundary (a polygon of a few kilobytes, decoded per row) is never shown
        # with a case: deferring it took the officer's list from 25 to 5 ms at city scale.
        return (
            cases_for(self.request.user, Action.VIEW)
            .select_related("category", "grid", "assignee_department", "merged_into")
            .defer("grid__boundary")
        )

    def _listed_queryset(self) -> QuerySet[Case]:
        """The list's rows: the columns `list_rows` and `privacy.listed` read and nothing more —
        not the merged-into case (a second case row per row, shown only in the detail), nor the
        answers, the workflow's time stamps or the grid's boundary and dates (a list of 50
        parsed ~450 date-times, half of them never shown)."""
        return (
            cases_for(self.request.user, Action.VIEW)
            .select_related("category", "grid", "assignee_department")
            .only(*LISTED_COLUMNS)
        )

    def _case(self) -> Case:
        case = self.get_queryset().filter(tracking_id=self.kwargs["id"]).first()
        if case is None:
            raise Refused(_("There is no such case."), "not_found", 404)
        return case

    def _detail(self, case: Case, request: Request, *, written: bool = False) -> Response:
        """The case as it is now (`written`: the caller's copy is, having just created it, and
        the answer is built from what was written: nothing of it is read back)."""
        if not written:
            case.refresh_from_db()
        # Every permission the answer depends on, in one query rather than one per action: the
        # re-check after writing (the scope is the one remembered for this request).
        allowed = permitted(
            request.user, case, workflow.actions_needed(case.status) | DETAIL_ACTIONS
        )
        context = {
            "request": request,
            "revealed": reveal(request.user, case, via="api", allowed=allowed, written=written),
            "available_actions": workflow.available_actions(request.user, case, allowed),
        }
        return Response(s.CaseDetailSerializer(case, context=context).data)

    # --- list, create, detail ----------------------------------------------------------------

    @extend_schema(parameters=FILTER_PARAMETERS, responses={200: s.CaseListSerializer(many=True)})
    def list(self, request: Request) -> Response:
        params = CaseFilter(data={k: v for k, v in request.query_params.items() if v != ""})
        params.is_valid(raise_exception=True)
        cases = self._filtered(self._listed_queryset(), params.validated_data)
        page = self.paginate_queryset(listable(cases, request.user))
        search.log_search_matches(request.user, page, via="api")
        return self.get_paginated_response(
            s.list_rows(page, listed(request.user, page, via="api"))  # CaseListSerializer's
        )

    def _filtered(self, cases: QuerySet[Case], data: dict[str, Any]) -> QuerySet[Case]:
        if data.get("status"):
            wanted = set(data["status"])
            condition = Q(status__in=wanted - {"open", "closed"})
            if "open" in wanted:
                condition |= Q(status__in=sorted(OPEN_STATUSES))
            if "closed" in wanted:
                condition |= Q(status__in=sorted(FINAL_STATUSES))
            cases = cases.filter(condition)
        if data.get("category"):
            cases = cases.filter(category__code=data["category"])
        if data.get("grid"):
            cases = cases.filter(grid__code=data["grid"])
        if data.get("area"):
            area = Area.objects.active().filter(code=data["area"]).first()
            cases = cases.filter(at_or_beneath(area.path)) if area else cases.none()
        if data.get("overdue"):
            cases = cases.overdue()
        if data.get("mine"):
            if not self.request.user.is_authenticated:
                raise NotAuthenticated(_("Sign in to list the cases you reported."))
            cases = cases.filter(reporter=self.request.user)
        if data.get("created_after"):
            cases = cases.filter(created_at__gte=data["created_after"])
        if data.get("created_before"):
            cases = cases.filter(created_at__lt=data["created_before"])
        if data.get("q"):
            user = self.request.user
            cases = search.annotate_matches(
                cases.filter(search.search_condition(user, data["q"])), user, data["q"]
            )
        return cases

    @extend_schema(
        request=s.CaseCreateSerializer,
        responses={201: s.CaseDetailSerializer, 400: s.ErrorSerializer},
    )
    def create(self, request: Request) -> Response:
        data = s.CaseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        category = reference.active_category(values["category"])
        if category is None:
            raise Refused(
                _("There is no such category."),
                "invalid",
                400,
                {"category": [_("There is no such category.")]},
            )
        case = run(
            workflow.submit_case,
            actor=request.user,
            category=category,
            description=values["description"],
            lon=values["lon"],
            lat=values["lat"],
            address=values["address"],
            channel=values["channel"],
            urgency=values["urgency"],
            answers=values["answers"],
            contact=values.get("contact") or {},
        )
        response = self._detail(case, request, written=True)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(responses={200: s.CaseDetailSerializer, 404: s.ErrorSerializer})
    def retrieve(self, request: Request, id: str) -> Response:
        return self._detail(self._case(), request)

    # --- timeline and attachments ------------------------------------------------------------

    @extend_schema(responses={200: s.EventSerializer(many=True), 404: s.ErrorSerializer})
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request: Request, id: str) -> Response:
        """The case's history; internal notes only for the staff who handle it."""
        case = self._case()
        events = CaseEvent.objects.filter(case=case).select_related("actor")
        if not sees_internal_notes(request.user, case):
            events = events.exclude(audience=Audience.INTERNAL)
        events = list(events.prefetch_related("attachments"))
        shown = reporter_shown(request.user, case, events, via="api")
        context = {"request": request, "hidden_reporter_id": None if shown else case.reporter_id}
        return Response(s.EventSerializer(events, many=True, context=context).data)

    @extend_schema(
        methods=["GET"], responses={200: s.AttachmentSerializer(many=True), 404: s.ErrorSerializer}
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": s.UploadSerializer},
        responses={201: s.AttachmentSerializer(many=True), **ERRORS},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        pagination_class=None,
        parser_classes=[MultiPartParser],
    )
    def attachments(self, request: Request, id: str) -> Response:
        """List the case's files, or add photos or documents (with an optional note)."""
        case = self._case()
        if request.method == "POST":
            data = s.UploadSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            before = set(case.attachments.values_list("pk", flat=True))
            run(
                workflow.add_note,
                case_id=case.pk,
                actor=request.user,
                text=data.validated_data.get("note") or _("Files added."),
                files=data.validated_data["files"],
            )
            added = case.attachments.exclude(pk__in=before)
            context = {"request": request}
            return Response(
                s.AttachmentSerializer(added, many=True, context=context).data, status=201
            )
        files = openable(request.user, case, case.attachments.select_related("event"))
        return Response(s.AttachmentSerializer(files, many=True, context={"request": request}).data)

    # --- transitions -------------------------------------------------------------------------

    def _act(self, request: Request, input_class, function, **extra: Any) -> Response:
        case = self._case()
        data = input_class(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        run(function, case_id=case.pk, actor=request.user, **extra, **values)
        return self._detail(case, request)

    @transition("file", s.NoteInput, "立案: accept a submitted case.")
    def file(self, request: Request, id: str) -> Response:
        return self._act(request, s.NoteInput, workflow.file_case)

    @transition("reject", s.RejectInput, "不予立案: reject a submitted case with a reason.")
    def reject(self, request: Request, id: str) -> Response:
        return self._act(request, s.RejectInput, workflow.reject_case)

    @transition("merge", s.MergeInput, "Merge the case into another case (a duplicate).")
    def merge(self, request: Request, id: str) -> Response:
        case = self._case()
        data = s.MergeInput(data=request.data)
        data.is_valid(raise_exception=True)
        target = self.get_queryset().filter(tracking_id=data.validated_data["into"]).first()
        if target is None:
            raise Refused(
                _("There is no such case to merge into."),
                "invalid",
                400,
                {"into": [_("There is no such case to merge into.")]},
            )
        run(
            workflow.merge_case,
            case_id=case.pk,
            into_id=target.pk,
            actor=request.user,
            note=data.validated_data["note"],
        )
        return self._detail(case, request)

    @transition("dispatch", s.DispatchInput, "派遣: send the case to a department.")
    def dispatch_case(self, request: Request, id: str) -> Response:
        case = self._case()
        data = s.DispatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        code = data.validated_data.get("department")
        department = None
        if code:
            department = Department.objects.filter(code=code).first()
            if department is None:
                raise Refused(
                    _("There is no such department."),
                    "invalid",
                    400,
                    {"department": [_("There is no such department.")]},
                )
        run(
            workflow.dispatch_case,
            case_id=case.pk,
            actor=request.user,
            department=department,
            note=data.validated_data["note"],
        )
        return self._detail(case, request)

    @transition("start", s.NoteInput, "The assigned department starts handling the case.")
    def start(self, request: Request, id: str) -> Response:
        return self._act(request, s.NoteInput, workflow.start_case)

    @transition("resolve", s.ResolveInput, "处理反馈: report what was done.")
    def resolve(self, request: Request, id: str) -> Response:
        return self._act(request, s.ResolveInput, workflow.resolve_case)

    @transition("close", s.CloseInput, "核查结案: verified on site; close the case.")
    def close(self, request: Request, id: str) -> Response:
        return self._act(request, s.CloseInput, workflow.verify_and_close_case)

    @transition("rework", s.ReasonInput, "返工: verification failed; back to the department.")
    def rework(self, request: Request, id: str) -> Response:
        return self._act(request, s.ReasonInput, workflow.rework_case)

    @transition("escalate", s.ReasonInput, "督办: escalate the case one level up.")
    def escalate(self, request: Request, id: str) -> Response:
        return self._act(request, s.ReasonInput, workflow.escalate_case)

    @transition("withdraw", s.OptionalReasonInput, "The reporter withdraws the request.")
    def withdraw(self, request: Request, id: str) -> Response:
        return self._act(request, s.OptionalReasonInput, workflow.withdraw_case)

    @transition("reopen", s.ReasonInput, "The reporter reopens a closed case.")
    def reopen(self, request: Request, id: str) -> Response:
        return self._act(request, s.ReasonInput, workflow.reopen_case)

    @transition("rate", s.RateInput, "The reporter rates the closed case, 1 to 5.")
    def rate(self, request: Request, id: str) -> Response:
        return self._act(request, s.RateInput, workflow.rate_case)

    @transition("notes", s.AddNoteInput, "Add information or an internal note.")
    def notes(self, request: Request, id: str) -> Response:
        return self._act(request, s.AddNoteInput, workflow.add_note)
