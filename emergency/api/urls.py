"""The emergency app's REST endpoints (under /api/v1/emergency/)."""

from rest_framework.routers import SimpleRouter

from emergency.api.views import IncidentViewSet, PlanViewSet, TaskViewSet

app_name = "emergency-api"

router = SimpleRouter()
router.register("incidents", IncidentViewSet, basename="incident")
router.register("plans", PlanViewSet, basename="plan")
router.register("tasks", TaskViewSet, basename="task")

urlpatterns: list = [*router.urls]
