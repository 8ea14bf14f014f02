"""The registry's REST endpoints (under /api/v1/gridwork/)."""

app_name = "gridwork-api"

urlpatterns: list = []
