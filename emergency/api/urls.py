"""The emergency app's REST endpoints (under /api/v1/emergency/)."""

from django.urls import path

from emergency.api.cap import CapIngestView

app_name = "emergency-api"

urlpatterns: list = [
    path("cap/", CapIngestView.as_view(), name="cap-ingest"),
]
