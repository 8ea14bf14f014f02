"""The emergency app's pages, feeds and endpoints; each part includes its own module here."""

from django.urls import include, path

from emergency.web import notice_urls

app_name = "emergency"

urlpatterns: list = [
    path("", include("emergency.cap.urls")),
    path("", include("emergency.web.urls")),
    path("", include("emergency.web.incident_urls")),
    *notice_urls.urlpatterns,
]
