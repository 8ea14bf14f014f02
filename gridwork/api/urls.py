"""The registry's and the patrols' REST endpoints (under /api/v1/gridwork/)."""

from rest_framework.routers import SimpleRouter

from gridwork.api.patrols import PatrolViewSet
from gridwork.api.views import (
    BuildingViewSet,
    HouseholdViewSet,
    KeyPlaceViewSet,
    OrganisationViewSet,
    ResidentViewSet,
)

app_name = "gridwork-api"

router = SimpleRouter()
router.register("buildings", BuildingViewSet, basename="building")
router.register("households", HouseholdViewSet, basename="household")
router.register("residents", ResidentViewSet, basename="resident")
router.register("key-places", KeyPlaceViewSet, basename="key-place")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("patrols", PatrolViewSet, basename="patrol")

urlpatterns = router.urls
