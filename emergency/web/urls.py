"""/work/emergency/resources/…: the resources' staff pages (included by emergency.urls)."""

from django.urls import path

from emergency.web import resources

urlpatterns = [
    path("work/emergency/resources/", resources.resource_list, name="resources"),
    path("work/emergency/resources/<str:kind>/new/", resources.resource_edit, name="resource-add"),
    path(
        "work/emergency/resources/<str:kind>/<int:pk>/",
        resources.resource_edit,
        name="resource-edit",
    ),
    path(
        "work/emergency/resources/shelters/<int:pk>/occupancy/",
        resources.shelter_occupancy,
        name="shelter-occupancy",
    ),
]
