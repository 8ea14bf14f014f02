"""The emergency app's pages, feeds and endpoints; each part includes its own module here."""

from django.urls import path  # noqa: F401 - the parts add path(...) entries

from emergency import notice_urls

app_name = "emergency"

urlpatterns: list = [*notice_urls.urlpatterns]
