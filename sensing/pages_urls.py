"""The alarm and carbon pages (under /work/sensing/)."""

from django.urls import path

from sensing.web import alarms, carbon

app_name = "sensing_pages"

urlpatterns = [
    path("work/sensing/alarms/", alarms.alarm_list, name="alarms"),
    path("work/sensing/alarms/map.json", alarms.alarm_map, name="alarm_map"),
    path(
        "work/sensing/alarms/<int:alarm_id>/acknowledge/",
        alarms.acknowledge,
        name="acknowledge",
    ),
    path("work/sensing/carbon/", carbon.carbon_home, name="carbon_home"),
    path("work/sensing/carbon/<str:area_code>/", carbon.carbon_area, name="carbon"),
]
