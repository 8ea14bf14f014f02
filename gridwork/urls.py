"""The registry's pages (under /registry/)."""

from django.urls import path

from gridwork.web import imports, pages

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
]
