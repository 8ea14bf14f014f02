"""The emergency app's pages, feeds and endpoints; each part includes its own module here."""

from django.urls import path  # noqa: F401 - the parts add path(...) entries

from emergency.web.urls import urlpatterns as incident_pages

app_name = "emergency"

urlpatterns: list = [*incident_pages]
