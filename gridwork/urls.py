"""The registry's pages (under /registry/) and the patrols' (under /patrol/)."""

from django.urls import path

from gridwork.web import imports, pages, patrols

app_name = "gridwork"

urlpatterns = [
    path("registry/", pages.home, name="home"),
    path("registry/search/", pages.search, name="search"),
    path("registry/coverage/", pages.coverage, name="coverage"),
    path("registry/export/", pages.export, name="export"),
    path("registry/buildings/<int:building_id>/", pages.building, name="building"),
    path("registry/residents/<int:resident_id>/", pages.resident, name="resident"),
    path("registry/import/", imports.upload, name="import"),
    path("registry/import/confirm/", imports.confirm, name="import_confirm"),
    path("registry/import/template.xlsx", imports.template, name="import_template"),
    path("patrol/", patrols.patrol, name="patrol"),
    path("patrol/history/", patrols.history, name="patrol_history"),
    path("patrol/live/", patrols.live, name="patrol_live"),
    path("patrol/<int:patrol_id>/", patrols.detail, name="patrol_detail"),
    path("patrol/photos/<int:photo_id>/<str:size>/", patrols.photo, name="patrol_photo"),
]
