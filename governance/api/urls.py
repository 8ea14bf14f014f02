"""/api/v1/: the REST API."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from governance import exports
from governance.api.views.areas import AreaCollectionView
from governance.api.views.cases import CaseViewSet
from governance.api.views.categories import CategoryViewSet
from governance.api.views.people import MeView, MyAccessLogView, SignInView
from notifications.api.views import NotificationViewSet

app_name = "api"

router = SimpleRouter()
router.register("categories", CategoryViewSet, basename="category")
router.register("cases", CaseViewSet, basename="case")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    path("areas/", AreaCollectionView.as_view(), name="areas"),
    path("me/", MeView.as_view(), name="me"),
    path("me/access-log/", MyAccessLogView.as_view(), name="my-access-log"),
    path("auth/token/", SignInView.as_view(), name="token"),
    path("exports/cases.csv", exports.cases_csv, name="export-csv"),
    path("exports/cases.geojson", exports.cases_geojson, name="export-geojson"),
    *router.urls,
]
