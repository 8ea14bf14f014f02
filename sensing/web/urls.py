"""The sensing pages (under /sensing/)."""

from django.urls import path

from sensing.web import pages

app_name = "sensing-web"

urlpatterns = [
    path("sensing/", pages.home, name="home"),
    path("sensing/areas/<int:area_id>/", pages.area, name="area"),
    path("sensing/datastreams/<int:datastream_id>/", pages.datastream, name="datastream"),
]
