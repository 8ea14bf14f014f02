"""The emergency app's REST endpoints (under /api/v1/emergency/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from emergency.api import notices
from emergency.api.cap import CapIngestView
from emergency.api.resources import ShelterViewSet, SupplyViewSet, TeamViewSet
from emergency.api.views import IncidentViewSet, PlanViewSet, TaskViewSet

app_name = "emergency-api"

router = SimpleRouter()
router.register("incidents", IncidentViewSet, basename="incident")
router.register("plans", PlanViewSet, basename="plan")
router.register("tasks", TaskViewSet, basename="task")
router.register("shelters", ShelterViewSet, basename="shelter")
router.register("supplies", SupplyViewSet, basename="supply")
router.register("teams", TeamViewSet, basename="team")

urlpatterns: list = [
    path("cap/", CapIngestView.as_view(), name="cap-ingest"),
    path("notices/", notices.NoticeListView.as_view(), name="notices"),
    path("notices/<int:notice_id>/", notices.NoticeDetailView.as_view(), name="notice"),
    path(
        "notices/<int:notice_id>/recipients/",
        notices.NoticeRecipientsView.as_view(),
        name="notice-recipients",
    ),
    path(
        "notices/<int:notice_id>/update/",
        notices.NoticeUpdateView.as_view(),
        name="notice-update",
    ),
    path(
        "notices/<int:notice_id>/cancel/",
        notices.NoticeCancelView.as_view(),
        name="notice-cancel",
    ),
    path("answers/", notices.AnswerView.as_view(), name="answers"),
    *router.urls,
]
