"""Sensing's REST endpoints (under /api/v1/sensing/)."""

from rest_framework.routers import SimpleRouter

from sensing.api.views import (
    DatastreamViewSet,
    ObservedPropertyViewSet,
    SensorViewSet,
    ThingViewSet,
)

app_name = "sensing-api"

router = SimpleRouter()
router.register("things", ThingViewSet, basename="thing")
router.register("datastreams", DatastreamViewSet, basename="datastream")
router.register("sensors", SensorViewSet, basename="sensor")
router.register("observed-properties", ObservedPropertyViewSet, basename="observed-property")

urlpatterns = router.urls
