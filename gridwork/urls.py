"""The registry's pages (under /registry/) and the patrols' (under /patrol/)."""

from django.urls import path

from gridwork.web import duty, imports, pages, patrols, visits

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
    path("registry/visits/", visits.visits, name="visits"),
    path("registry/visits/new/", visits.visit_new, name="visit_new"),
    path("registry/visits/<int:visit_id>/", visits.visit, name="visit"),
    path("registry/visits/<int:visit_id>/edit/", visits.visit_edit, name="visit_edit"),
    path("registry/duty/", duty.duty, name="duty"),
    path("registry/duty/export/", duty.duty_export, name="duty_export"),
    path("registry/duty/officers/<int:officer_id>/", duty.duty_officer, name="duty_officer"),
]
