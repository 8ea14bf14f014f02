"""The emergency app's REST endpoints (under /api/v1/emergency/)."""

app_name = "emergency-api"

urlpatterns: list = []
